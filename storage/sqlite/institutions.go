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
