package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// Why epochs. A request holding an Idempotency-Key reservation (or running
// an import) can be cut off by kill -9 or a power cut; its retry must not
// wait for a timeout, yet must never take work away from a process that is
// still doing it — with MongoDB several live instances share the store.
// Each process therefore writes its epoch (a random ID) into what it holds,
// and the store keeps a record per live epoch:
//   - a process restarting in the same instance (host and listen address:
//     the OS lets only one process at a time listen there) removes the
//     records of its earlier epochs at start, so their work is abandoned
//     at once;
//   - every live process renews its record each storage.EpochHeartbeat, so
//     an instance that never comes back (a replaced container) is declared
//     dead after storage.EpochLease of silence, while a live one keeps its
//     work;
//   - a clean exit removes the record.
// Misjudging an epoch dead (a process frozen for longer than the lease, or a
// predecessor still draining when its successor starts) costs no credit: a
// retry that takes over keeps the reservation's ObjectID, and the use cases
// recognise an outcome or conversion of that ID as already done.

// Epoch names this process's run. It is set when the service is built so
// that every reservation carries it, even in tests that never BeginEpoch.
func (s *Service) Epoch() string { return s.epoch }

func newEpochID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// BeginEpoch records this process as running in instance and renews the
// record until ctx ends, then removes it (a clean exit); the returned
// channel closes when that is done.
func (s *Service) BeginEpoch(ctx context.Context, instance string) (<-chan struct{}, error) {
	n := domain.Now(s.now())
	e := &storage.Epoch{ID: s.epoch, Instance: instance, StartedAt: n, HeartbeatAt: n}
	if err := s.store.BeginEpoch(ctx, e); err != nil {
		return nil, err
	}
	s.log.Info("epoch started", "epoch", s.epoch, "instance", instance)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(storage.EpochHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				end, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				if err := s.store.EndEpoch(end, s.epoch); err != nil {
					s.log.Warn("epoch not ended", "epoch", s.epoch, "err", err)
				}
				cancel()
				return
			case <-t.C:
				err := s.store.RenewEpoch(ctx, s.epoch, s.now())
				if errors.Is(err, domain.ErrNotFound) {
					// A newer process claims this instance: two servers
					// share one address slot, which the instance name
					// assumes cannot happen. Re-record ourselves so our
					// requests are not taken over while we run.
					s.log.Error("epoch removed by another process of the same instance", "epoch", s.epoch, "instance", instance)
					n := domain.Now(s.now())
					err = s.store.BeginEpoch(ctx, &storage.Epoch{ID: s.epoch, Instance: instance + "#" + s.epoch, StartedAt: n, HeartbeatAt: n})
				}
				if err != nil && ctx.Err() == nil {
					s.log.Warn("epoch heartbeat failed", "epoch", s.epoch, "err", err)
				}
			}
		}
	}()
	return done, nil
}

// EpochLive reports whether the process of epoch may still be running:
// this one is, one without a record has ended, others are judged by their
// heartbeat.
func (s *Service) EpochLive(ctx context.Context, epoch string) (bool, error) {
	if epoch == s.epoch {
		return true, nil
	}
	if epoch == "" {
		return false, nil
	}
	e, err := s.store.GetEpoch(ctx, epoch)
	if errors.Is(err, domain.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return e.Live(s.now()), nil
}
