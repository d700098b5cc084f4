package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/api"
	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/auth/vc"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/mongo"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/sqlite"
	"creditbank/storage/sqlite/sqlitetest"
)

const adminPassword = "admin-password-1"

// testMaxInFlight keeps load shedding out of the way of functional tests.
const testMaxInFlight = 4096

// env is one product instance on a fresh store. CREDITBANK_TEST_STORE=mongo
// runs the same API tests on the MongoDB adapter (embedded FerretDB).
type env struct {
	t      *testing.T
	app    *fiber.App
	svc    *service.Service
	store  storage.Store
	vault  *auth.Vault
	tokens *auth.TokenService
	logs   *bytes.Buffer
	reopen func() storage.Store
	// now, when set before build, is the service's clock.
	now func() time.Time
}

func TestMain(m *testing.M) {
	auth.UseCheapPasswordHashing(m)
	ferrettest.Main(m, emptyStore.Remove)
}

// emptyStore is a SQLite store with every migration applied: a test's store
// starts as a copy of it instead of migrating a file of its own (a tenth of
// this package's time under the race detector). Migrations from an empty
// file are the storage package's tests.
var emptyStore = sqlitetest.NewTemplate(func(dir string) error {
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "creditbank.db"))
	if err != nil {
		return err
	}
	return s.Close()
})

func storeKind() string {
	if os.Getenv("CREDITBANK_TEST_STORE") == "mongo" {
		return "mongo"
	}
	return "sqlite"
}

// openTestStore returns a fresh store and a function that opens the same
// data again (to test restarts).
func openTestStore(t *testing.T) (storage.Store, func() storage.Store) {
	t.Helper()
	ctx := context.Background()
	if storeKind() == "mongo" {
		uri, db := ferrettest.Start(t), ferrettest.DatabaseName(t)
		open := func() storage.Store {
			s, err := mongo.Open(ctx, uri, mongo.WithDatabase(db))
			if err != nil {
				t.Fatalf("open mongo: %v", err)
			}
			return s
		}
		return open(), open
	}
	path := filepath.Join(emptyStore.Copy(t), "creditbank.db")
	open := func() storage.Store {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		return s
	}
	return open(), open
}

func newEnv(t *testing.T) *env {
	t.Helper()
	store, reopen := openTestStore(t)
	master := make([]byte, 32)
	rand.Read(master)
	vault, err := auth.NewVault(master)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: store, vault: vault, reopen: reopen, logs: &bytes.Buffer{}}
	e.build(store)
	t.Cleanup(func() { e.store.Close() })
	if _, err := e.svc.EnsureAdmin(context.Background(), adminPassword); err != nil {
		t.Fatal(err)
	}
	return e
}

// build wires service and HTTP layer on a store, as the binary does.
func (e *env) build(store storage.Store) {
	e.t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewJSONHandler(&syncWriter{buf: e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	keys, err := auth.LoadKeySet(ctx, store, e.vault, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = store
	e.tokens = auth.NewTokenService("http://creditbank.test", "creditbank", keys, nil)
	transcripts := auth.NewTranscriptSigner("http://creditbank.test", keys, nil)
	e.svc = service.New(store, e.vault, e.tokens, service.Config{Logger: log, Transcripts: transcripts, Now: e.now,
		Credentials: testCredentialKeys(e.t, store, e.vault, "http://creditbank.test")})
	// Functional tests fire up to ~100 concurrent requests on a slow
	// race-detector build; shedding is tested on its own (overload_test.go,
	// hashbudget_test.go).
	e.app = api.New(e.svc, e.tokens, keys, api.Config{Logger: log, LoginBurst: 1000, LoginRate: 1000,
		MaxInFlight: testMaxInFlight, MaxPasswordChecks: testMaxInFlight})
}

// testCredentialKeys loads the credential keys of the issuer at baseURL,
// as the binary does.
func testCredentialKeys(tb testing.TB, store storage.Store, vault *auth.Vault, baseURL string) *auth.CredentialKeys {
	tb.Helper()
	did, err := vc.DIDWeb(baseURL)
	if err != nil {
		tb.Fatal(err)
	}
	ck, err := auth.LoadCredentialKeys(context.Background(), store, vault, did, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return ck
}

// restart closes the store and opens the same data in a new process-like
// wiring.
func (e *env) restart() {
	e.t.Helper()
	e.store.Close()
	e.build(e.reopen())
}

type syncWriter struct {
	buf *bytes.Buffer
}

var logMu = make(chan struct{}, 1)

func (w *syncWriter) Write(p []byte) (int, error) {
	logMu <- struct{}{}
	defer func() { <-logMu }()
	return w.buf.Write(p)
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %s", r.status, r.body)
	}
	return m
}

// errorCode returns error.code of an error response.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.json(t)["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

type req struct {
	method, path, token string
	body                any
	headers             map[string]string
}

func (e *env) do(r req) response {
	e.t.Helper()
	var body io.Reader
	var sent []byte
	switch b := r.body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		sent = raw
	}
	if r.body != nil {
		body = bytes.NewReader(sent)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	res, err := e.app.Test(hr, 30_000)
	if err != nil {
		e.t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	// The contract is checked in the passes without the race detector (the
	// suite runs again on MongoDB without it), where it costs a fraction of
	// a millisecond instead of several.
	if !raceEnabled {
		checkContract(e.t, r.method, r.path, hr.Header, sent, res.StatusCode, res.Header, raw)
	}
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// must asserts a status and returns the JSON body.
func (e *env) must(status int, r req) map[string]any {
	e.t.Helper()
	res := e.do(r)
	if res.status != status {
		e.t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, res.status, status, res.body)
	}
	if len(res.body) == 0 {
		return nil
	}
	return res.json(e.t)
}

func (e *env) login(username, password string) string {
	e.t.Helper()
	m := e.must(200, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": username, "password": password}})
	return m["accessToken"].(string)
}

func (e *env) adminToken() string { return e.login("admin", adminPassword) }

type institution struct {
	id, clientID, clientSecret string
}

func (e *env) createInstitution(admin, name string, caps, cats []string) institution {
	e.t.Helper()
	m := e.must(201, req{method: "POST", path: "/api/v1/institutions", token: admin, body: map[string]any{
		"name": name, "kind": "community_college", "region": "示范区", "capabilities": caps, "categories": cats}})
	return institution{id: m["id"].(string), clientID: m["clientId"].(string), clientSecret: m["clientSecret"].(string)}
}

func (e *env) createStaff(admin, instID, username string, perms ...string) string {
	e.t.Helper()
	e.must(201, req{method: "POST", path: "/api/v1/institutions/" + instID + "/staff", token: admin,
		body: map[string]any{"username": username, "password": "staff-password-1", "perms": perms}})
	return e.login(username, "staff-password-1")
}

// nid makes a valid national ID from a sequence number.
func nid(t *testing.T, n int) string {
	t.Helper()
	s := "11010519850301" + pad3(n)
	id, err := domain.CompleteNationalID(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}

func pad3(n int) string {
	s := "000" + itoa(n)
	return s[len(s)-3:]
}

func itoa(n int) string { return strconv.Itoa(n) }

func outcomeBody(nationalID, name, title string, hours float64) map[string]any {
	return map[string]any{
		"learner":     map[string]string{"nationalId": nationalID, "name": name},
		"category":    "community",
		"title":       title,
		"courseCode":  "C-" + title,
		"hours":       hours,
		"result":      map[string]any{"score": 88},
		"completedOn": time.Now().AddDate(0, -1, 0).Format("2006-01-02"),
	}
}
