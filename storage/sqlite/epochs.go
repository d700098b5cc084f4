package sqlite

import (
	"context"
	"time"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// BeginEpoch records a starting process and forgets its instance's earlier
// epochs and those long silent, in one transaction.
func (s *Store) BeginEpoch(ctx context.Context, e *storage.Epoch) error {
	raw, err := encode(record.FromEpoch(e))
	if err != nil {
		return err
	}
	cutoff := e.StartedAt.Add(-storage.EpochRetention).UnixMilli()
	return s.write(ctx, func(tx *wtx) error {
		if _, err := exec(ctx, tx, `DELETE FROM epochs WHERE instance = ? OR heartbeat_ms < ?`, e.Instance, cutoff); err != nil {
			return err
		}
		_, err := exec(ctx, tx, `INSERT INTO epochs (id, instance, heartbeat_ms, doc) VALUES (?, ?, ?, ?)`,
			e.ID, e.Instance, e.HeartbeatAt.UnixMilli(), raw)
		return err
	})
}

// RenewEpoch moves the heartbeat of a recorded epoch.
func (s *Store) RenewEpoch(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *wtx) error {
		e, err := getDoc[record.EpochDoc](ctx, tx, `SELECT doc FROM epochs WHERE id = ?`, id)
		if err != nil {
			return err
		}
		e.HeartbeatAt = domain.Now(at)
		raw, err := encode(record.FromEpoch(e))
		if err != nil {
			return err
		}
		_, err = exec(ctx, tx, `UPDATE epochs SET heartbeat_ms = ?, doc = ? WHERE id = ?`, e.HeartbeatAt.UnixMilli(), raw, id)
		return err
	})
}

// EndEpoch forgets an epoch.
func (s *Store) EndEpoch(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `DELETE FROM epochs WHERE id = ?`, id)
		return err
	})
}

// GetEpoch loads an epoch.
func (s *Store) GetEpoch(ctx context.Context, id string) (*storage.Epoch, error) {
	return getDoc[record.EpochDoc](ctx, s.rc, `SELECT doc FROM epochs WHERE id = ?`, id)
}
