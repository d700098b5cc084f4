package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// ReserveIdempotency inserts a pending record; the key is _id, so a second
// reservation of the same key fails on the primary-key index (a conflict)
// even when two requests race.
func (s *Store) ReserveIdempotency(ctx context.Context, r *storage.IdempotencyRecord) error {
	d := record.FromIdempotency(r)
	d.Status = 0
	d.Body = nil
	if _, err := s.idempotency.InsertOne(ctx, d); err != nil {
		return mapErr("reserve idempotency key", err)
	}
	r.Status, r.Body = 0, nil
	return nil
}

// GetIdempotency loads the record of one key.
func (s *Store) GetIdempotency(ctx context.Context, key string) (*storage.IdempotencyRecord, error) {
	return getDoc[record.IdempotencyDoc](ctx, s.idempotency, "get idempotency key", byID(key))
}

// ownedReservation filters the unfinished reservation of key held by
// owner; owner is omitted from the document when empty (records from before
// owners existed).
func ownedReservation(key, owner string) bson.D {
	f := bson.D{{Key: "_id", Value: key}, {Key: "status", Value: 0}}
	if owner == "" {
		return append(f, bson.E{Key: "owner", Value: bson.D{{Key: "$exists", Value: false}}})
	}
	return append(f, bson.E{Key: "owner", Value: owner})
}

// TakeOverIdempotency replaces prevOwner's unfinished reservation with r; the
// filter makes it a single-document compare-and-swap on the server.
func (s *Store) TakeOverIdempotency(ctx context.Context, r *storage.IdempotencyRecord, prevOwner string) error {
	d := record.FromIdempotency(r)
	d.Status, d.Body = 0, nil
	unlock := s.locks.lock(collIdempotency, d.Key)
	res, err := s.idempotency.ReplaceOne(ctx, ownedReservation(d.Key, prevOwner), d)
	unlock()
	if err != nil {
		return mapErr("take over idempotency key", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	ok, err := exists(ctx, s.idempotency, d.Key)
	if err != nil {
		return mapErr("take over idempotency key", err)
	}
	if !ok {
		return mapErr("take over idempotency key", mongo.ErrNoDocuments)
	}
	return fmt.Errorf("take over idempotency key: %w", domain.ErrStale)
}

// CompleteIdempotency stores the first response of a key reserved by owner.
func (s *Store) CompleteIdempotency(ctx context.Context, key, owner string, status int, body []byte) error {
	set := bson.D{{Key: "status", Value: status}}
	var update bson.D
	if len(body) > 0 {
		update = bson.D{{Key: "$set", Value: append(set, bson.E{Key: "body", Value: body})}}
	} else {
		// An empty body is stored as absent, matching record's omitempty.
		update = bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "body", Value: ""}}}}
	}
	unlock := s.locks.lock(collIdempotency, key)
	res, err := s.idempotency.UpdateOne(ctx, ownedReservation(key, owner), update)
	unlock()
	if err != nil {
		return mapErr("complete idempotency key", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	ok, err := exists(ctx, s.idempotency, key)
	if err != nil {
		return mapErr("complete idempotency key", err)
	}
	if !ok {
		return mapErr("complete idempotency key", mongo.ErrNoDocuments)
	}
	return fmt.Errorf("complete idempotency key: %w", domain.ErrStale)
}

// CarriesReservations: no. Without multi-document transactions a
// reservation inserted beside a request's first write could outlive a
// failed write, so requests reserve their key before they run, and the
// writes taking a key are never passed one (they ignore it).
func (s *Store) CarriesReservations() bool { return false }

// DeleteIdempotency drops owner's unfinished reservation; anything else
// (absent, completed, taken over) is left alone, since a failed request's
// cleanup must never free a key that someone else now holds.
func (s *Store) DeleteIdempotency(ctx context.Context, key, owner string) error {
	unlock := s.locks.lock(collIdempotency, key)
	_, err := s.idempotency.DeleteOne(ctx, ownedReservation(key, owner))
	unlock()
	return mapErr("delete idempotency key", err)
}
