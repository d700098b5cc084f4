package mongo

import (
	"context"
	"fmt"
	"sync/atomic"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
	"creditbank/storage/record"
)

// RawDocs is the scratch collection of the bench (app/bench), no part of
// the storage port. It measures the server itself: a scratch collection of account
// documents replaced by {_id, version} with the product's write concern,
// without locks, indexes beyond _id or any product code.
type RawDocs struct {
	coll     *mongo.Collection
	doc      record.AccountDoc
	versions []atomic.Int64
}

// RawBaseline creates the scratch collection with docs copies of sample.
func (s *Store) RawBaseline(ctx context.Context, sample *domain.Account, docs int) (*RawDocs, error) {
	r := &RawDocs{coll: s.db.Collection("bench_raw"), doc: record.FromAccount(sample), versions: make([]atomic.Int64, docs)}
	batch := make([]any, 0, 500)
	for i := 0; i < docs; i++ {
		d := r.doc
		d.ID, d.Version = fmt.Sprint(i), 1
		batch = append(batch, d)
		r.versions[i].Store(1)
		if len(batch) == cap(batch) || i == docs-1 {
			if _, err := r.coll.InsertMany(ctx, batch); err != nil {
				return nil, fmt.Errorf("mongo: bench collection: %w", err)
			}
			batch = batch[:0]
		}
	}
	return r, nil
}

func (r *RawDocs) model(i int) mongo.WriteModel {
	v := r.versions[i].Load()
	d := r.doc
	d.ID, d.Version = fmt.Sprint(i), v+1
	r.versions[i].CompareAndSwap(v, v+1)
	return mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: d.ID}, {Key: "version", Value: v}}).SetReplacement(d)
}

func (r *RawDocs) CAS(ctx context.Context, i int) error { return r.CASBatch(ctx, []int{i}) }

func (r *RawDocs) CASBatch(ctx context.Context, is []int) error {
	models := make([]mongo.WriteModel, len(is))
	for k, i := range is {
		models[k] = r.model(i)
	}
	_, err := r.coll.BulkWrite(ctx, models)
	return err
}

func (r *RawDocs) Read(ctx context.Context, i int) error {
	var d record.AccountDoc
	return r.coll.FindOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprint(i)}}).Decode(&d)
}

func (r *RawDocs) Close(ctx context.Context) error { return r.coll.Drop(ctx) }

// Drop deletes the whole database (the bench's scratch database).
func (s *Store) Drop(ctx context.Context) error { return s.DropDatabase(ctx) }
