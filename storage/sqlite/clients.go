package sqlite

import (
	"context"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateClient inserts an API client; ClientID is unique.
func (s *Store) CreateClient(ctx context.Context, c *domain.APIClient) error {
	d := record.FromAPIClient(c)
	return s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
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
	return s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
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
