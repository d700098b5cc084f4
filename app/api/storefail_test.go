package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"creditbank/domain"
	"creditbank/storage/dump"
	"creditbank/storage/storetest"
)

// errInjected is what an adapter returns for a full disk or a lost
// database: the domain's outage error wrapping a cause that names internals.
var errInjected = fmt.Errorf("%w: injected: /var/lib/creditbank/creditbank.db: database or disk is full", domain.ErrUnavailable)

// newFaultyEnv is an env whose service and HTTP layer reach the store only
// through a fault injector.
func newFaultyEnv(t *testing.T) (*env, *storetest.Faulty) {
	t.Helper()
	e := newEnv(t)
	f := storetest.NewFaulty(e.store)
	e.build(f)
	return e, f
}

// exportHash hashes everything an export holds (accounts with their
// ledgers, audit log, institutions, users, rules, policy, keys).
func exportHash(t *testing.T, f *storetest.Faulty) [32]byte {
	t.Helper()
	var buf bytes.Buffer
	if err := dump.Export(context.Background(), f.Inner(), &buf); err != nil {
		t.Fatalf("export for fingerprint: %v", err)
	}
	return sha256.Sum256(buf.Bytes())
}

// wantUnavailable checks the documented 503: error shape, code, advice
// without internals, and a Retry-After.
func wantUnavailable(t *testing.T, res response, what string) {
	t.Helper()
	if res.status != 503 {
		t.Fatalf("%s: status %d, want 503: %s", what, res.status, res.body)
	}
	if code := res.errorCode(t); code != "store_unavailable" {
		t.Fatalf("%s: error code %q, want store_unavailable", what, code)
	}
	if res.header.Get("Retry-After") == "" {
		t.Fatalf("%s: 503 without Retry-After", what)
	}
	if strings.Contains(string(res.body), "injected") || strings.Contains(string(res.body), "/var/lib") {
		t.Fatalf("%s: the 503 leaks the store's error: %s", what, res.body)
	}
}

func TestStoreOutageAnswers503WritesNothingAndRecovers(t *testing.T) {
	for _, tc := range []struct {
		name        string
		fail        func(*storetest.Faulty)
		readsWork   bool
		idempotency bool
	}{
		{"disk full or read-only: writes fail", func(f *storetest.Faulty) { f.FailWrites(errInjected) }, true, false},
		{"writes fail, request with Idempotency-Key", func(f *storetest.Faulty) { f.FailWrites(errInjected) }, true, true},
		{"store unreachable", func(f *storetest.Faulty) { f.FailAll(errInjected) }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, f := newFaultyEnv(t)
			admin := e.adminToken()
			a := e.issuer(admin, "社区学院")
			known, fresh := nid(t, 1), nid(t, 2)
			e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(known, "王秀兰", "插花", 24)})
			before := exportHash(t, f)

			tc.fail(f)
			headers := map[string]string{}
			if tc.idempotency {
				headers["Idempotency-Key"] = "retry-me-1"
			}
			deposits := []struct {
				what string
				body map[string]any
			}{
				{"deposit for a known learner (account update)", outcomeBody(known, "王秀兰", "书法", 32)},
				{"deposit opening an account", outcomeBody(fresh, "李明", "太极", 16)},
			}
			for _, d := range deposits {
				res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: d.body, headers: headers})
				wantUnavailable(t, res, d.what)
			}
			list := e.do(req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})
			if tc.readsWork && list.status != 200 {
				t.Fatalf("reads while only writes fail: %d %s", list.status, list.body)
			}
			if !tc.readsWork {
				wantUnavailable(t, list, "read while unreachable")
			}
			if m := e.must(200, req{method: "GET", path: "/healthz"}); m["status"] != "ok" {
				t.Fatalf("healthz during the outage = %v; liveness must not depend on the store", m)
			}
			ready := e.do(req{method: "GET", path: "/readyz"})
			if !tc.readsWork && (ready.status != 503 || !strings.Contains(string(ready.body), `"unavailable"`)) {
				t.Fatalf("readyz while unreachable: %d %s", ready.status, ready.body)
			}
			if f.Refused() == 0 {
				t.Fatal("no store call was refused: the fault was not exercised")
			}
			if after := exportHash(t, f); after != before {
				t.Fatal("the store changed during the outage: something was partly written")
			}

			f.Heal()
			if m := e.must(200, req{method: "GET", path: "/readyz"}); m["status"] != "ok" {
				t.Fatalf("readyz after recovery = %v", m)
			}
			for _, d := range deposits {
				e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: d.body, headers: headers})
				headers = map[string]string{} // the key belongs to the first body only
			}
			page := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})
			if n := len(page["items"].([]any)); n != 3 {
				t.Fatalf("after recovery the issuer has %d outcomes, want 3", n)
			}
		})
	}
}

// TestLostAcknowledgementChangesAccountOnce: the store applies a save but
// the reply is lost (network error after send, primary step-down before the
// acknowledgement). The service must notice its own save on reload instead
// of applying the change again: exactly one deposit, one revocation.
func TestLostAcknowledgementChangesAccountOnce(t *testing.T) {
	e, f := newFaultyEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 7)
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "王秀兰", "插花", 24)})

	lost := fmt.Errorf("%w: injected: connection reset after the write was sent", domain.ErrUnavailable)
	f.LoseUpdateAcks(1, lost)
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "王秀兰", "书法", 32)})
	f.LoseUpdateAcks(1, lost)
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + out["id"].(string) + "/revoke", token: a.staff, body: map[string]string{"reason": "录入错误"}})
	if f.LostAcks() != 2 {
		t.Fatalf("%d acknowledgements lost, want 2: the fault was not exercised", f.LostAcks())
	}

	e.must(200, req{method: "POST", path: "/api/v1/learners", body: map[string]string{
		"nationalId": id, "name": "王秀兰", "phone": "13800138000", "password": "learner-pass-1"}})
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: e.login(id, "learner-pass-1")})
	if n := len(rec["outcomes"].([]any)); n != 2 {
		t.Fatalf("outcomes = %d, want 2 (one lost acknowledgement must not bank twice)", n)
	}
	var kinds []string
	for _, l := range rec["ledger"].([]any) {
		kinds = append(kinds, l.(map[string]any)["kind"].(string))
	}
	if got := strings.Join(kinds, ","); got != "deposit,deposit,revoke" || rec["ledgerValid"] != true {
		t.Fatalf("ledger = %s (valid %v), want deposit,deposit,revoke", got, rec["ledgerValid"])
	}
	if bal := rec["balance"].(map[string]any); bal["banked"] != 1.5 {
		t.Fatalf("banked = %v, want 1.5", bal["banked"])
	}
}
