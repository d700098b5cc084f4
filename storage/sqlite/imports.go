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
