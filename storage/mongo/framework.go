package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

const collUnits = "units"

func (s *Store) units() *mongo.Collection { return s.db.Collection(collUnits) }

// GetFramework loads the framework, or not-found before the first save.
func (s *Store) GetFramework(ctx context.Context) (*domain.Framework, error) {
	var d record.FrameworkDoc
	if err := s.findSetting(ctx, "get framework", record.FrameworkID, &d); err != nil {
		return nil, err
	}
	return d.ToDomain()
}

// SaveFramework is compare-and-swap on Version (see saveSetting).
func (s *Store) SaveFramework(ctx context.Context, f *domain.Framework) error {
	d := record.FromFramework(f)
	d.Version = f.Version + 1
	if err := s.saveSetting(ctx, "save framework", d.ID, f.Version, d); err != nil {
		return err
	}
	f.Version = d.Version
	return nil
}

// CreateUnit inserts a unit; the code is _id, so a second one conflicts.
func (s *Store) CreateUnit(ctx context.Context, _ *storage.PendingReservation, u *domain.Unit) error {
	d := record.FromUnit(u)
	if d.Version <= 0 {
		d.Version = 1
	}
	if _, err := s.units().InsertOne(ctx, d); err != nil {
		return mapErr("create unit", err)
	}
	u.Version = d.Version
	return nil
}

// GetUnit loads one unit by code.
func (s *Store) GetUnit(ctx context.Context, code string) (*domain.Unit, error) {
	var d record.UnitDoc
	if err := s.units().FindOne(ctx, bson.D{{Key: "_id", Value: domain.NormalizeUnitCode(code)}}).Decode(&d); err != nil {
		return nil, mapErr("get unit", err)
	}
	return d.ToDomain()
}

// UpdateUnit is compare-and-swap on Version.
func (s *Store) UpdateUnit(ctx context.Context, u *domain.Unit) error {
	d := record.FromUnit(u)
	d.Version = u.Version + 1
	if err := s.replaceIfVersion(ctx, s.units(), "update unit", d.Code, "version", u.Version, d); err != nil {
		return err
	}
	u.Version = d.Version
	return nil
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
	cur, err := s.units().Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(p.Limit+1)))
	if err != nil {
		return nil, "", mapErr("list units", err)
	}
	var docs []record.UnitDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", mapErr("list units", err)
	}
	docs, next := trimPage(docs, p.Limit, func(d record.UnitDoc) string { return d.Code })
	out, err := convertAll(docs, record.UnitDoc.ToDomain)
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
