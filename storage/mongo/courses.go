package mongo

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

const collCourses = "courses"

func (s *Store) courses() *mongo.Collection { return s.db.Collection(collCourses) }

// CreateCourse inserts a course; the unique (institutionId, code) index
// makes a second course with the same code at one institution a conflict.
func (s *Store) CreateCourse(ctx context.Context, _ *storage.PendingReservation, c *domain.Course) error {
	return insertVersioned(ctx, s.courses(), "create course", &c.Version, func(v int64) any {
		d := record.FromCourse(c)
		d.Version = v
		return d
	})
}

// GetCourse loads one course.
func (s *Store) GetCourse(ctx context.Context, id uuid.UUID) (*domain.Course, error) {
	return getDoc[record.CourseDoc](ctx, s.courses(), "get course", byID(id.String()))
}

// UpdateCourse is compare-and-swap on Version.
func (s *Store) UpdateCourse(ctx context.Context, c *domain.Course) error {
	return s.replaceVersioned(ctx, s.courses(), "update course", c.ID.String(), "version", &c.Version, func(v int64) any {
		d := record.FromCourse(c)
		d.Version = v
		return d
	})
}

// DeleteCourse removes a course.
func (s *Store) DeleteCourse(ctx context.Context, id uuid.UUID) error {
	unlock := s.locks.lock(collCourses, id.String())
	res, err := s.courses().DeleteOne(ctx, byID(id.String()))
	unlock()
	if err != nil {
		return mapErr("delete course", err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete course: %w", domain.ErrNotFound)
	}
	return nil
}

// ListCourses pages the courses a query matches, by _id. The text is a
// substring of the derived search field: a quoted regular expression, which
// both MongoDB and FerretDB evaluate on UTF-8 text, so Chinese substrings
// match without a tokenising text index.
func (s *Store) ListCourses(ctx context.Context, q domain.CourseQuery, p storage.Page) ([]domain.Course, string, error) {
	filter := bson.D{}
	if q.Text != "" {
		filter = append(filter, bson.E{Key: "search", Value: bson.D{{Key: "$regex", Value: regexp.QuoteMeta(strings.ToLower(q.Text))}}})
	}
	if q.Category != "" {
		filter = append(filter, bson.E{Key: "category", Value: string(q.Category)})
	}
	if q.InstitutionID != uuid.Nil {
		filter = append(filter, bson.E{Key: "institutionId", Value: q.InstitutionID.String()})
	}
	return listDocs[record.CourseDoc](ctx, s.courses(), "list courses", filter, p)
}

// ScanCourses streams every course in _id order through a server cursor.
func (s *Store) ScanCourses(ctx context.Context, fn func(domain.Course) error) error {
	return scanByID(ctx, s.courses(), "scan courses", func(d record.CourseDoc) error {
		c, err := d.ToDomain()
		if err != nil {
			return fmt.Errorf("mongo: scan courses: %w", err)
		}
		return fn(*c)
	})
}

// CountCoursesByCategory groups the courses by category on the server. The
// $match on the indexed category field lets MongoDB answer from the
// "category" index alone (the pipeline needs no other field, so no document
// is fetched); the $group over that plain field with a constant $sum is a
// stage FerretDB v1, the test server, answers like MongoDB (unlike $group
// after $unwind, see DistrictTallies). Only the counts come back.
func (s *Store) CountCoursesByCategory(ctx context.Context) (map[domain.Category]int, error) {
	known := make(bson.A, 0, len(domain.Categories))
	for _, c := range domain.Categories {
		known = append(known, string(c))
	}
	cur, err := s.courses().Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "category", Value: bson.D{{Key: "$in", Value: known}}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$category"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
	if err != nil {
		return nil, mapErr("count courses by category", err)
	}
	defer cur.Close(ctx)
	out := map[domain.Category]int{}
	for cur.Next(ctx) {
		var row struct {
			Category string `bson:"_id"`
			N        int    `bson:"n"`
		}
		if err := cur.Decode(&row); err != nil {
			return nil, fmt.Errorf("mongo: count courses by category: decode: %w", err)
		}
		out[domain.Category(row.Category)] += row.N
	}
	return out, mapErr("count courses by category", cur.Err())
}
