package mongo

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
	"creditbank/storage"
)

// afterCursor narrows filter to IDs after the cursor. IDs are UUIDv7 strings,
// whose byte order is creation order, so "$gt last id" is a stable page. A
// cursor that is not an ID never came from this store: domain.ErrInvalid.
func afterCursor(filter bson.D, field, cursor string) (bson.D, error) {
	if cursor == "" {
		return filter, nil
	}
	id, err := uuid.Parse(cursor)
	if err != nil {
		return nil, domain.Invalid("cursor", "not a cursor returned by this list")
	}
	return append(filter, bson.E{Key: field, Value: bson.D{{Key: "$gt", Value: id.String()}}}), nil
}

// pageDocs pages the documents filter matches in ascending _id order, after
// the cursor.
func pageDocs[D any](ctx context.Context, c *mongo.Collection, what string, filter bson.D, p storage.Page) ([]D, string, error) {
	p = p.Normalized()
	filter, err := afterCursor(filter, "_id", p.Cursor)
	if err != nil {
		return nil, "", err
	}
	return findPage[D](ctx, c, what, filter, p.Limit, 1)
}

// trimPage cuts the look-ahead item and returns the cursor for the next page.
func trimPage[D any](docs []D, limit int, id func(D) string) ([]D, string) {
	if len(docs) <= limit {
		return docs, ""
	}
	docs = docs[:limit]
	return docs, id(docs[len(docs)-1])
}

// convertAll turns documents into domain values.
func convertAll[D, T any](docs []D, conv func(D) (*T, error)) ([]T, error) {
	out := make([]T, 0, len(docs))
	for _, d := range docs {
		v, err := conv(d)
		if err != nil {
			return nil, fmt.Errorf("mongo: decode: %w", err)
		}
		out = append(out, *v)
	}
	return out, nil
}
