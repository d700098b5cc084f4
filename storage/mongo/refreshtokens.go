package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateRefreshToken stores a hashed refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t *storage.RefreshToken) error {
	_, err := s.refreshTokens.InsertOne(ctx, record.FromRefreshToken(t))
	return mapErr("create refresh token", err)
}

// GetRefreshToken loads a refresh token by its hash.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*storage.RefreshToken, error) {
	return getDoc[record.RefreshTokenDoc](ctx, s.refreshTokens, "get refresh token", byID(hash))
}

// UseRefreshToken marks an unused, unrevoked token used in one atomic
// find-and-modify, so of two concurrent refreshes with the same token exactly
// one wins. A used or revoked token is a conflict (the caller then revokes
// the family), an unknown one not-found.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, at time.Time) (*storage.RefreshToken, error) {
	filter := bson.D{
		{Key: "_id", Value: hash},
		{Key: "usedAt", Value: bson.D{{Key: "$exists", Value: false}}},
		{Key: "revoked", Value: false},
	}
	update := bson.D{{Key: "$set", Value: bson.D{{Key: "usedAt", Value: domain.Now(at)}}}}
	var d record.RefreshTokenDoc
	unlock := s.locks.lock(collRefreshTokens, hash)
	err := s.refreshTokens.FindOneAndUpdate(ctx, filter, update,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&d)
	unlock()
	if err == mongo.ErrNoDocuments {
		ok, xerr := exists(ctx, s.refreshTokens, hash)
		if xerr != nil {
			return nil, mapErr("use refresh token", xerr)
		}
		if ok {
			return nil, fmt.Errorf("use refresh token: used or revoked: %w", domain.ErrConflict)
		}
	}
	if err != nil {
		return nil, mapErr("use refresh token", err)
	}
	return d.ToDomain()
}

// RevokeRefreshFamily revokes every token of a family (reuse detected).
//
// Token by token rather than one updateMany: FerretDB v1 rewrites whole
// documents, so an unlocked updateMany racing UseRefreshToken could undo the
// usedAt it just set; each per-token update takes that token's lock. On
// MongoDB the result is the same as updateMany.
func (s *Store) RevokeRefreshFamily(ctx context.Context, family uuid.UUID) error {
	cur, err := s.refreshTokens.Find(ctx, bson.D{{Key: "familyId", Value: family.String()}, {Key: "revoked", Value: false}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapErr("revoke refresh family", err)
	}
	var ids []struct {
		Hash string `bson:"_id"`
	}
	if err := cur.All(ctx, &ids); err != nil {
		return mapErr("revoke refresh family", err)
	}
	for _, t := range ids {
		unlock := s.locks.lock(collRefreshTokens, t.Hash)
		_, err := s.refreshTokens.UpdateOne(ctx, bson.D{{Key: "_id", Value: t.Hash}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
		unlock()
		if err != nil {
			return mapErr("revoke refresh family", err)
		}
	}
	return nil
}
