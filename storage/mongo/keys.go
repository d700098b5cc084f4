package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/storage"
	"creditbank/storage/record"
)

// SaveSigningKey inserts or replaces a key by KID.
func (s *Store) SaveSigningKey(ctx context.Context, k *storage.SigningKey) error {
	return s.upsert(ctx, s.signingKeys, "save signing key", k.KID, record.FromSigningKey(k))
}

// ListSigningKeys returns every key, oldest first (ties by KID).
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	cur, err := s.signingKeys.Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr("list signing keys", err)
	}
	var docs []record.SigningKeyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("list signing keys", err)
	}
	return convertAll(docs, record.SigningKeyDoc.ToDomain)
}
