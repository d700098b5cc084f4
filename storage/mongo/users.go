package mongo

import (
	"context"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

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
	return getDoc[record.UserDoc](ctx, s.users, "get user", byID(id.String()))
}

// GetUserByUsername loads a user by login name.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	return getDoc[record.UserDoc](ctx, s.users, "get user by username", bson.D{{Key: "username", Value: username}})
}

// UpdateUser replaces a user by ID (users carry no version: their edits are
// admin actions that do not race the way learner deposits do).
func (s *Store) UpdateUser(ctx context.Context, u *domain.User) error {
	return s.replaceExisting(ctx, s.users, "update user", u.ID.String(), record.FromUser(u))
}

// ListUsers pages users by ID.
func (s *Store) ListUsers(ctx context.Context, p storage.Page) ([]domain.User, string, error) {
	return listDocs[record.UserDoc](ctx, s.users, "list users", bson.D{}, p)
}
