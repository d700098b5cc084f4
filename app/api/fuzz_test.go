package api_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"creditbank/app/api"
	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/storage/sqlite"
)

// fuzzEnv is one product instance for a whole fuzz run: its store lives as
// long as the *testing.F, while env.t is set to each input's *testing.T.
func fuzzEnv(f *testing.F) *env {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	master := make([]byte, 32)
	_, _ = rand.Read(master)
	vault, err := auth.NewVault(master)
	if err != nil {
		f.Fatal(err)
	}
	keys, err := auth.LoadKeySet(ctx, store, vault, nil)
	if err != nil {
		f.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	e := &env{store: store, vault: vault}
	e.tokens = auth.NewTokenService(testIssuer, testAudience, keys, nil)
	transcripts := auth.NewTranscriptSigner(testIssuer, keys, nil)
	e.svc = service.New(store, vault, e.tokens, service.Config{Logger: log, Transcripts: transcripts,
		Credentials: testCredentialKeys(f, store, vault, testIssuer)})
	e.app = api.New(e.svc, e.tokens, keys, api.Config{Logger: log, LoginBurst: 1000, LoginRate: 1000})
	if _, err := e.svc.EnsureAdmin(ctx, adminPassword); err != nil {
		f.Fatal(err)
	}
	return e
}

func seedJSON(f *testing.F, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
}

// FuzzOutcomeRequest sends arbitrary bodies to POST /api/v1/outcomes through
// the real Fiber app, as an issuing staff member. Whatever the body, the
// answer is a client error or a created outcome in the API's shapes: never a
// 5xx, never a panic.
func FuzzOutcomeRequest(f *testing.F) {
	valid := outcomeBody("11010519491231002X", "王秀兰", "插花", 24)
	seedJSON(f, valid)
	for _, change := range []func(m map[string]any){
		func(m map[string]any) { m["result"] = map[string]any{"grade": "B"} },
		func(m map[string]any) { m["result"] = map[string]any{"passed": true}; m["credits"] = 1.5 },
		func(m map[string]any) { m["result"] = map[string]any{"score": 59, "passMark": 50} },
		func(m map[string]any) { m["expiresOn"] = "2999-12-31"; m["category"] = "senior"; m["level"] = 3 },
		func(m map[string]any) { m["hours"] = 1e308 },
		func(m map[string]any) { m["credits"] = -0.0 },
		func(m map[string]any) { m["completedOn"] = "1949-10-01" },
		func(m map[string]any) { m["completedOn"] = "2024-02-30" },
		func(m map[string]any) {
			m["learner"] = map[string]any{"nationalId": "11010519491231002x", "name": "  "}
		},
		func(m map[string]any) { m["title"] = string(make([]byte, 300)) },
		func(m map[string]any) { m["category"] = "academic" },
		func(m map[string]any) { m["extra"] = true },
	} {
		m := outcomeBody("11010519491231002X", "王秀兰", "插花", 24)
		change(m)
		seedJSON(f, m)
	}
	for _, raw := range []string{"", "null", "[]", "{}", `{"hours": 1e400}`, `{"learner": []}`, `{"result": {"score": "A"}}`,
		`{"completedOn": 20240101}`, `{} {}`, `{"hours": NaN}`, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[", `{"learner":{"nationalId":"\u0000"}}`} {
		f.Add([]byte(raw))
	}
	e := fuzzEnv(f)
	var staff string
	f.Fuzz(func(t *testing.T, body []byte) {
		e.t = t
		if staff == "" {
			admin := e.adminToken()
			inst := e.createInstitution(admin, "模糊测试学院", []string{"issue"}, []string{"community", "senior", "academic", "vocational"})
			staff = e.createStaff(admin, inst.id, "fuzz.clerk", "issue")
		}
		res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: staff, body: body})
		if res.status >= 500 {
			t.Fatalf("status %d for %q: %s", res.status, body, res.body)
		}
		m := res.json(t)
		switch {
		case res.status == 201:
			if m["id"] == nil || m["credits"] == nil || m["status"] != "active" {
				t.Fatalf("created outcome without its fields: %s", res.body)
			}
		case res.status >= 400:
			if res.errorCode(t) == "" {
				t.Fatalf("status %d without the error shape: %s", res.status, res.body)
			}
		default:
			t.Fatalf("unexpected status %d: %s", res.status, res.body)
		}
	})
}
