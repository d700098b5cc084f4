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
