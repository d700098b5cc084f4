// Package mongo is the MongoDB adapter of the storage port. Each aggregate is
// one document in its own collection, shaped by storage/record; consistency
// comes from compare-and-swap on a version field, never from multi-document
// transactions, so the same code runs on a standalone mongod, a replica set,
// a sharded cluster (accounts sharded on hashed _id) and FerretDB in tests.
package mongo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	"go.mongodb.org/mongo-driver/mongo/readpref"
	"go.mongodb.org/mongo-driver/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/x/mongo/driver/connstring"

	"creditbank/storage"
)

// DefaultDatabase is used when the URI names no database.
const DefaultDatabase = "creditbank"

// Collection names, one per aggregate.
const (
	collAccounts      = "accounts"
	collInstitutions  = "institutions"
	collUsers         = "users"
	collClients       = "clients"
	collRefreshTokens = "refresh_tokens"
	collIdempotency   = "idempotency"
	collSigningKeys   = "signing_keys"
	collRules         = "rules"
	collAudit         = "audit"
	collImportJobs    = "import_jobs"
	collSettings      = "settings"
	collEpochs        = "epochs"
)

// Store implements storage.Store on MongoDB.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	locks  *docLocks
	chain  *storage.AuditChain

	accounts, institutions, users, clients, refreshTokens, idempotency,
	signingKeys, rules, audit, importJobs, settings, epochs *mongo.Collection
}

var _ storage.Store = (*Store)(nil)

// Option adjusts Open.
type Option func(*config)

type config struct {
	database string
}

// WithDatabase overrides the database named in the URI; tests use it to give
// every test its own database on one shared server.
func WithDatabase(name string) Option {
	return func(c *config) { c.database = name }
}

// Open connects, checks the server answers and creates the indexes. The
// database is the URI's path ("mongodb://host/creditbank"), else "creditbank".
func Open(ctx context.Context, uri string, opts ...Option) (*Store, error) {
	cs, err := connstring.ParseAndValidate(uri)
	if err != nil {
		// The URI may carry a password: report only that it is malformed.
		return nil, errors.New("mongo: invalid connection URI")
	}
	cfg := config{database: cs.Database}
	if cfg.database == "" {
		cfg.database = DefaultDatabase
	}
	for _, o := range opts {
		o(&cfg)
	}

	co := clientOptions(uri)
	client, err := mongo.Connect(ctx, co)
	if err != nil {
		return nil, fmt.Errorf("mongo: connect: %w", err)
	}
	s := newStore(client, client.Database(cfg.database))
	if err := s.Ping(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.ensureIndexes(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.backfillTallies(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	return s, nil
}

// clientOptions are the driver settings every deployment gets, whatever the
// URI says.
func clientOptions(uri string) *options.ClientOptions {
	// Majority write concern: an acknowledged deposit survives a primary
	// failover, which is what a learner's record needs.
	// Retryable writes and reads (driver defaults, pinned here so a URI
	// cannot switch them off): across a primary step-down or a dropped
	// connection the driver retries once on the new primary, and the server
	// deduplicates the write by its transaction number. What still fails
	// after that retry is domain.ErrUnavailable (see mapErr), and the
	// service's compare-and-swap reload decides whether the save landed.
	// Server selection waits long enough for an election (typically under
	// 12 s) rather than failing every request during one.
	return options.Client().ApplyURI(uri).
		SetRetryWrites(true).
		SetRetryReads(true).
		SetWriteConcern(writeconcern.Majority()).
		SetServerSelectionTimeout(15 * time.Second)
}

func newStore(client *mongo.Client, db *mongo.Database) *Store {
	s := &Store{
		client:        client,
		db:            db,
		locks:         newDocLocks(),
		accounts:      db.Collection(collAccounts),
		institutions:  db.Collection(collInstitutions),
		users:         db.Collection(collUsers),
		clients:       db.Collection(collClients),
		refreshTokens: db.Collection(collRefreshTokens),
		idempotency:   db.Collection(collIdempotency),
		signingKeys:   db.Collection(collSigningKeys),
		rules:         db.Collection(collRules),
		audit:         db.Collection(collAudit),
		importJobs:    db.Collection(collImportJobs),
		settings:      db.Collection(collSettings),
		epochs:        db.Collection(collEpochs),
	}
	s.chain = storage.NewAuditChain(s)
	return s
}

// Ping asks the primary, the member every write and CAS read goes to.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongo: ping: %w", err)
	}
	return nil
}

// Close disconnects.
func (s *Store) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.client.Disconnect(ctx)
}

// Database names the database in use (for logs and the export header).
func (s *Store) Database() string { return s.db.Name() }

// DropDatabase deletes the whole database. Tests use it to clean up; it is
// not part of the storage port.
func (s *Store) DropDatabase(ctx context.Context) error {
	return s.db.Drop(ctx)
}
