package sqlite

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateUser inserts a user; the username is unique.
func (s *Store) CreateUser(ctx context.Context, key *storage.PendingReservation, u *domain.User) error {
	d := record.FromUser(u)
	return s.writeDoc(ctx, key, d, func(tx *wtx, raw string) error {
		_, err := exec(ctx, tx, `INSERT INTO users (id, username, doc) VALUES (?, ?, ?)`, d.ID, d.Username, raw)
		return err
	})
}

// GetUser loads one user by ID.
func (s *Store) GetUser(ctx context.Context, id uuid.UUID) (*domain.User, error) {
	return getDoc[record.UserDoc](ctx, s.rc, `SELECT doc FROM users WHERE id = ?`, id.String())
}

// GetUserByUsername loads one user by username.
func (s *Store) GetUserByUsername(ctx context.Context, username string) (*domain.User, error) {
	return getDoc[record.UserDoc](ctx, s.rc, `SELECT doc FROM users WHERE username = ?`, username)
}

// UpdateUser replaces a user (users carry no version: only admins edit them).
func (s *Store) UpdateUser(ctx context.Context, u *domain.User) error {
	d := record.FromUser(u)
	return s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
		n, err := exec(ctx, tx, `UPDATE users SET username = ?, doc = ? WHERE id = ?`, d.Username, raw, d.ID)
		if err == nil && n == 0 {
			return domain.ErrNotFound
		}
		return err
	})
}

// ListUsers pages users by ID.
func (s *Store) ListUsers(ctx context.Context, p storage.Page) ([]domain.User, string, error) {
	return listDocs[record.UserDoc](ctx, s.r, p, `SELECT id, doc FROM users WHERE id > ? ORDER BY id LIMIT ?`)
}
