package sqlite

import (
	"context"
	"encoding/base64"

	"creditbank/storage"
	"creditbank/storage/record"
)

// CarriesReservations: writes insert their context's pending reservation
// in their own transaction (see write).
func (s *Store) CarriesReservations() bool { return true }

// ReserveIdempotency inserts a reservation; an existing key is ErrConflict.
func (s *Store) ReserveIdempotency(ctx context.Context, r *storage.IdempotencyRecord) error {
	d := record.FromIdempotency(r)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO idempotency (key, doc) VALUES (?, ?)`, d.Key, raw)
		return err
	})
}

// GetIdempotency loads a record by key.
func (s *Store) GetIdempotency(ctx context.Context, key string) (*storage.IdempotencyRecord, error) {
	return getDoc[record.IdempotencyDoc](ctx, s.rc, `SELECT doc FROM idempotency WHERE key = ?`, key)
}

// ownedReservation matches the unfinished reservation of a key held by one
// owner; records from before owners existed hold the empty owner.
const ownedReservation = `key = ? AND json_extract(doc, '$.status') = 0 AND COALESCE(json_extract(doc, '$.owner'), '') = ?`

// TakeOverIdempotency hands an unfinished reservation from prevOwner to r.Owner.
func (s *Store) TakeOverIdempotency(ctx context.Context, r *storage.IdempotencyRecord, prevOwner string) error {
	d := record.FromIdempotency(r)
	d.Status, d.Body = 0, nil
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `UPDATE idempotency SET doc = ? WHERE `+ownedReservation, raw, d.Key, prevOwner)
		if err != nil || n == 1 {
			return err
		}
		return casMiss(ctx, tx, `SELECT 1 FROM idempotency WHERE key = ?`, d.Key)
	})
}

// CompleteIdempotency stores the first response for a key reserved by owner.
// One statement: the reservation is matched and completed in place.
func (s *Store) CompleteIdempotency(ctx context.Context, key, owner string, status int, body []byte) error {
	encoded := base64.StdEncoding.EncodeToString(body) // how the document's []byte body is kept
	return s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `UPDATE idempotency SET doc = json_set(doc, '$.status', ?, '$.body', ?) WHERE `+ownedReservation,
			status, encoded, key, owner)
		if err != nil || n == 1 {
			return err
		}
		return casMiss(ctx, tx, `SELECT 1 FROM idempotency WHERE key = ?`, key)
	})
}

// DeleteIdempotency drops owner's unfinished reservation; anything else
// (absent, completed, taken over) is left alone, so a failed request's
// cleanup may run twice and never frees a key someone else now holds.
func (s *Store) DeleteIdempotency(ctx context.Context, key, owner string) error {
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `DELETE FROM idempotency WHERE `+ownedReservation, key, owner)
		return err
	})
}
