package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateClient inserts an API client; a taken clientId or ID is a conflict.
func (s *Store) CreateClient(ctx context.Context, c *domain.APIClient) error {
	_, err := s.clients.InsertOne(ctx, record.FromAPIClient(c))
	return mapErr("create client", err)
}

// GetClient loads an API client by its public client ID.
func (s *Store) GetClient(ctx context.Context, clientID string) (*domain.APIClient, error) {
	return getDoc[record.APIClientDoc](ctx, s.clients, "get client", bson.D{{Key: "clientId", Value: clientID}})
}

// UpdateClient replaces an API client by ID.
func (s *Store) UpdateClient(ctx context.Context, c *domain.APIClient) error {
	return s.replaceExisting(ctx, s.clients, "update client", c.ID.String(), record.FromAPIClient(c))
}

// ListClients pages API clients by ID.
func (s *Store) ListClients(ctx context.Context, p storage.Page) ([]domain.APIClient, string, error) {
	return listDocs[record.APIClientDoc](ctx, s.clients, "list clients", bson.D{}, p)
}
