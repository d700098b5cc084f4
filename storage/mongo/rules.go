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
	prev := r.Revision
	if r.Revision <= 0 {
		r.Revision = 1
	}
	if _, err := s.rules.InsertOne(ctx, record.FromRule(r)); err != nil {
		r.Revision = prev
		return mapErr("create rule", err)
	}
	return nil
}

// GetRule loads one rule version.
func (s *Store) GetRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error) {
	var d record.RuleDoc
	if err := s.rules.FindOne(ctx, bson.D{{Key: "_id", Value: id.String()}}).Decode(&d); err != nil {
		return nil, mapErr("get rule", err)
	}
	return d.ToDomain()
}

// UpdateRule is compare-and-swap on Revision.
func (s *Store) UpdateRule(ctx context.Context, r *domain.Rule) error {
	d := record.FromRule(r)
	d.Revision = r.Revision + 1
	if err := s.replaceIfVersion(ctx, s.rules, "update rule", d.ID, "revision", r.Revision, d); err != nil {
		return err
	}
	r.Revision = d.Revision
	return nil
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
	docs, next, err := pageDocs(ctx, s.rules, "list rules", filter, p,
		func(d record.RuleDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, record.RuleDoc.ToDomain)
	return out, next, err
}
