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
	if err := s.writeDoc(ctx, key, d, func(tx *wtx, raw string) error {
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
	if err := s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
		return casExec(ctx, tx, `UPDATE institutions SET version = ?, doc = ? WHERE id = ? AND version = ?`, []any{d.Version, raw, d.ID, i.Version},
			`SELECT 1 FROM institutions WHERE id = ?`, d.ID)
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
