package mongo

import (
	"context"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateInstitution inserts i; a Version > 0 is kept (restores), otherwise 1.
func (s *Store) CreateInstitution(ctx context.Context, _ *storage.PendingReservation, i *domain.Institution) error {
	prev := i.Version
	if i.Version <= 0 {
		i.Version = 1
	}
	if _, err := s.institutions.InsertOne(ctx, record.FromInstitution(i)); err != nil {
		i.Version = prev
		return mapErr("create institution", err)
	}
	return nil
}

// GetInstitution loads one institution.
func (s *Store) GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error) {
	var d record.InstitutionDoc
	if err := s.institutions.FindOne(ctx, bson.D{{Key: "_id", Value: id.String()}}).Decode(&d); err != nil {
		return nil, mapErr("get institution", err)
	}
	return d.ToDomain()
}

// UpdateInstitution is compare-and-swap on Version.
func (s *Store) UpdateInstitution(ctx context.Context, i *domain.Institution) error {
	d := record.FromInstitution(i)
	d.Version = i.Version + 1
	if err := s.replaceIfVersion(ctx, s.institutions, "update institution", d.ID, "version", i.Version, d); err != nil {
		return err
	}
	i.Version = d.Version
	return nil
}

// ListInstitutions pages institutions by ID.
func (s *Store) ListInstitutions(ctx context.Context, p storage.Page) ([]domain.Institution, string, error) {
	docs, next, err := pageDocs(ctx, s.institutions, "list institutions", bson.D{}, p,
		func(d record.InstitutionDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, record.InstitutionDoc.ToDomain)
	return out, next, err
}
