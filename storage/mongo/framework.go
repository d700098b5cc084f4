package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

const collUnits = "units"

func (s *Store) units() *mongo.Collection { return s.db.Collection(collUnits) }

// GetFramework loads the framework, or not-found before the first save.
func (s *Store) GetFramework(ctx context.Context) (*domain.Framework, error) {
	return getDoc[record.FrameworkDoc](ctx, s.settings, "get framework", byID(record.FrameworkID))
}

// SaveFramework is compare-and-swap on Version (see saveSetting).
func (s *Store) SaveFramework(ctx context.Context, f *domain.Framework) error {
	return s.saveSetting(ctx, "save framework", record.FrameworkID, &f.Version, func(v int64) any {
		d := record.FromFramework(f)
		d.Version = v
		return d
	})
}

// CreateUnit inserts a unit; the code is _id, so a second one conflicts.
func (s *Store) CreateUnit(ctx context.Context, _ *storage.PendingReservation, u *domain.Unit) error {
	return insertVersioned(ctx, s.units(), "create unit", &u.Version, func(v int64) any {
		d := record.FromUnit(u)
		d.Version = v
		return d
	})
}

// GetUnit loads one unit by code.
func (s *Store) GetUnit(ctx context.Context, code string) (*domain.Unit, error) {
	return getDoc[record.UnitDoc](ctx, s.units(), "get unit", byID(domain.NormalizeUnitCode(code)))
}

// UpdateUnit is compare-and-swap on Version.
func (s *Store) UpdateUnit(ctx context.Context, u *domain.Unit) error {
	return s.replaceVersioned(ctx, s.units(), "update unit", u.Code, "version", &u.Version, func(v int64) any {
		d := record.FromUnit(u)
		d.Version = v
		return d
	})
}

// ListUnits pages units by code (_id).
func (s *Store) ListUnits(ctx context.Context, q domain.UnitQuery, p storage.Page) ([]domain.Unit, string, error) {
	p = p.Normalized()
	filter := bson.D{}
	if p.Cursor != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: p.Cursor}}})
	}
	if q.Category != "" {
		filter = append(filter, bson.E{Key: "category", Value: string(q.Category)})
	}
	if q.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(q.Status)})
	}
	if q.Level != 0 {
		filter = append(filter, bson.E{Key: "level", Value: q.Level})
	}
	docs, next, err := findPage[record.UnitDoc](ctx, s.units(), "list units", filter, p.Limit, 1)
	if err != nil {
		return nil, "", err
	}
	out, err := convertAll(docs, record.UnitDoc.ToDomain)
	return out, next, err
}
