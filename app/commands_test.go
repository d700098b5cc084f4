package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"creditbank/app/bench"
	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/storage"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/sqlite/sqlitetest"
)

func TestMain(m *testing.M) {
	auth.UseCheapPasswordHashing(m)
	ferrettest.Main(m, demoDistrict.Remove)
}

// demoDistrict is seeded once per test binary (over a second under the race
// detector, and a dozen tests want one) and copied for each test.
var demoDistrict = sqlitetest.NewTemplate(seedDemoDistrict)

// seededStore returns the store setting of a fresh copy of a demo district
// in a SQLite file of the test's own; the master key file sits beside it.
func seededStore(t *testing.T) string {
	t.Helper()
	return "sqlite:" + filepath.Join(demoDistrict.Copy(t), "creditbank.db")
}

// seedDemoDistrict creates a demo district in dir and closes it, so that
// its files are complete on disk.
func seedDemoDistrict(dir string) error {
	cfg := Config{Store: "sqlite:" + filepath.Join(dir, "creditbank.db"), Audience: "creditbank", Issuer: "http://creditbank.test", Demo: true}
	ctx := context.Background()
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return err
	}
	if err := app.bootstrap(ctx, io.Discard); err != nil {
		app.Close()
		return err
	}
	return app.Close()
}

// cli runs the binary's entry point and returns exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExportImportRoundTripAcrossStores(t *testing.T) {
	src := seededStore(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first.jsonl")
	if code, _, stderr := cli(t, "export", "--store", src, first); code != 0 {
		t.Fatalf("export: %d %s", code, stderr)
	}
	info, err := os.Stat(first)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", info, err)
	}

	// SQLite → MongoDB (embedded FerretDB) → SQLite.
	mongoURI := ferrettest.Start(t) + ferrettest.DatabaseName(t)
	if code, out, stderr := cli(t, "import", "--store", mongoURI, first); code != 0 || !strings.Contains(out, "imported") {
		t.Fatalf("import into mongo: %d %s %s", code, out, stderr)
	}
	// A non-empty store refuses a second import.
	if code, _, stderr := cli(t, "import", "--store", mongoURI, first); code == 0 || !strings.Contains(stderr, "not empty") {
		t.Fatalf("second import: %d %s", code, stderr)
	}
	viaMongo := filepath.Join(dir, "mongo.jsonl")
	if code, _, stderr := cli(t, "export", "--store", mongoURI, viaMongo); code != 0 {
		t.Fatalf("export mongo: %d %s", code, stderr)
	}
	back := "sqlite:" + filepath.Join(dir, "back.db")
	if code, _, stderr := cli(t, "import", "--store", back, viaMongo); code != 0 {
		t.Fatalf("import back: %d %s", code, stderr)
	}
	last := filepath.Join(dir, "last.jsonl")
	if code, _, stderr := cli(t, "export", "--store", back, last); code != 0 {
		t.Fatalf("export back: %d %s", code, stderr)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(viaMongo)
	c, _ := os.ReadFile(last)
	if len(a) == 0 || !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatalf("exports differ: %d / %d / %d bytes", len(a), len(b), len(c))
	}

	// The moved bank works: with the same master key, a demo learner logs in
	// on MongoDB and sees the same record.
	key, err := os.ReadFile(filepath.Join(filepath.Dir(strings.TrimPrefix(src, "sqlite:")), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Store: mongoURI, MasterKey: strings.TrimSpace(string(key)), Audience: "creditbank", Issuer: "http://creditbank.test"}
	app, err := openApplication(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	logins, _ := seedDemo(context.Background(), app.svc) // seeded already: only returns the logins
	for _, l := range logins {
		if _, err := app.svc.Login(context.Background(), l.Username, l.Password, service.Actor{}); err != nil {
			t.Errorf("login %s after migration: %v", l.Username, err)
		}
	}
}

func TestAuditVerifyCommandDetectsTampering(t *testing.T) {
	type tamper struct {
		name   string
		sqlite string
		want   string
	}
	cases := []tamper{
		{"edited", `UPDATE audit SET doc = replace(doc, '"action":"outcome.issue"', '"action":"outcome.isue"') WHERE seq = (SELECT min(seq) FROM audit WHERE action = 'outcome.issue')`, "hash mismatch"},
		{"deleted", `DELETE FROM audit WHERE seq = 5`, "expected sequence 5"},
		{"reordered", `UPDATE audit SET seq = -5 WHERE seq = 5; UPDATE audit SET seq = 5 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = -5`, "audit entry"},
		// Only the search columns: the chain still links, but the entry
		// would vanish from GET /audit?actor=… and ?action=….
		{"search actor moved", `UPDATE audit SET actor_id = 'someone-else' WHERE seq = 4`, "audit entry 4: search index (actor)"},
		{"search action and time moved", `UPDATE audit SET action = 'system.noop', at_ms = at_ms - 86400000 WHERE seq = 5`, "audit entry 5: search index (action, time)"},
	}
	for _, tc := range cases {
		t.Run("sqlite/"+tc.name, func(t *testing.T) {
			store := seededStore(t)
			if code, out, _ := cli(t, "audit", "verify", "--store", store); code != 0 || !strings.Contains(out, "valid") {
				t.Fatalf("untampered: %d %s", code, out)
			}
			db, err := sql.Open("sqlite", strings.TrimPrefix(store, "sqlite:"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tc.sqlite); err != nil {
				t.Fatalf("tamper: %v", err)
			}
			db.Close()
			code, _, stderr := cli(t, "audit", "verify", "--store", store)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("tampered (%s): exit %d, stderr %q, want exit 1 mentioning %q", tc.name, code, stderr, tc.want)
			}
		})
	}

	mongoCases := []struct {
		name   string
		tamper func(t *testing.T, coll string, uri, db string)
		want   string
	}{
		{"edited", func(t *testing.T, coll, uri, db string) {
			ferrettest.SetField(t, ferrettest.Raw(t, uri, db, coll), int64(4), "action", "outcome.isue")
		}, "audit entry 4: hash mismatch"},
		{"deleted", func(t *testing.T, coll, uri, db string) {
			ferrettest.DeleteID(t, ferrettest.Raw(t, uri, db, coll), int64(5))
		}, "expected sequence 5"},
		{"reordered", func(t *testing.T, coll, uri, db string) {
			ferrettest.SwapDocuments(t, ferrettest.Raw(t, uri, db, coll), int64(5), int64(6))
		}, "audit entry 5"},
		// The field ListAudit filters by is the hashed field itself here.
		{"search actor moved", func(t *testing.T, coll, uri, db string) {
			ferrettest.SetField(t, ferrettest.Raw(t, uri, db, coll), int64(4), "actorId", "someone-else")
		}, "audit entry 4: hash mismatch"},
	}
	for _, tc := range mongoCases {
		t.Run("mongo/"+tc.name, func(t *testing.T) {
			src := seededStore(t)
			file := filepath.Join(t.TempDir(), "dump.jsonl")
			if code, _, stderr := cli(t, "export", "--store", src, file); code != 0 {
				t.Fatal(stderr)
			}
			uri, db := ferrettest.Start(t), ferrettest.DatabaseName(t)
			if code, _, stderr := cli(t, "import", "--store", uri+db, file); code != 0 {
				t.Fatal(stderr)
			}
			if code, out, _ := cli(t, "audit", "verify", "--store", uri+db); code != 0 {
				t.Fatalf("untampered: %d %s", code, out)
			}
			tc.tamper(t, "audit", uri, db)
			code, _, stderr := cli(t, "audit", "verify", "--store", uri+db)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("tampered (%s): exit %d, stderr %q, want %q", tc.name, code, stderr, tc.want)
			}
		})
	}
}

func TestKeysRotateCommand(t *testing.T) {
	store := seededStore(t)
	ctx := context.Background()
	cfg := Config{Store: store, Audience: "creditbank", Issuer: "http://creditbank.test"}
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	before, err := app.svc.Login(ctx, "admin", demoAdminPassword, service.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	oldKID := app.keys.CurrentKID()
	app.Close()

	code, out, stderr := cli(t, "keys", "rotate", "--store", store)
	if code != 0 || !strings.Contains(out, "new signing key") {
		t.Fatalf("rotate: %d %s %s", code, out, stderr)
	}
	app, err = openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if app.keys.CurrentKID() == oldKID {
		t.Fatal("signing key did not change")
	}
	if _, err := app.tokens.Verify(before.AccessToken); err != nil {
		t.Errorf("token signed before rotation no longer verifies: %v", err)
	}
	after, err := app.svc.Login(ctx, "admin", demoAdminPassword, service.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.tokens.Verify(after.AccessToken); err != nil {
		t.Fatal(err)
	}
	jwks := string(app.keys.JWKS())
	if !strings.Contains(jwks, oldKID) || !strings.Contains(jwks, app.keys.CurrentKID()) {
		t.Errorf("JWKS should list both keys: %s", jwks)
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _, stderr := cli(t, "frobnicate"); code != 2 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("unknown command: %d %s", code, stderr)
	}
	if code, _, _ := cli(t, "audit"); code != 2 {
		t.Errorf("audit without verify: %d", code)
	}
}

// The bench seeds a district, measures baselines and every endpoint over
// HTTP and writes one JSON object per measurement, each endpoint with a
// ratio to a baseline measured in the same run.
func TestBenchCommandMeasuresEveryEndpointAgainstBaselines(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := cli(t, "bench", "--learners", "300", "--outcomes-per-learner", "3", "--rules", "6",
		"--duration", "300ms", "--conns", "4", "--import-rows", "400", "--heavy-outcomes", "60", "--json", out)
	if code != 0 {
		t.Fatalf("bench: exit %d\n%s\n%s", code, stdout, stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var ms []map[string]any
	if err := json.Unmarshal(raw, &ms); err != nil {
		t.Fatalf("bench JSON: %v", err)
	}
	byName := map[string]map[string]any{}
	for _, m := range ms {
		for _, k := range []string{"name", "ops", "rps", "p50Ms", "p99Ms", "maxMs", "errors", "baseline", "ratio"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("measurement %v lacks %q", m["name"], k)
			}
		}
		byName[m["name"].(string)] = m
	}
	endpoints := []string{"issue outcome", "read own record (GET", "read own record, 60 outcomes", "preview conversion",
		"apply + approve", "institution outcomes", "district statistics", "CSV import, 400 rows"}
	for _, prefix := range endpoints {
		var m map[string]any
		for name, v := range byName {
			if strings.HasPrefix(name, prefix) {
				m = v
			}
		}
		if m == nil {
			t.Errorf("no measurement %q in %s", prefix, raw)
			continue
		}
		if m["ops"].(float64) < 1 || m["errors"].(float64) != 0 || m["ratio"].(float64) <= 0 {
			t.Errorf("%s: ops %v, errors %v, ratio %v", m["name"], m["ops"], m["errors"], m["ratio"])
		}
		if _, ok := byName[m["baseline"].(string)]; !ok {
			t.Errorf("%s: baseline %q was not measured in the run", m["name"], m["baseline"])
		}
	}
	for _, want := range []string{"start-up on the seeded store", "peak RSS", "baseline: store CAS write, 100 per transaction"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	// The import says how its rows were committed and, where the system
	// counts file I/O, what each row cost on disk.
	for name, m := range byName {
		if !strings.HasPrefix(name, "CSV import") {
			continue
		}
		note, _ := m["note"].(string)
		if !regexp.MustCompile(`\d+ store commits carried (4\d\d) writes`).MatchString(note) {
			t.Errorf("import note does not count the commits of its 400 rows: %q", note)
		}
		if _, err := os.Stat("/proc/self/io"); err == nil && !regexp.MustCompile(`per row [\d.]+ file reads and [\d.]+ writes \([\d.]+ kB written\)`).MatchString(note) {
			t.Errorf("import note lacks the file I/O per row: %q", note)
		}
	}
}

// The growth measurement seeds one store per size and measures issue and
// read at each, every one against the baselines of its own store.
func TestBenchGrowthMeasuresEverySize(t *testing.T) {
	cmd := benchCommand()
	cmd.Sizes = []bench.GrowthSize{{Learners: 30, OutcomesPerLearner: 2}, {Learners: 60, OutcomesPerLearner: 2}, {Learners: 20, OutcomesPerLearner: 8}}
	out := filepath.Join(t.TempDir(), "growth.json")
	var stdout, stderr bytes.Buffer
	if err := cmd.Run(t.Context(), []string{"--growth", "--rules", "6", "--duration", "200ms", "--conns", "2", "--json", out}, &stdout, &stderr); err != nil {
		t.Fatalf("bench --growth: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var ms []map[string]any
	if err := json.Unmarshal(raw, &ms); err != nil {
		t.Fatalf("growth JSON: %v", err)
	}
	byName := map[string]map[string]any{}
	for _, m := range ms {
		byName[m["name"].(string)] = m
	}
	for _, label := range []string{" @ 60 outcomes, 2 per learner", " @ 120 outcomes, 2 per learner", " @ 160 outcomes, 8 per learner"} {
		for _, name := range []string{"issue outcome (POST /outcomes)", "read own record (GET /learners/me/record)"} {
			m, ok := byName[name+label]
			if !ok {
				t.Errorf("no measurement %q in %s", name+label, raw)
				continue
			}
			if m["ops"].(float64) < 1 || m["errors"].(float64) != 0 || m["ratio"].(float64) <= 0 {
				t.Errorf("%s: ops %v, errors %v, ratio %v", m["name"], m["ops"], m["errors"], m["ratio"])
			}
			if !strings.HasSuffix(m["baseline"].(string), label) {
				t.Errorf("%s: baseline %q is not of the same store", m["name"], m["baseline"])
			} else if _, ok := byName[m["baseline"].(string)]; !ok {
				t.Errorf("%s: baseline %q was not measured", m["name"], m["baseline"])
			}
		}
	}
}

// The same bench runs against MongoDB (here the embedded FerretDB) in a
// scratch database, with MongoDB's own raw baselines.
func TestBenchCommandOnMongo(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bench.json")
	code, stdout, stderr := cli(t, "bench", "--store", ferrettest.Start(t), "--learners", "40", "--outcomes-per-learner", "2", "--rules", "6",
		"--duration", "200ms", "--conns", "2", "--import-rows", "30", "--heavy-outcomes", "10", "--only", "issue,record,import", "--json", out)
	if code != 0 {
		t.Fatalf("bench on mongo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"store mongodb", "baseline: store CAS write, 100 per transaction", "issue outcome", "read own record", "CSV import, 30 rows"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("bench on mongo lacks %q:\n%s", want, stdout)
		}
	}
}

func TestVerifyCommand(t *testing.T) {
	store := seededStore(t)
	ctx := context.Background()
	cfg := Config{Store: store, Audience: "creditbank", Issuer: "http://creditbank.test"}
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := app.svc.Login(ctx, "11010519620315123X", demoLearnerPassword, service.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := app.tokens.Verify(pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := app.svc.IssueTranscript(ctx, service.Actor{Role: p.Role, ID: p.Subject})
	app.Close()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"transcript":"`+tr.Token+`"}`), 0o600)
	code, out, stderr := cli(t, "verify", "--store", store, "--issuer", "http://creditbank.test", good)
	if code != 0 || !strings.Contains(out, "transcript is valid") {
		t.Fatalf("verify good: %d %s %s", code, out, stderr)
	}
	bad := filepath.Join(dir, "bad.jwt")
	os.WriteFile(bad, []byte(tr.Token[:len(tr.Token)-4]+"AAAA"), 0o600)
	if code, out, _ := cli(t, "verify", "--store", store, "--issuer", "http://creditbank.test", bad); code != 1 || !strings.Contains(out, "FAIL signature") {
		t.Fatalf("verify tampered: %d %s", code, out)
	}
}

func TestFirstStartPrintsAGeneratedAdminPasswordOnce(t *testing.T) {
	cfg := Config{Store: "sqlite:" + filepath.Join(t.TempDir(), "creditbank.db"), Audience: "creditbank", Issuer: "http://creditbank.test"}
	ctx := context.Background()
	start := func() string {
		app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer app.Close()
		var out bytes.Buffer
		if err := app.bootstrap(ctx, &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	first := start()
	_, password, ok := strings.Cut(strings.SplitN(first, "\n", 2)[0], "password: ")
	if !ok || len(password) < 20 {
		t.Fatalf("first start printed %q", first)
	}
	if second := start(); second != "" {
		t.Errorf("second start printed %q", second)
	}
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if _, err := app.svc.Login(ctx, "admin", password, service.Actor{}); err != nil {
		t.Errorf("printed password does not log in: %v", err)
	}
	// An empty bank: no institutions until an admin registers them.
	if insts, _, _ := app.svc.ListInstitutions(ctx, storage.Page{}); len(insts) != 0 {
		t.Errorf("a non-demo start seeded %d institutions", len(insts))
	}
}

// The chain alone cannot show that its newest entries were cut off; a head
// recorded earlier (--anchor) can.
func TestAuditAnchorDetectsTruncation(t *testing.T) {
	store := seededStore(t)
	code, out, _ := cli(t, "audit", "verify", "--store", store)
	_, head, ok := strings.Cut(out, "head: ")
	if code != 0 || !ok {
		t.Fatalf("verify: %d %s", code, out)
	}
	anchor := strings.Fields(head)[0]
	if code, _, stderr := cli(t, "audit", "verify", "--store", store, "--anchor", anchor); code != 0 {
		t.Fatalf("untouched log against its own anchor: %d %s", code, stderr)
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(store, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if code, _, _ := cli(t, "audit", "verify", "--store", store); code != 0 {
		t.Fatalf("without an anchor a truncated chain still verifies (documented limit), got exit %d", code)
	}
	code, _, stderr := cli(t, "audit", "verify", "--store", store, "--anchor", anchor)
	if code != 1 || !strings.Contains(stderr, "newest entries removed") {
		t.Fatalf("truncation with anchor: exit %d %q", code, stderr)
	}
	if code, _, _ := cli(t, "audit", "verify", "--store", store, "--anchor", "nonsense"); code != 2 {
		t.Errorf("malformed anchor: exit %d, want 2", code)
	}
}
