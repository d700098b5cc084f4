package mongo

import (
	"context"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateRule inserts a rule version; Revision > 0 is kept (restores),
// otherwise 1. The unique (code, version) index makes a second document for
// the same rule version a conflict.
func (s *Store) CreateRule(ctx context.Context, _ *storage.PendingReservation, r *domain.Rule) error {
	return insertVersioned(ctx, s.rules, "create rule", &r.Revision, func(v int64) any {
		d := record.FromRule(r)
		d.Revision = v
		return d
	})
}

// GetRule loads one rule version.
func (s *Store) GetRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error) {
	return getDoc[record.RuleDoc](ctx, s.rules, "get rule", byID(id.String()))
}

// UpdateRule is compare-and-swap on Revision.
func (s *Store) UpdateRule(ctx context.Context, r *domain.Rule) error {
	return s.replaceVersioned(ctx, s.rules, "update rule", r.ID.String(), "revision", &r.Revision, func(v int64) any {
		d := record.FromRule(r)
		d.Revision = v
		return d
	})
}

// ListRules pages rules by ID, filtered by status, institution and code.
func (s *Store) ListRules(ctx context.Context, f storage.RuleFilter, p storage.Page) ([]domain.Rule, string, error) {
	filter := bson.D{}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	if f.InstitutionID != uuid.Nil {
		filter = append(filter, bson.E{Key: "institutionId", Value: f.InstitutionID.String()})
	}
	if f.Code != "" {
		filter = append(filter, bson.E{Key: "code", Value: f.Code})
	}
	return listDocs[record.RuleDoc](ctx, s.rules, "list rules", filter, p)
}
