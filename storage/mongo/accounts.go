package mongo

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateAccount inserts a; a Version > 0 is kept (restores), otherwise 1.
func (s *Store) CreateAccount(ctx context.Context, _ *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	if err := insertVersioned(ctx, s.accounts, "create account", &a.Version, s.accountDoc(a)); err != nil {
		return err
	}
	return s.recordAfterSave(ctx, audit)
}

// accountDoc makes a's document at a version, with the tallies the
// district statistics sum.
func (s *Store) accountDoc(a *domain.Account) func(version int64) any {
	return func(version int64) any {
		d := record.FromAccount(a)
		d.Version = version
		d.Tallies = record.FromTallies(a.StatTallies())
		return d
	}
}

// recordAfterSave records the audit entries of an account change that has
// been saved (see storage.ErrAuditNotRecorded).
func (s *Store) recordAfterSave(ctx context.Context, audit []domain.AuditEntry) error {
	if len(audit) == 0 {
		return nil
	}
	if err := s.chain.Record(ctx, audit); err != nil {
		return fmt.Errorf("%w: %w", storage.ErrAuditNotRecorded, err)
	}
	return nil
}

// GetAccount loads one account.
func (s *Store) GetAccount(ctx context.Context, id uuid.UUID) (*domain.Account, error) {
	return s.findAccount(ctx, "get account", byID(id.String()))
}

// GetAccountByNationalIDHash finds the account of one person.
func (s *Store) GetAccountByNationalIDHash(ctx context.Context, hash string) (*domain.Account, error) {
	return s.findAccount(ctx, "get account by national ID", bson.D{{Key: "nationalIdHash", Value: hash}})
}

// GetAccountByOutcomeID finds the account holding an outcome, through the
// multikey index on outcomes.id.
func (s *Store) GetAccountByOutcomeID(ctx context.Context, outcomeID uuid.UUID) (*domain.Account, error) {
	return s.findAccount(ctx, "get account by outcome", bson.D{{Key: "outcomes.id", Value: outcomeID.String()}})
}

// GetAccountByConversionID finds the account holding a conversion, through
// the multikey index on conversions.id.
func (s *Store) GetAccountByConversionID(ctx context.Context, conversionID uuid.UUID) (*domain.Account, error) {
	return s.findAccount(ctx, "get account by conversion", bson.D{{Key: "conversions.id", Value: conversionID.String()}})
}

func (s *Store) findAccount(ctx context.Context, what string, filter bson.D) (*domain.Account, error) {
	return getDoc[record.AccountDoc](ctx, s.accounts, what, filter)
}

// UpdateAccount is compare-and-swap on Version. The derived index arrays
// (issuerIds, queueKeys) are rewritten with the document, so they can never
// disagree with the outcomes and conversions they index.
func (s *Store) UpdateAccount(ctx context.Context, _ *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	if err := s.replaceVersioned(ctx, s.accounts, "update account", a.ID.String(), "version", &a.Version, s.accountDoc(a)); err != nil {
		return err
	}
	return s.recordAfterSave(ctx, audit)
}

// ListOutcomesByIssuer pages one issuer's outcomes by outcome ID.
//
// The multikey index on issuerIds finds the accounts; an aggregation unwinds
// their outcomes and keeps the issuer's, sorted and limited on the server, so
// a page costs the same whatever the number of outcomes. Only $match,
// $unwind, $sort, $limit and $project are used: FerretDB v1 supports exactly
// these, and real MongoDB runs the same pipeline with the index on the first
// $match.
func (s *Store) ListOutcomesByIssuer(ctx context.Context, issuerID uuid.UUID, p storage.Page) ([]domain.Outcome, string, error) {
	p = p.Normalized()
	inner := bson.D{{Key: "outcomes.issuerId", Value: issuerID.String()}}
	inner, err := afterCursor(inner, "outcomes.id", p.Cursor)
	if err != nil {
		return nil, "", err
	}
	docs, next, err := unwindPage(ctx, s.accounts, "list outcomes by issuer",
		bson.D{{Key: "issuerIds", Value: issuerID.String()}}, "outcomes", inner, p.Limit,
		func(d record.OutcomeDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Outcome, 0, len(docs))
	for _, d := range docs {
		o, err := d.ToDomain()
		if err != nil {
			return nil, "", fmt.Errorf("mongo: decode outcome: %w", err)
		}
		out = append(out, o)
	}
	return out, next, nil
}

// ListAccountsSharedWith pages the accounts with a grant for an institution
// through the multikey grantInstitutionIds index.
func (s *Store) ListAccountsSharedWith(ctx context.Context, institutionID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return s.accountsWhere(ctx, "list accounts shared with institution", "grantInstitutionIds", institutionID, p)
}

// accountsWhere pages, in ID order, the accounts whose derived index array
// field holds key.
func (s *Store) accountsWhere(ctx context.Context, what, field string, key uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	docs, next, err := pageDocs[record.AccountDoc](ctx, s.accounts, what, bson.D{{Key: field, Value: key.String()}}, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]*domain.Account, 0, len(docs))
	for _, d := range docs {
		a, err := d.ToDomain()
		if err != nil {
			return nil, "", fmt.Errorf("mongo: decode account: %w", err)
		}
		out = append(out, a)
	}
	return out, next, nil
}

// ListConversionsByInstitution pages the conversions addressed to one
// institution by conversion ID, optionally of one status. queueKeys
// ("<institutionId>:<status>") selects the accounts through its multikey
// index; the unwound conversions are then filtered exactly as above.
func (s *Store) ListConversionsByInstitution(ctx context.Context, institutionID uuid.UUID, status domain.ConversionStatus, p storage.Page) ([]domain.Conversion, string, error) {
	p = p.Normalized()
	inst := institutionID.String()
	var outer bson.D
	inner := bson.D{{Key: "conversions.institutionId", Value: inst}}
	if status != "" {
		outer = bson.D{{Key: "queueKeys", Value: inst + ":" + string(status)}}
		inner = append(inner, bson.E{Key: "conversions.status", Value: string(status)})
	} else {
		keys := bson.A{}
		for _, st := range []domain.ConversionStatus{domain.ConversionPending, domain.ConversionApproved, domain.ConversionRejected, domain.ConversionNeedsReview} {
			keys = append(keys, inst+":"+string(st))
		}
		outer = bson.D{{Key: "queueKeys", Value: bson.D{{Key: "$in", Value: keys}}}}
	}
	inner, err := afterCursor(inner, "conversions.id", p.Cursor)
	if err != nil {
		return nil, "", err
	}
	docs, next, err := unwindPage(ctx, s.accounts, "list conversions by institution", outer, "conversions", inner, p.Limit,
		func(d record.ConversionDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Conversion, 0, len(docs))
	for _, d := range docs {
		c, err := d.ToDomain()
		if err != nil {
			return nil, "", fmt.Errorf("mongo: decode conversion: %w", err)
		}
		out = append(out, c)
	}
	return out, next, nil
}

// unwindPage pages the elements of one array field across the accounts that
// outer selects: $match outer → $unwind → $match inner → $sort → $limit. It
// reads one element more than asked for, so the next cursor (id of the last
// element) is set only when another page exists.
func unwindPage[D any](ctx context.Context, c *mongo.Collection, what string, outer bson.D, field string, inner bson.D, limit int, id func(D) string) ([]D, string, error) {
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: outer}},
		{{Key: "$unwind", Value: "$" + field}},
		{{Key: "$match", Value: inner}},
		{{Key: "$sort", Value: bson.D{{Key: field + ".id", Value: 1}}}},
		{{Key: "$limit", Value: int64(limit + 1)}},
		// After $unwind the field holds one element; project only it so the
		// rest of each (possibly large) account never leaves the server.
		{{Key: "$project", Value: bson.D{{Key: "_id", Value: 0}, {Key: field, Value: 1}}}},
	}
	cur, err := c.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, "", mapErr(what, err)
	}
	defer cur.Close(ctx)
	var docs []D
	for cur.Next(ctx) {
		var d D
		if err := cur.Current.Lookup(field).Unmarshal(&d); err != nil {
			return nil, "", fmt.Errorf("mongo: %s: decode: %w", what, err)
		}
		docs = append(docs, d)
	}
	if err := cur.Err(); err != nil {
		return nil, "", mapErr(what, err)
	}
	docs, next := trimPage(docs, limit, id)
	return docs, next, nil
}

// ScanAccounts streams every account in _id order through a server cursor,
// so memory holds one batch, not the collection.
func (s *Store) ScanAccounts(ctx context.Context, fn func(*domain.Account) error) error {
	return scanByID(ctx, s.accounts, "scan accounts", func(d record.AccountDoc) error {
		a, err := d.ToDomain()
		if err != nil {
			return fmt.Errorf("mongo: scan accounts: %w", err)
		}
		return fn(a)
	})
}

// scanByID streams a collection in _id order through a server cursor, so
// memory holds one batch, not the collection.
func scanByID[D any](ctx context.Context, c *mongo.Collection, what string, fn func(D) error) error {
	cur, err := c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapErr(what, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d D
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongo: %s: decode: %w", what, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return mapErr(what, cur.Err())
}

// CountAccounts counts exactly (not the collection-metadata estimate, which
// can drift on sharded clusters).
func (s *Store) CountAccounts(ctx context.Context) (int64, error) {
	n, err := s.accounts.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, mapErr("count accounts", err)
	}
	return n, nil
}
