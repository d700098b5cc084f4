package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// diesBeforeCompleting is a store on which every request's work commits but
// its idempotency record is never completed: the state a kill -9 leaves
// between the two writes.
type diesBeforeCompleting struct {
	storage.Store
}

func (diesBeforeCompleting) CompleteIdempotency(context.Context, string, string, int, []byte) error {
	return nil
}

func TestIdempotencyReservationOfDeadProcess(t *testing.T) {
	tests := []struct {
		name string
		// recordFirst registers the first process's epoch, as serve does.
		recordFirst bool
		// restart moves the test to the next process; it returns whether
		// the first process is to be treated as still running.
		restart  func(t *testing.T, e *env, store storage.Store)
		wantLive bool
	}{
		{"same instance restarted", true, func(t *testing.T, e *env, store storage.Store) {
			e.build(store)
			beginEpoch(t, e, "host-1:8080")
		}, false},
		{"process never recorded", false, func(t *testing.T, e *env, store storage.Store) {
			e.build(store)
		}, false},
		{"another live instance", true, func(t *testing.T, e *env, store storage.Store) {
			e.build(store)
			beginEpoch(t, e, "host-2:8080")
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			store := e.store
			admin := e.adminToken()
			a := e.issuer(admin, "社区学院")
			body := outcomeBody(nid(t, 31), "刘洋", "急救培训", 32)
			headers := map[string]string{"Idempotency-Key": "row-31"}

			e.build(diesBeforeCompleting{store})
			if tc.recordFirst {
				beginEpoch(t, e, "host-1:8080")
			}
			first := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
			// In the same process the reservation is a request in flight.
			res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
			if res.status != 409 || res.errorCode(t) != "idempotency_in_progress" {
				t.Fatalf("retry in the same process: %d %s", res.status, res.body)
			}

			tc.restart(t, e, store)
			res = e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
			if tc.wantLive {
				if res.status != 409 || res.errorCode(t) != "idempotency_in_progress" {
					t.Fatalf("retry while the first process lives: %d %s", res.status, res.body)
				}
				return
			}
			if res.status != 201 || res.json(t)["id"] != first["id"] {
				t.Fatalf("retry after the first process died: %d %s, want 201 with outcome %v", res.status, res.body, first["id"])
			}
			acc, err := store.GetAccountByOutcomeID(context.Background(), uuid.MustParse(first["id"].(string)))
			if err != nil {
				t.Fatal(err)
			}
			if len(acc.Outcomes) != 1 || len(acc.Ledger) != 1 {
				t.Fatalf("account holds %d outcomes and %d ledger entries, want 1 and 1", len(acc.Outcomes), len(acc.Ledger))
			}
			// Now completed: a further retry replays.
			replay := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
			if replay.status != 201 || replay.header.Get("Idempotent-Replayed") != "true" || replay.json(t)["id"] != first["id"] {
				t.Fatalf("replay: %d %s", replay.status, replay.body)
			}
		})
	}
}

func beginEpoch(t *testing.T, e *env, instance string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done, err := e.svc.BeginEpoch(ctx, instance)
	if err != nil {
		cancel()
		t.Fatalf("begin epoch: %v", err)
	}
	t.Cleanup(func() { cancel(); <-done })
}

func TestImportUploadRetriedAfterCrashReturnsItsJob(t *testing.T) {
	e := newEnv(t)
	store := e.store
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	csv := "nationalId,name,category,title,courseCode,hours,score,completedOn\n" +
		nid(t, 41) + ",钱学员,community,社区合唱,CC-01,32,90,2025-03-01\n" +
		nid(t, 42) + ",孙学员,community,社区合唱,CC-01,32,90,2025-03-01\n"
	up := csvUpload([]byte(csv))
	up.token, up.headers["Idempotency-Key"] = a.staff, "upload-1"

	e.build(diesBeforeCompleting{store})
	first := e.must(202, up)
	job := e.waitImport(a.staff, first["id"].(string))

	e.build(store) // the next process; the first never recorded its epoch
	again := e.must(202, up)
	if again["id"] != first["id"] {
		t.Fatalf("retried upload started job %v, want the first one %v", again["id"], first["id"])
	}
	if job["ok"] != 2.0 {
		t.Fatalf("job = %v", job)
	}
	var outcomes int
	err := store.ScanAccounts(context.Background(), func(a *domain.Account) error { outcomes += len(a.Outcomes); return nil })
	if err != nil || outcomes != 2 {
		t.Fatalf("store holds %d outcomes (%v), want the 2 rows once", outcomes, err)
	}
}

func TestImportStoppedAtShutdownSaysHowFarItGot(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	var b strings.Builder
	b.WriteString("nationalId,name,category,title,courseCode,hours,score,completedOn\n")
	// More rows than one window: the stop is heeded between windows.
	rows := 2*service.ImportWindow + 100
	for i := range rows {
		fmt.Fprintf(&b, "%s,学员,community,课程%04d,C%04d,16,90,2025-03-01\n", nid(t, i%1000), i, i)
	}
	up := csvUpload([]byte(b.String()))
	up.token = a.staff
	id := e.must(202, up)["id"].(string)
	e.svc.StopImports()

	job := e.waitImport(a.staff, id)
	done := int(job["done"].(float64))
	if job["state"] != "failed" || done >= rows || job["ok"] != float64(done) {
		t.Fatalf("stopped job: %v", job)
	}
	errs := job["errors"].([]any)
	settled := fmt.Sprintf("rows 1–%d are settled", done)
	if done == 0 {
		settled = "nothing was banked"
	}
	if len(errs) != 1 || !strings.Contains(errs[0].(map[string]any)["reason"].(string), settled) {
		t.Fatalf("job errors: %v", errs)
	}
	var outcomes int
	err := e.store.ScanAccounts(context.Background(), func(a *domain.Account) error { outcomes += len(a.Outcomes); return nil })
	if err != nil || outcomes != done {
		t.Fatalf("store holds %d outcomes (%v); the job says %d rows were banked", outcomes, err, done)
	}
}

// TestConcurrentRetriesOfOneKeyBankOnce sends one keyed deposit many times
// at once. On SQLite the key is reserved inside the deposit's own write, so
// the copies race to that write: one banks the outcome, the others apply
// nothing and are answered as retries (the replay, or "in progress").
func TestConcurrentRetriesOfOneKeyBankOnce(t *testing.T) {
	for _, learner := range []string{"new learner", "existing learner"} {
		t.Run(learner, func(t *testing.T) {
			e := newEnv(t)
			a := e.issuer(e.adminToken(), "社区学院")
			id := nid(t, 61)
			if learner == "existing learner" {
				e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "周敏", "太极拳", 16)})
			}
			body := outcomeBody(id, "周敏", "八段锦", 16)
			headers := map[string]string{"Idempotency-Key": "retry-storm"}
			const n = 16
			results := make([]response, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
				}()
			}
			wg.Wait()
			ids := map[any]bool{}
			for i, r := range results {
				switch {
				case r.status == 201:
					ids[r.json(t)["id"]] = true
				case r.status == 409 && r.errorCode(t) == "idempotency_in_progress":
				default:
					t.Errorf("copy %d: %d %s", i, r.status, r.body)
				}
			}
			if len(ids) != 1 {
				t.Fatalf("the copies were answered with %d different outcomes, want 1", len(ids))
			}
			var outcome string
			for id := range ids {
				outcome = id.(string)
			}
			acc, err := e.store.GetAccountByOutcomeID(context.Background(), uuid.MustParse(outcome))
			if err != nil {
				t.Fatal(err)
			}
			banked := 0
			for _, o := range acc.Outcomes {
				if o.Title == "八段锦" {
					banked++
				}
			}
			if banked != 1 {
				t.Fatalf("the account holds the outcome %d times, want once", banked)
			}
			replay := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
			if replay.status != 201 || replay.header.Get("Idempotent-Replayed") != "true" || replay.json(t)["id"] != outcome {
				t.Fatalf("retry after the storm: %d %s", replay.status, replay.body)
			}
		})
	}
}

// TestFailedKeyedRequestLeavesTheKeyFree: a request that fails is not
// remembered, so the client can fix it and send it again with the same key.
func TestFailedKeyedRequestLeavesTheKeyFree(t *testing.T) {
	e := newEnv(t)
	a := e.issuer(e.adminToken(), "社区学院")
	headers := map[string]string{"Idempotency-Key": "fix-and-resend"}
	bad := outcomeBody(nid(t, 62), "吴刚", "", 16) // no title
	if res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: bad, headers: headers}); res.status != 422 {
		t.Fatalf("bad request: %d %s", res.status, res.body)
	}
	good := outcomeBody(nid(t, 62), "吴刚", "园艺", 16)
	first := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: good, headers: headers})
	replay := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: good, headers: headers})
	if replay.status != 201 || replay.json(t)["id"] != first["id"] || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay of the fixed request: %d %s", replay.status, replay.body)
	}
}
