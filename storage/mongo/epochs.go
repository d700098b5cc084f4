package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// BeginEpoch records a starting process after removing its instance's
// earlier epochs and long-silent ones. Two writes without a transaction: a
// crash between them leaves old epochs that expire by their heartbeat.
func (s *Store) BeginEpoch(ctx context.Context, e *storage.Epoch) error {
	cutoff := e.StartedAt.Add(-storage.EpochRetention)
	stale := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "instance", Value: e.Instance}},
		bson.D{{Key: "heartbeatAt", Value: bson.D{{Key: "$lt", Value: cutoff}}}},
	}}}
	if _, err := s.epochs.DeleteMany(ctx, stale); err != nil {
		return mapErr("begin epoch", err)
	}
	_, err := s.epochs.InsertOne(ctx, record.FromEpoch(e))
	return mapErr("begin epoch", err)
}

// RenewEpoch moves the heartbeat of a recorded epoch.
func (s *Store) RenewEpoch(ctx context.Context, id string, at time.Time) error {
	res, err := s.epochs.UpdateOne(ctx, byID(id),
		bson.D{{Key: "$set", Value: bson.D{{Key: "heartbeatAt", Value: domain.Now(at)}}}})
	if err != nil {
		return mapErr("renew epoch", err)
	}
	if res.MatchedCount == 0 {
		return mapErr("renew epoch", mongo.ErrNoDocuments)
	}
	return nil
}

// EndEpoch forgets an epoch.
func (s *Store) EndEpoch(ctx context.Context, id string) error {
	_, err := s.epochs.DeleteOne(ctx, byID(id))
	return mapErr("end epoch", err)
}

// GetEpoch loads an epoch.
func (s *Store) GetEpoch(ctx context.Context, id string) (*storage.Epoch, error) {
	return getDoc[record.EpochDoc](ctx, s.epochs, "get epoch", byID(id))
}
