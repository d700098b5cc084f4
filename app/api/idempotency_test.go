package api_test

import (
	"context"
	"fmt"
	"strings"
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
