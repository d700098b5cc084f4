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

// CreateUser inserts a user; a taken username or ID is a conflict.
func (s *Store) CreateUser(ctx context.Context, _ *storage.PendingReservation, u *domain.User) error {
	_, err := s.users.InsertOne(ctx, record.FromUser(u))
	return mapErr("create user", err)
}

// GetUser loads a user by ID.
func (s *Store) GetUser(ctx context.Context, id uuid.UUID) (*domain.User, error) {
	return s.findUser(ctx, "get user", bson.D{{Key: "_id", Value: id.String()}})
}

// GetUserByUsername loads a user by login name.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	return s.findUser(ctx, "get user by username", bson.D{{Key: "username", Value: username}})
}

func (s *Store) findUser(ctx context.Context, what string, filter bson.D) (*domain.User, error) {
	var d record.UserDoc
	if err := s.users.FindOne(ctx, filter).Decode(&d); err != nil {
		return nil, mapErr(what, err)
	}
	return d.ToDomain()
}

// UpdateUser replaces a user by ID (users carry no version: their edits are
// admin actions that do not race the way learner deposits do).
func (s *Store) UpdateUser(ctx context.Context, u *domain.User) error {
	return s.replaceExisting(ctx, s.users, "update user", u.ID.String(), record.FromUser(u))
}

// ListUsers pages users by ID.
func (s *Store) ListUsers(ctx context.Context, p storage.Page) ([]domain.User, string, error) {
	docs, next, err := pageDocs(ctx, s.users, "list users", bson.D{}, p,
		func(d record.UserDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, record.UserDoc.ToDomain)
	return out, next, err
}

// CreateClient inserts an API client; a taken clientId or ID is a conflict.
func (s *Store) CreateClient(ctx context.Context, c *domain.APIClient) error {
	_, err := s.clients.InsertOne(ctx, record.FromAPIClient(c))
	return mapErr("create client", err)
}

// GetClient loads an API client by its public client ID.
func (s *Store) GetClient(ctx context.Context, clientID string) (*domain.APIClient, error) {
	var d record.APIClientDoc
	if err := s.clients.FindOne(ctx, bson.D{{Key: "clientId", Value: clientID}}).Decode(&d); err != nil {
		return nil, mapErr("get client", err)
	}
	return d.ToDomain()
}

// UpdateClient replaces an API client by ID.
func (s *Store) UpdateClient(ctx context.Context, c *domain.APIClient) error {
	return s.replaceExisting(ctx, s.clients, "update client", c.ID.String(), record.FromAPIClient(c))
}

// ListClients pages API clients by ID.
func (s *Store) ListClients(ctx context.Context, p storage.Page) ([]domain.APIClient, string, error) {
	docs, next, err := pageDocs(ctx, s.clients, "list clients", bson.D{}, p,
		func(d record.APIClientDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, record.APIClientDoc.ToDomain)
	return out, next, err
}

// CreateRefreshToken stores a hashed refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t *domain.RefreshToken) error {
	_, err := s.refreshTokens.InsertOne(ctx, record.FromRefreshToken(t))
	return mapErr("create refresh token", err)
}

// GetRefreshToken loads a refresh token by its hash.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*domain.RefreshToken, error) {
	var d record.RefreshTokenDoc
	if err := s.refreshTokens.FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return nil, mapErr("get refresh token", err)
	}
	return d.ToDomain()
}

// UseRefreshToken marks an unused, unrevoked token used in one atomic
// find-and-modify, so of two concurrent refreshes with the same token exactly
// one wins. A used or revoked token is a conflict (the caller then revokes
// the family), an unknown one not-found.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, at time.Time) (*domain.RefreshToken, error) {
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
