package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/storage"
)

// Most parts of the port are made of four document operations: find one and
// convert it, page and convert, insert at the first version, and
// compare-and-swap to the next one. They are written once here, as the
// SQLite adapter writes its own once (getDoc, listDocs, initialVersion and
// casMiss in sqlite/store.go).

// byID filters on the document key.
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// getDoc finds the one document filter matches and converts it to its
// domain value; none is domain.ErrNotFound.
func getDoc[D interface{ ToDomain() (T, error) }, T any](ctx context.Context, c *mongo.Collection, what string, filter bson.D) (T, error) {
	var d D
	if err := c.FindOne(ctx, filter).Decode(&d); err != nil {
		var zero T
		return zero, mapErr(what, err)
	}
	return d.ToDomain()
}

// listDocs pages the documents filter matches in ascending _id order (IDs,
// so the cursor is checked to be one) and converts them.
func listDocs[D interface{ ToDomain() (*T, error) }, T any](ctx context.Context, c *mongo.Collection, what string, filter bson.D, p storage.Page) ([]T, string, error) {
	docs, next, err := pageDocs[D](ctx, c, what, filter, p)
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, D.ToDomain)
	return out, next, err
}

// findPage reads up to limit documents filter matches in _id order (dir 1
// ascending, -1 descending), and one more to learn whether another page
// follows: next is then the _id of the last one returned, else "".
func findPage[D any](ctx context.Context, c *mongo.Collection, what string, filter bson.D, limit, dir int) ([]D, string, error) {
	cur, err := c.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: dir}}).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, "", mapErr(what, err)
	}
	defer cur.Close(ctx)
	var docs []D
	var last string
	for cur.Next(ctx) {
		if len(docs) == limit {
			return docs, last, nil
		}
		var d D
		if err := cur.Decode(&d); err != nil {
			return nil, "", mapErr(what, err)
		}
		docs = append(docs, d)
		last, _ = cur.Current.Lookup("_id").StringValueOK()
	}
	if err := cur.Err(); err != nil {
		return nil, "", mapErr(what, err)
	}
	return docs, "", nil
}

// insertVersioned inserts a versioned aggregate by the port's rule for
// creates: a positive version (a restore) is kept, anything else starts at
// 1. doc makes the document at that version; *version takes it only once
// the insert succeeded.
func insertVersioned(ctx context.Context, c *mongo.Collection, what string, version *int64, doc func(version int64) any) error {
	v := *version
	if v <= 0 {
		v = 1
	}
	if _, err := c.InsertOne(ctx, doc(v)); err != nil {
		return mapErr(what, err)
	}
	*version = v
	return nil
}

// replaceVersioned is the compare-and-swap of a versioned aggregate: doc
// makes the document at the next version, which replaces the stored one
// only if its version field still holds *version (see replaceIfVersion);
// *version moves on only then.
func (s *Store) replaceVersioned(ctx context.Context, c *mongo.Collection, what, id, field string, version *int64, doc func(version int64) any) error {
	next := *version + 1
	if err := s.replaceIfVersion(ctx, c, what, id, field, *version, doc(next)); err != nil {
		return err
	}
	*version = next
	return nil
}
