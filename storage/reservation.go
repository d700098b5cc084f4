package storage

import (
	"errors"
	"sync/atomic"
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
//
// The writes that can be a keyed request's first take it as their key
// parameter; nil is a write without one. A request passes the same value to
// each of its writes: the first to commit inserts the record, the others
// see it placed and leave it alone.
type PendingReservation struct {
	Record *IdempotencyRecord
	// placed is set once a write carrying it committed; unsure once one
	// ended without telling whether it committed (the store became
	// unavailable around its commit).
	placed, unsure atomic.Bool
}

// Pending reports whether a write passed r must insert it: r is a
// reservation none of whose writes has committed yet.
func (r *PendingReservation) Pending() bool { return r != nil && !r.placed.Load() }

// Placed records that a write carrying r committed.
func (r *PendingReservation) Placed() { r.placed.Store(true) }

// Unsure records that a write carrying r may have committed.
func (r *PendingReservation) Unsure() { r.unsure.Store(true) }

// State tells whether the reservation is stored: placed (a write carrying
// it committed), or maybe (that, or a write's outcome is unknown). A write
// that failed for a reason of its own, or found the key held by another
// request (perhaps of the same process, whose reservation has the same
// owner), stored nothing: such a reservation must never be released.
func (r *PendingReservation) State() (placed, maybe bool) {
	placed = r.placed.Load()
	return placed, placed || r.unsure.Load()
}
