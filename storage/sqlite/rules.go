package sqlite

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateRule inserts one rule version; (Code, Version) is unique.
func (s *Store) CreateRule(ctx context.Context, key *storage.PendingReservation, r *domain.Rule) error {
	revision := initialVersion(r.Revision)
	d := record.FromRule(r)
	d.Revision = revision
	if err := s.writeDoc(ctx, key, d, func(tx *wtx, raw string) error {
		_, err := exec(ctx, tx, `INSERT INTO rules (id, code, version, status, institution_id, revision, doc) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.Code, d.Version, d.Status, d.InstitutionID, revision, raw)
		return err
	}); err != nil {
		return err
	}
	r.Revision = revision
	return nil
}

// GetRule loads one rule version.
func (s *Store) GetRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error) {
	return getDoc[record.RuleDoc](ctx, s.rc, `SELECT doc FROM rules WHERE id = ?`, id.String())
}

// UpdateRule is compare-and-swap on Revision.
func (s *Store) UpdateRule(ctx context.Context, r *domain.Rule) error {
	d := record.FromRule(r)
	d.Revision = r.Revision + 1
	if err := s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
		return casExec(ctx, tx, `UPDATE rules SET code = ?, version = ?, status = ?, institution_id = ?, revision = ?, doc = ?
			WHERE id = ? AND revision = ?`, []any{d.Code, d.Version, d.Status, d.InstitutionID, d.Revision, raw, d.ID, r.Revision},
			`SELECT 1 FROM rules WHERE id = ?`, d.ID)
	}); err != nil {
		return err
	}
	r.Revision = d.Revision
	return nil
}

// ListRules pages rules by ID, narrowed by the filter's non-zero fields.
func (s *Store) ListRules(ctx context.Context, f storage.RuleFilter, p storage.Page) ([]domain.Rule, string, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.InstitutionID != uuid.Nil {
		where, args = append(where, "institution_id = ?"), append(args, f.InstitutionID.String())
	}
	if f.Code != "" {
		where, args = append(where, "code = ?"), append(args, f.Code)
	}
	where = append(where, "id > ?")
	q := `SELECT id, doc FROM rules WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id LIMIT ?`
	return listDocs[record.RuleDoc](ctx, s.r, p, q, args...)
}
