package mongo

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// The audit sequence number is the _id: the primary-key index both orders
// the log and makes two appenders of the same Seq collide (a conflict), so
// the loser re-reads the head and retries — a chain without transactions.

// LastAudit returns the newest entry.
func (s *Store) LastAudit(ctx context.Context) (*domain.AuditEntry, error) {
	var d record.AuditDoc
	err := s.audit.FindOne(ctx, bson.D{}, options.FindOne().SetSort(bson.D{{Key: "_id", Value: -1}})).Decode(&d)
	if err != nil {
		return nil, mapErr("last audit entry", err)
	}
	return d.ToDomain()
}

// AppendAudit inserts an entry; an existing Seq is a conflict.
func (s *Store) AppendAudit(ctx context.Context, e *domain.AuditEntry) error {
	_, err := s.audit.InsertOne(ctx, record.FromAudit(e))
	return mapErr("append audit entry", err)
}

// AppendAudits inserts entries in order; MongoDB stops an ordered insert
// at the first duplicate _id, so what was stored is a prefix of es.
func (s *Store) AppendAudits(ctx context.Context, es []*domain.AuditEntry) (int, error) {
	docs := make([]any, len(es))
	for i, e := range es {
		docs[i] = record.FromAudit(e)
	}
	res, err := s.audit.InsertMany(ctx, docs)
	stored := 0
	if res != nil {
		stored = len(res.InsertedIDs)
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && len(bwe.WriteErrors) > 0 {
		stored = bwe.WriteErrors[0].Index
	}
	if err != nil {
		return stored, mapErr("append audit entries", err)
	}
	return len(es), nil
}

// RecordAudits seals entries on the chain and appends them (see
// storage.AuditChain: without transactions, appenders combine and a taken
// Seq makes the batch re-seal on the new head).
func (s *Store) RecordAudits(ctx context.Context, es []domain.AuditEntry) error {
	return s.chain.Record(ctx, es)
}

// ListAudit pages entries by Seq; the cursor is the last Seq in decimal.
// From is inclusive and To exclusive, so consecutive windows never overlap.
func (s *Store) ListAudit(ctx context.Context, f storage.AuditFilter, p storage.Page) ([]domain.AuditEntry, string, error) {
	p = p.Normalized()
	filter := bson.D{}
	if p.Cursor != "" {
		seq, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil || seq < 0 {
			return nil, "", domain.Invalid("cursor", "not a cursor returned by this list")
		}
		op := "$gt"
		if f.NewestFirst {
			op = "$lt"
		}
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: op, Value: seq}}})
	}
	if f.ActorID != "" {
		filter = append(filter, bson.E{Key: "actorId", Value: f.ActorID})
	}
	if f.InstitutionID != "" {
		filter = append(filter, bson.E{Key: "institutionId", Value: f.InstitutionID})
	}
	if f.Action != "" {
		filter = append(filter, bson.E{Key: "action", Value: f.Action})
	}
	at := bson.D{}
	if !f.From.IsZero() {
		at = append(at, bson.E{Key: "$gte", Value: domain.Now(f.From)})
	}
	if !f.To.IsZero() {
		at = append(at, bson.E{Key: "$lt", Value: domain.Now(f.To)})
	}
	if len(at) > 0 {
		filter = append(filter, bson.E{Key: "at", Value: at})
	}
	dir := 1
	if f.NewestFirst {
		dir = -1
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: dir}}).SetLimit(int64(p.Limit + 1))
	cur, err := s.audit.Find(ctx, filter, opts)
	if err != nil {
		return nil, "", mapErr("list audit", err)
	}
	var docs []record.AuditDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", mapErr("list audit", err)
	}
	docs, next := trimPage(docs, p.Limit, func(d record.AuditDoc) string { return strconv.FormatInt(d.Seq, 10) })
	out, err := convertAll(docs, record.AuditDoc.ToDomain)
	return out, next, err
}

// ScanAudit streams every entry in Seq order through a server cursor.
func (s *Store) ScanAudit(ctx context.Context, fn func(domain.AuditEntry) error) error {
	return s.ScanAuditIndexed(ctx, func(e domain.AuditEntry, _ storage.AuditIndex) error { return fn(e) })
}

// ScanAuditIndexed streams every entry with the fields ListAudit filters
// on. Here they are fields of the hashed document itself, so editing one
// breaks the entry's hash; they are still reported as stored, so the
// verifier's comparison holds on every adapter.
func (s *Store) ScanAuditIndexed(ctx context.Context, fn func(domain.AuditEntry, storage.AuditIndex) error) error {
	return scanByID(ctx, s.audit, "scan audit", func(d record.AuditDoc) error {
		e, err := d.ToDomain()
		if err != nil {
			return fmt.Errorf("mongo: scan audit: %w", err)
		}
		return fn(*e, storage.AuditIndex{ActorID: d.ActorID, InstitutionID: d.InstitutionID, Action: d.Action, At: e.At})
	})
}
