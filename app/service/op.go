package service

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// Op is what makes one write request safe to retry. A client repeating a
// request under the same Idempotency-Key (app/api/idempotency.go) is given
// the same Op again: the same ObjectID, so that the use case recognises
// what an interrupted earlier attempt committed instead of doing it twice,
// and, the first time the key is seen on a store that carries reservations,
// the key's Reservation, which the use case hands to its store writes so
// that the key is stored with the first of them or not at all.
//
// The zero Op is a write without a key: what it creates gets a fresh ID
// and nothing is reserved.
type Op struct {
	// Key is the Idempotency-Key's scope (caller, route and key); "" for a
	// request without one.
	Key string
	// ObjectID is the ID given to what the write creates (an outcome, a
	// conversion, an import job); uuid.Nil for a fresh one.
	ObjectID uuid.UUID
	// Reservation is the key's reservation still to be stored, passed to
	// every store write of the use case that takes a key; nil when the key
	// was reserved before the request ran, or there is none.
	Reservation *storage.PendingReservation
}

// objectID returns the ID the op names (true), or a fresh one.
func (o Op) objectID() (uuid.UUID, bool) {
	if o.ObjectID != uuid.Nil {
		return o.ObjectID, true
	}
	return domain.NewID(), false
}

// errAlreadyDone stops an account change that an interrupted earlier
// attempt of the same request already committed.
var errAlreadyDone = errors.New("already done by an earlier attempt")

// The Idempotency-Key records behind Op. The HTTP layer decides from them
// whether a request is new, a replay or a retry of a dead attempt; only the
// holder of a reservation (this process's epoch) completes or releases it.

// CarriesReservations reports whether the store inserts an Op's
// Reservation with the use case's first write (see
// storage.Idempotency.CarriesReservations); if not, keys are reserved with
// ReserveKey before the request runs.
func (s *Service) CarriesReservations() bool { return s.store.CarriesReservations() }

// KeyRecord returns the record of an Idempotency-Key scope, or
// domain.ErrNotFound.
func (s *Service) KeyRecord(ctx context.Context, key string) (*storage.IdempotencyRecord, error) {
	return s.store.GetIdempotency(ctx, key)
}

// ReserveKey stores r, unfinished or complete; a key on record is
// domain.ErrConflict.
func (s *Service) ReserveKey(ctx context.Context, r *storage.IdempotencyRecord) error {
	return s.store.ReserveIdempotency(ctx, r)
}

// TakeOverKey replaces the unfinished reservation prevOwner holds with r
// (domain.ErrStale if another retry took it first, domain.ErrNotFound if
// it is gone).
func (s *Service) TakeOverKey(ctx context.Context, r *storage.IdempotencyRecord, prevOwner string) error {
	return s.store.TakeOverIdempotency(ctx, r, prevOwner)
}

// CompleteKey stores the response to a key this process holds.
func (s *Service) CompleteKey(ctx context.Context, key string, status int, body []byte) error {
	return s.store.CompleteIdempotency(ctx, key, s.epoch, status, body)
}

// ReleaseKey drops the unfinished reservation of a key this process holds,
// so that the client may retry a failed request with it.
func (s *Service) ReleaseKey(ctx context.Context, key string) error {
	return s.store.DeleteIdempotency(ctx, key, s.epoch)
}

// Ping answers whether the store is reachable (readiness).
func (s *Service) Ping(ctx context.Context) error { return s.store.Ping(ctx) }
