package mongo

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// ReserveIdempotency inserts a pending record; the key is _id, so a second
// reservation of the same key fails on the primary-key index (a conflict)
// even when two requests race.
func (s *Store) ReserveIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	d := record.FromIdempotency(r)
	d.Status = 0
	d.Body = nil
	if _, err := s.idempotency.InsertOne(ctx, d); err != nil {
		return mapErr("reserve idempotency key", err)
	}
	r.Status, r.Body = 0, nil
	return nil
}

// GetIdempotency loads the record of one key.
func (s *Store) GetIdempotency(ctx context.Context, key string) (*domain.IdempotencyRecord, error) {
	var d record.IdempotencyDoc
	if err := s.idempotency.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d); err != nil {
		return nil, mapErr("get idempotency key", err)
	}
	return d.ToDomain()
}

// ownedReservation filters the unfinished reservation of key held by
// owner; owner is omitted from the document when empty (records from before
// owners existed).
func ownedReservation(key, owner string) bson.D {
	f := bson.D{{Key: "_id", Value: key}, {Key: "status", Value: 0}}
	if owner == "" {
		return append(f, bson.E{Key: "owner", Value: bson.D{{Key: "$exists", Value: false}}})
	}
	return append(f, bson.E{Key: "owner", Value: owner})
}

// TakeOverIdempotency replaces prevOwner's unfinished reservation with r; the
// filter makes it a single-document compare-and-swap on the server.
func (s *Store) TakeOverIdempotency(ctx context.Context, r *domain.IdempotencyRecord, prevOwner string) error {
	d := record.FromIdempotency(r)
	d.Status, d.Body = 0, nil
	unlock := s.locks.lock(collIdempotency, d.Key)
	res, err := s.idempotency.ReplaceOne(ctx, ownedReservation(d.Key, prevOwner), d)
	unlock()
	if err != nil {
		return mapErr("take over idempotency key", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	ok, err := exists(ctx, s.idempotency, d.Key)
	if err != nil {
		return mapErr("take over idempotency key", err)
	}
	if !ok {
		return mapErr("take over idempotency key", mongo.ErrNoDocuments)
	}
	return fmt.Errorf("take over idempotency key: %w", domain.ErrStale)
}

// CompleteIdempotency stores the first response of a key reserved by owner.
func (s *Store) CompleteIdempotency(ctx context.Context, key, owner string, status int, body []byte) error {
	set := bson.D{{Key: "status", Value: status}}
	var update bson.D
	if len(body) > 0 {
		update = bson.D{{Key: "$set", Value: append(set, bson.E{Key: "body", Value: body})}}
	} else {
		// An empty body is stored as absent, matching record's omitempty.
		update = bson.D{{Key: "$set", Value: set}, {Key: "$unset", Value: bson.D{{Key: "body", Value: ""}}}}
	}
	unlock := s.locks.lock(collIdempotency, key)
	res, err := s.idempotency.UpdateOne(ctx, ownedReservation(key, owner), update)
	unlock()
	if err != nil {
		return mapErr("complete idempotency key", err)
	}
	if res.MatchedCount == 1 {
		return nil
	}
	ok, err := exists(ctx, s.idempotency, key)
	if err != nil {
		return mapErr("complete idempotency key", err)
	}
	if !ok {
		return mapErr("complete idempotency key", mongo.ErrNoDocuments)
	}
	return fmt.Errorf("complete idempotency key: %w", domain.ErrStale)
}

// CarriesReservations: no. Without multi-document transactions a
// reservation inserted beside a request's first write could outlive a
// failed write, so requests reserve their key before they run, and the
// writes taking a key are never passed one (they ignore it).
func (s *Store) CarriesReservations() bool { return false }

// DeleteIdempotency drops owner's unfinished reservation; anything else
// (absent, completed, taken over) is left alone, since a failed request's
// cleanup must never free a key that someone else now holds.
func (s *Store) DeleteIdempotency(ctx context.Context, key, owner string) error {
	unlock := s.locks.lock(collIdempotency, key)
	_, err := s.idempotency.DeleteOne(ctx, ownedReservation(key, owner))
	unlock()
	return mapErr("delete idempotency key", err)
}

// BeginEpoch records a starting process after removing its instance's
// earlier epochs and long-silent ones. Two writes without a transaction: a
// crash between them leaves old epochs that expire by their heartbeat.
func (s *Store) BeginEpoch(ctx context.Context, e *domain.Epoch) error {
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
	res, err := s.epochs.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
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
	_, err := s.epochs.DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	return mapErr("end epoch", err)
}

// GetEpoch loads an epoch.
func (s *Store) GetEpoch(ctx context.Context, id string) (*domain.Epoch, error) {
	var d record.EpochDoc
	if err := s.epochs.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return nil, mapErr("get epoch", err)
	}
	return d.ToDomain()
}

// SaveSigningKey inserts or replaces a key by KID.
func (s *Store) SaveSigningKey(ctx context.Context, k *domain.SigningKey) error {
	return s.upsert(ctx, s.signingKeys, "save signing key", k.KID, record.FromSigningKey(k))
}

// ListSigningKeys returns every key, oldest first (ties by KID).
func (s *Store) ListSigningKeys(ctx context.Context) ([]domain.SigningKey, error) {
	cur, err := s.signingKeys.Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "createdAt", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, mapErr("list signing keys", err)
	}
	var docs []record.SigningKeyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("list signing keys", err)
	}
	return convertAll(docs, record.SigningKeyDoc.ToDomain)
}

// SaveImportJob inserts or replaces a job by ID.
func (s *Store) SaveImportJob(ctx context.Context, _ *storage.PendingReservation, j *domain.ImportJob) error {
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

// GetCreditPolicy loads the district policy, or not-found before the first save.
func (s *Store) GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error) {
	var d record.CreditPolicyDoc
	if err := s.findSetting(ctx, "get credit policy", record.CreditPolicyID, &d); err != nil {
		return nil, err
	}
	return d.ToDomain()
}

// SaveCreditPolicy is compare-and-swap on Version (see saveSetting). On
// success p.Version is the new version.
func (s *Store) SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error {
	d := record.FromCreditPolicy(p)
	d.Version = p.Version + 1
	if err := s.saveSetting(ctx, "save credit policy", d.ID, p.Version, d); err != nil {
		return err
	}
	p.Version = d.Version
	return nil
}

// findSetting decodes the settings document id into d.
func (s *Store) findSetting(ctx context.Context, what, id string, d any) error {
	return mapErr(what, s.settings.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(d))
}

// saveSetting writes a settings document by compare-and-swap on its
// version: version 0 inserts (losing to a concurrent first save is stale,
// not a duplicate), otherwise the stored version must still be version.
func (s *Store) saveSetting(ctx context.Context, what, id string, version int64, d any) error {
	if version != 0 {
		return s.replaceIfVersion(ctx, s.settings, what, id, "version", version, d)
	}
	if _, err := s.settings.InsertOne(ctx, d); err != nil {
		if isDuplicateKey(err) {
			return fmt.Errorf("%s: %w", what, domain.ErrStale)
		}
		return mapErr(what, err)
	}
	return nil
}
