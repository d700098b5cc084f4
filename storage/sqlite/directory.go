package sqlite

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateInstitution inserts an institution.
func (s *Store) CreateInstitution(ctx context.Context, key *storage.PendingReservation, i *domain.Institution) error {
	version := initialVersion(i.Version)
	d := record.FromInstitution(i)
	d.Version = version
	raw, err := encode(d)
	if err != nil {
		return err
	}
	if err := s.writeKeyed(ctx, key, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO institutions (id, version, doc) VALUES (?, ?, ?)`, d.ID, version, raw)
		return err
	}); err != nil {
		return err
	}
	i.Version = version
	return nil
}

// GetInstitution loads one institution.
func (s *Store) GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error) {
	return getDoc[record.InstitutionDoc](ctx, s.rc, `SELECT doc FROM institutions WHERE id = ?`, id.String())
}

// UpdateInstitution is compare-and-swap on Version.
func (s *Store) UpdateInstitution(ctx context.Context, i *domain.Institution) error {
	d := record.FromInstitution(i)
	d.Version = i.Version + 1
	raw, err := encode(d)
	if err != nil {
		return err
	}
	if err := s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `UPDATE institutions SET version = ?, doc = ? WHERE id = ? AND version = ?`, d.Version, raw, d.ID, i.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return casMiss(ctx, tx, `SELECT 1 FROM institutions WHERE id = ?`, d.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	i.Version = d.Version
	return nil
}

// ListInstitutions pages institutions by ID.
func (s *Store) ListInstitutions(ctx context.Context, p storage.Page) ([]domain.Institution, string, error) {
	return listDocs[record.InstitutionDoc](ctx, s.r, p, `SELECT id, doc FROM institutions WHERE id > ? ORDER BY id LIMIT ?`)
}

// CreateUser inserts a user; the username is unique.
func (s *Store) CreateUser(ctx context.Context, key *storage.PendingReservation, u *domain.User) error {
	d := record.FromUser(u)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.writeKeyed(ctx, key, func(tx *wtx) error {
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
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
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

// CreateClient inserts an API client; ClientID is unique.
func (s *Store) CreateClient(ctx context.Context, c *domain.APIClient) error {
	d := record.FromAPIClient(c)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO clients (id, client_id, doc) VALUES (?, ?, ?)`, d.ID, d.ClientID, raw)
		return err
	})
}

// GetClient loads an API client by its public client ID.
func (s *Store) GetClient(ctx context.Context, clientID string) (*domain.APIClient, error) {
	return getDoc[record.APIClientDoc](ctx, s.rc, `SELECT doc FROM clients WHERE client_id = ?`, clientID)
}

// UpdateClient replaces an API client, found by its ID.
func (s *Store) UpdateClient(ctx context.Context, c *domain.APIClient) error {
	d := record.FromAPIClient(c)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `UPDATE clients SET client_id = ?, doc = ? WHERE id = ?`, d.ClientID, raw, d.ID)
		if err == nil && n == 0 {
			return domain.ErrNotFound
		}
		return err
	})
}

// ListClients pages API clients by ID.
func (s *Store) ListClients(ctx context.Context, p storage.Page) ([]domain.APIClient, string, error) {
	return listDocs[record.APIClientDoc](ctx, s.r, p, `SELECT id, doc FROM clients WHERE id > ? ORDER BY id LIMIT ?`)
}
