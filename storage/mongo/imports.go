package mongo

import (
	"context"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// SaveImportJob inserts or replaces a job by ID.
func (s *Store) SaveImportJob(ctx context.Context, j *domain.ImportJob) error {
	d := record.FromImportJob(j)
	return s.upsert(ctx, s.importJobs, "save import job", d.ID, d)
}

// GetImportJob loads a job.
func (s *Store) GetImportJob(ctx context.Context, id uuid.UUID) (*domain.ImportJob, error) {
	var d record.ImportJobDoc
	if err := s.importJobs.FindOne(ctx, bson.D{{Key: "_id", Value: id.String()}}).Decode(&d); err != nil {
		return nil, mapErr("get import job", err)
	}
	return d.ToDomain()
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
	cur, err := s.importJobs.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(p.Limit+1)))
	if err != nil {
		return nil, "", mapErr("list import jobs", err)
	}
	var docs []record.ImportJobDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", mapErr("list import jobs", err)
	}
	docs, next := trimPage(docs, p.Limit, func(d record.ImportJobDoc) string { return d.ID })
	out, err := convertAll(docs, record.ImportJobDoc.ToDomain)
	return out, next, err
}
