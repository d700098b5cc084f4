package storage

import (
	"context"
	"errors"
	"sync/atomic"

	"creditbank/domain"
)

// ErrKeyTaken is returned by a write that carried a request's pending
// Idempotency-Key reservation when the key is already held: nothing of
// that write was applied. It is not domain.ErrConflict, so that use cases
// which treat a conflict as "someone else created it first" do not
// mistake it for one.
var ErrKeyTaken = errors.New("idempotency key already held")

// PendingReservation is an Idempotency-Key reservation that a store able
// to (CarriesReservations) inserts in the same transaction as the request's
// first write, instead of a write of its own before the request runs: a
// keyed request then waits for one commit, not two, and a crash keeps the
// reservation and that write together or neither.
type PendingReservation struct {
	Record *domain.IdempotencyRecord
	// tried is set once a write carrying it was handed to the store, placed
	// once one is known to have committed, taken once one found the key
	// held by another request.
	tried, placed, taken atomic.Bool
}

type reservationKey struct{}

// WithPendingReservation makes the writes of ctx carry r until one commits.
func WithPendingReservation(ctx context.Context, r *PendingReservation) context.Context {
	return context.WithValue(ctx, reservationKey{}, r)
}

// PendingReservationOf returns ctx's reservation if none of its writes has
// committed it yet.
func PendingReservationOf(ctx context.Context) *PendingReservation {
	r, _ := ctx.Value(reservationKey{}).(*PendingReservation)
	if r == nil || r.placed.Load() {
		return nil
	}
	return r
}

// Tried records that a write carrying r was handed to the store.
func (r *PendingReservation) Tried() { r.tried.Store(true) }

// Placed records that a write carrying r committed.
func (r *PendingReservation) Placed() { r.placed.Store(true) }

// Taken records that a write carrying r found its key held by another
// request (of the same process, perhaps: the record's owner is then the
// same, so the loser must never release the key).
func (r *PendingReservation) Taken() { r.taken.Store(true) }

// State tells whether the reservation is stored: placed (a write carrying
// it committed), or maybe (one was tried and its outcome is unknown or it
// failed; a failed write stored nothing, but one whose answer was lost may
// have). A reservation whose key was taken by another is not ours.
func (r *PendingReservation) State() (placed, maybe bool) {
	placed = r.placed.Load()
	return placed, placed || r.tried.Load() && !r.taken.Load()
}
