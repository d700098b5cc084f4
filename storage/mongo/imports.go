package mongo

import (
	"context"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// SaveImportJob inserts or replaces a job by ID.
func (s *Store) SaveImportJob(ctx context.Context, _ *storage.PendingReservation, j *domain.ImportJob) error {
	d := record.FromImportJob(j)
	return s.upsert(ctx, s.importJobs, "save import job", d.ID, d)
}

// GetImportJob loads a job.
func (s *Store) GetImportJob(ctx context.Context, id uuid.UUID) (*domain.ImportJob, error) {
	return getDoc[record.ImportJobDoc](ctx, s.importJobs, "get import job", byID(id.String()))
}

// ListImportJobs pages an institution's jobs newest first through the
// institutionId index.
func (s *Store) ListImportJobs(ctx context.Context, institutionID uuid.UUID, p storage.Page) ([]domain.ImportJob, string, error) {
	p = p.Normalized()
	filter := bson.D{{Key: "institutionId", Value: institutionID.String()}}
	if p.Cursor != "" {
		id, err := uuid.Parse(p.Cursor)
		if err != nil {
			return nil, "", domain.Invalid("cursor", "not a cursor returned by this list")
		}
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: id.String()}}})
	}
	docs, next, err := findPage[record.ImportJobDoc](ctx, s.importJobs, "list import jobs", filter, p.Limit, -1)
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, record.ImportJobDoc.ToDomain)
	return out, next, err
}
