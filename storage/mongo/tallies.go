package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage/record"
)

// DistrictTallies sums the tallies every account document carries. Only
// that small array is read, never the accounts themselves. A server-side
// $unwind + $group would do the summing in MongoDB, but FerretDB v1 (the
// test server) loses fields in $group after $unwind, and one code path
// tested on both is worth more than a faster untested one.
func (s *Store) DistrictTallies(ctx context.Context) (domain.StatTallies, error) {
	cur, err := s.accounts.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "tallies", Value: 1}, {Key: "_id", Value: 0}}))
	if err != nil {
		return nil, mapErr("district tallies", err)
	}
	defer cur.Close(ctx)
	t := domain.StatTallies{}
	for cur.Next(ctx) {
		var d struct {
			Tallies []record.TallyDoc `bson:"tallies"`
		}
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("mongo: decode tallies: %w", err)
		}
		for _, c := range d.Tallies {
			v := t[c.Key]
			v.Count += c.Count
			v.Credits += c.Credits
			t[c.Key] = v
		}
	}
	if err := cur.Err(); err != nil {
		return nil, mapErr("district tallies", err)
	}
	for k, v := range t {
		if v.Count == 0 && v.Credits == 0 {
			delete(t, k)
		}
	}
	return t, nil
}

// backfillTallies gives accounts written before tallies existed their
// share, compare-and-swap on version so a concurrent writer wins.
func (s *Store) backfillTallies(ctx context.Context) error {
	cur, err := s.accounts.Find(ctx, bson.D{{Key: "tallies", Value: bson.D{{Key: "$exists", Value: false}}}})
	if err != nil {
		return mapErr("backfill tallies", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d record.AccountDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongo: backfill tallies: %w", err)
		}
		a, err := d.ToDomain()
		if err != nil {
			return err
		}
		_, err = s.accounts.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: d.Version}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "tallies", Value: record.FromTallies(a.StatTallies())}}}})
		if err != nil {
			return mapErr("backfill tallies", err)
		}
	}
	return mapErr("backfill tallies", cur.Err())
}
