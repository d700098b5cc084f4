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
	return insertVersioned(ctx, s.institutions, "create institution", &i.Version, func(v int64) any {
		d := record.FromInstitution(i)
		d.Version = v
		return d
	})
}

// GetInstitution loads one institution.
func (s *Store) GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error) {
	return getDoc[record.InstitutionDoc](ctx, s.institutions, "get institution", byID(id.String()))
}

// UpdateInstitution is compare-and-swap on Version.
func (s *Store) UpdateInstitution(ctx context.Context, i *domain.Institution) error {
	return s.replaceVersioned(ctx, s.institutions, "update institution", i.ID.String(), "version", &i.Version, func(v int64) any {
		d := record.FromInstitution(i)
		d.Version = v
		return d
	})
}

// ListInstitutions pages institutions by ID.
func (s *Store) ListInstitutions(ctx context.Context, p storage.Page) ([]domain.Institution, string, error) {
	return listDocs[record.InstitutionDoc](ctx, s.institutions, "list institutions", bson.D{}, p)
}
