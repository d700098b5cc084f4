package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
)

// Single-document writes. Each holds the document's in-process lock around
// the server call (see docLocks for why FerretDB needs it).

// exists reports whether a document with this _id is present; CAS uses it
// to tell a stale version from a missing document.
func exists(ctx context.Context, c *mongo.Collection, id any) (bool, error) {
	err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	switch {
	case err == nil:
		return true, nil
	case err == mongo.ErrNoDocuments:
		return false, nil
	default:
		return false, err
	}
}

// replaceIfVersion is the compare-and-swap every versioned aggregate uses:
// replace the document only if its version field still holds the expected
// value. On MongoDB it is a single-document atomic operation, so it is
// correct on a replica set and on a sharded cluster (the filter contains the
// shard key _id) without transactions; see docLocks for FerretDB.
func (s *Store) replaceIfVersion(ctx context.Context, c *mongo.Collection, what string, id string, field string, expected int64, doc any) error {
	unlock := s.locks.lock(c.Name(), id)
	res, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: field, Value: expected}}, doc)
	unlock()
	if err != nil {
		return mapErr(what, err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	ok, err := exists(ctx, c, id)
	if err != nil {
		return mapErr(what, err)
	}
	if !ok {
		return mapErr(what, mongo.ErrNoDocuments)
	}
	return fmt.Errorf("%s: %w", what, domain.ErrStale)
}

// replaceExisting replaces a document by _id; a missing one is not-found
// (never an upsert, so an update cannot resurrect a deleted record).
func (s *Store) replaceExisting(ctx context.Context, c *mongo.Collection, what string, id string, doc any) error {
	unlock := s.locks.lock(c.Name(), id)
	res, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc)
	unlock()
	if err != nil {
		return mapErr(what, err)
	}
	if res.MatchedCount == 0 {
		return mapErr(what, mongo.ErrNoDocuments)
	}
	return nil
}

// upsert inserts or replaces a document by _id. FerretDB v1 upserts as
// "query, then insert if absent", so two racing upserts of one new _id could
// make the second fail with a duplicate key; the lock prevents that here.
func (s *Store) upsert(ctx context.Context, c *mongo.Collection, what string, id string, doc any) error {
	unlock := s.locks.lock(c.Name(), id)
	defer unlock()
	_, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc, options.Replace().SetUpsert(true))
	return mapErr(what, err)
}
