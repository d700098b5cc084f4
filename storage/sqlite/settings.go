package sqlite

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// SaveImportJob inserts or replaces a job by ID.
func (s *Store) SaveImportJob(ctx context.Context, key *storage.PendingReservation, j *domain.ImportJob) error {
	d := record.FromImportJob(j)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.writeKeyed(ctx, key, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO import_jobs (id, doc, institution_id) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, institution_id = excluded.institution_id`, d.ID, raw, d.InstitutionID)
		return err
	})
}

// GetImportJob loads one job.
func (s *Store) GetImportJob(ctx context.Context, id uuid.UUID) (*domain.ImportJob, error) {
	return getDoc[record.ImportJobDoc](ctx, s.rc, `SELECT doc FROM import_jobs WHERE id = ?`, id.String())
}

// ListImportJobs pages an institution's jobs newest first along
// import_jobs_by_institution.
func (s *Store) ListImportJobs(ctx context.Context, institutionID uuid.UUID, p storage.Page) ([]domain.ImportJob, string, error) {
	return listDocs[record.ImportJobDoc](ctx, s.r, p, `SELECT id, doc FROM import_jobs
		WHERE institution_id = ? AND id < coalesce(nullif(?, ''), '~') ORDER BY id DESC LIMIT ?`, institutionID.String())
}

// GetCreditPolicy returns the stored policy.
func (s *Store) GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error) {
	return getDoc[record.CreditPolicyDoc](ctx, s.rc, `SELECT doc FROM settings WHERE key = ?`, record.CreditPolicyID)
}

// SaveCreditPolicy is compare-and-swap on Version: 0 inserts the first
// policy (ErrStale if one exists), otherwise the stored version must match.
// On success p.Version is incremented.
func (s *Store) SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error {
	d := record.FromCreditPolicy(p)
	d.Version = p.Version + 1
	raw, err := encode(d)
	if err != nil {
		return err
	}
	if err := s.write(ctx, func(tx *wtx) error {
		if p.Version == 0 {
			n, err := exec(ctx, tx, `INSERT INTO settings (key, version, doc) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`, d.ID, d.Version, raw)
			if err == nil && n == 0 {
				return domain.ErrStale
			}
			return err
		}
		n, err := exec(ctx, tx, `UPDATE settings SET version = ?, doc = ? WHERE key = ? AND version = ?`, d.Version, raw, d.ID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return casMiss(ctx, tx, `SELECT 1 FROM settings WHERE key = ?`, d.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	p.Version = d.Version
	return nil
}
