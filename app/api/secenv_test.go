package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"creditbank/app/api"
	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/mongo"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/record"
	"creditbank/storage/sqlite"
)

// storeLocation says where an env's data lives, so security tests can read
// or tamper with it behind the application's back.
type storeLocation struct {
	sqlitePath string // set on SQLite
	mongoURI   string // set on MongoDB (FerretDB)
	mongoDB    string
}

// newTunedEnv is newEnv with a say over the HTTP configuration (real rate
// limits, a fake clock, trusted proxies, CORS origins). The defaults match
// newEnv's, so only the tests that ask for strict limits pay for them.
func newTunedEnv(t *testing.T, tune func(*api.Config)) (*env, storeLocation) {
	t.Helper()
	ctx := context.Background()
	var loc storeLocation
	var open func() storage.Store
	if storeKind() == "mongo" {
		loc.mongoURI, loc.mongoDB = ferrettest.Start(t), ferrettest.DatabaseName(t)
		open = func() storage.Store {
			s, err := mongo.Open(ctx, loc.mongoURI, mongo.WithDatabase(loc.mongoDB))
			if err != nil {
				t.Fatalf("open mongo: %v", err)
			}
			return s
		}
	} else {
		loc.sqlitePath = filepath.Join(t.TempDir(), "creditbank.db")
		open = func() storage.Store {
			s, err := sqlite.Open(ctx, loc.sqlitePath)
			if err != nil {
				t.Fatalf("open sqlite: %v", err)
			}
			return s
		}
	}
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	vault, err := auth.NewVault(master)
	if err != nil {
		t.Fatal(err)
	}
	store := open()
	e := &env{t: t, store: store, vault: vault, reopen: open, logs: &bytes.Buffer{}}
	t.Cleanup(func() { e.store.Close() })
	log := slog.New(slog.NewJSONHandler(&syncWriter{buf: e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := auth.LoadKeySet(ctx, store, vault, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.tokens = auth.NewTokenService(testIssuer, testAudience, keys, nil)
	transcripts := auth.NewTranscriptSigner(testIssuer, keys, nil)
	e.svc = service.New(store, vault, e.tokens, service.Config{Logger: log, Transcripts: transcripts,
		Credentials: testCredentialKeys(t, store, vault, testIssuer)})
	cfg := api.Config{Logger: log, LoginBurst: 1000, LoginRate: 1000, MaxInFlight: testMaxInFlight}
	if tune != nil {
		tune(&cfg)
	}
	e.app = api.New(e.svc, e.tokens, keys, cfg)
	if _, err := e.svc.EnsureAdmin(ctx, adminPassword); err != nil {
		t.Fatal(err)
	}
	return e, loc
}

// The issuer and audience newEnv's token service uses.
const (
	testIssuer   = "http://creditbank.test"
	testAudience = "creditbank"
)

// fakeClock is a settable clock shared by the limiter and the test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fingerprint digests everything a write could touch outside the audit log:
// account, institution and rule versions, users and clients with their
// status and permissions, and the credit policy. Equal fingerprints mean no
// business data changed.
func fingerprint(t *testing.T, s storage.Store) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	err := s.ScanAccounts(ctx, func(a *domain.Account) error {
		add("account %s %s %s", a.ID, a.Status, businessHash(t, a))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := storage.Page{Limit: storage.MaxPageSize}
	insts, _, err := s.ListInstitutions(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range insts {
		add("institution %s v%d %s", i.ID, i.Version, i.Status)
	}
	rules, _, err := s.ListRules(ctx, storage.RuleFilter{}, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules {
		add("rule %s r%d %s", r.ID, r.Revision, r.Status)
	}
	users, _, err := s.ListUsers(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		add("user %s %s %v %s", u.ID, u.Status, u.Perms, u.PasswordHash)
	}
	clients, _, err := s.ListClients(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		add("client %s %s %s", c.ID, c.Status, c.SecretHash)
	}
	if p, err := s.GetCreditPolicy(ctx); err == nil {
		add("policy v%d", p.Version)
	}
	if err := s.ScanCourses(ctx, func(c domain.Course) error {
		add("course %s v%d", c.ID, c.Version)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// auditLength counts the audit log's entries.
func auditLength(t *testing.T, s storage.Store) int64 {
	t.Helper()
	last, err := s.LastAudit(context.Background())
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return 0
		}
		t.Fatal(err)
	}
	return last.Seq
}

// businessHash digests an account without its access log and version: a
// read by someone other than the learner writes an access-log entry, which
// is the point of the log, not a change of business data.
func businessHash(t *testing.T, a *domain.Account) string {
	t.Helper()
	d := record.FromAccount(a)
	d.Version, d.AccessLog = 0, nil
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}
