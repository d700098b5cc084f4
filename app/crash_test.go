package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/sqlite"
)

// crashClient is one of the concurrent callers of TestCrashRestartLosesNoCredit:
// what it was told, and how often it had to ask again.
type crashClient struct {
	nationalID, name, token string
	outcomes                map[string]uuid.UUID // acknowledged: title → outcome ID
	conversions             map[string]uuid.UUID // acknowledged: rule ID → conversion ID
	retries, inProgress     int
}

// untilAcknowledged repeats one request with the same Idempotency-Key until
// the server answers it: through refused connections while the server is
// down, responses lost to a kill, and 5xx. Any other answer is returned.
func (cc *crashClient) untilAcknowledged(t *testing.T, c *apiClient, token, path, key string, body any) apiResponse {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for pause := 10 * time.Millisecond; ; pause = min(2*pause, 200*time.Millisecond) {
		res, err := c.call("POST", path, token, key, body)
		switch {
		case err != nil, res.status >= 500, res.status == 429:
		case res.status == 409 && res.errorCode() == "idempotency_in_progress":
			cc.inProgress++
		default:
			return res
		}
		if time.Now().After(deadline) {
			t.Errorf("%s with key %s never acknowledged (last: %v %d %s)", path, key, err, res.status, res.body)
			return res
		}
		cc.retries++
		time.Sleep(pause)
	}
}

func (cc *crashClient) run(t *testing.T, c *apiClient, d district, id int, stop *atomic.Bool) {
	nextRule := 0
	for n := 0; !stop.Load(); n++ {
		title := fmt.Sprintf("课程 %d-%05d", id, n)
		res := cc.untilAcknowledged(t, c, d.staff, "/api/v1/outcomes", fmt.Sprintf("c%d-o%d", id, n), outcomeRequest(cc.nationalID, cc.name, title))
		if res.status != 201 {
			t.Errorf("issue %q: %d %s", title, res.status, res.body)
			return
		}
		cc.outcomes[title] = uuid.MustParse(res.decode(t)["id"].(string))
		// Every ten outcomes (ten credits) the learner applies under the
		// next rule; each exclusive conversion holds some of them.
		if (n+1)%10 != 0 || nextRule == len(d.rules) {
			continue
		}
		rule := d.rules[nextRule]
		res = cc.untilAcknowledged(t, c, cc.token, "/api/v1/conversions", fmt.Sprintf("c%d-v%d", id, nextRule), map[string]string{"ruleId": rule})
		if res.status != 201 {
			t.Errorf("apply under rule %d: %d %s", nextRule, res.status, res.body)
			return
		}
		cc.conversions[rule] = uuid.MustParse(res.decode(t)["id"].(string))
		nextRule++
	}
}

// startCrashRun starts the real binary on a fresh file and returns a
// random source whose seed is logged, so a failing run can be replayed.
func startCrashRun(t *testing.T) (*rand.Rand, *childServer, *apiClient) {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	dir := t.TempDir()
	srv := newChildServer(t, buildBinary(t, dir), dir)
	srv.start()
	return rand.New(rand.NewPCG(seed, 0)), srv, newAPIClient(srv.base)
}

// TestCrashRestartLosesNoCredit kills the server with SIGKILL at random
// moments while 8 clients issue outcomes and apply for conversions, each
// with an Idempotency-Key, restarting it on the same file every time. The
// clients retry whatever was not acknowledged. In the end every
// acknowledged outcome and conversion is stored exactly once under the ID
// the client was given, nothing else is, every ledger replays and the
// audit chain verifies.
func TestCrashRestartLosesNoCredit(t *testing.T) {
	const clients, kills = 8, 20
	began := time.Now()
	rng, srv, c := startCrashRun(t)
	d := setUpDistrict(t, c, 4)

	ccs := make([]*crashClient, clients)
	for i := range ccs {
		cc := &crashClient{nationalID: testNationalID(t, i), name: fmt.Sprintf("学员%d号", i),
			outcomes: map[string]uuid.UUID{}, conversions: map[string]uuid.UUID{}}
		c.must(t, 201, "POST", "/api/v1/learners", "", map[string]string{
			"nationalId": cc.nationalID, "name": cc.name, "phone": "1380000000" + fmt.Sprint(i), "password": "learner-password-1"})
		cc.token = c.login(t, cc.nationalID, "learner-password-1")
		ccs[i] = cc
	}

	var stop atomic.Bool
	var wg sync.WaitGroup
	for i, cc := range ccs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc.run(t, c, d, i, &stop)
		}()
	}
	for range kills {
		time.Sleep(time.Duration(150+rng.IntN(900)) * time.Millisecond)
		srv.kill()
		srv.start()
	}
	// Every client finishes the request in hand, retrying until answered.
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if code := srv.terminate(30 * time.Second); code != 0 {
		t.Fatalf("server exited %d on SIGTERM", code)
	}
	if t.Failed() {
		return
	}

	store, err := sqlite.Open(context.Background(), srv.db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	acked, found, conversions, retries, inProgress := 0, 0, 0, 0, 0
	for i, cc := range ccs {
		acked += len(cc.outcomes) + len(cc.conversions)
		retries += cc.retries
		inProgress += cc.inProgress
		acc := accountWithOutcome(t, store, cc.outcomes)
		seen := map[string]int{}
		for _, o := range acc.Outcomes {
			seen[o.Title]++
			found++
			want, ok := cc.outcomes[o.Title]
			switch {
			case !ok:
				t.Errorf("client %d: stored outcome %q was never acknowledged", i, o.Title)
			case o.ID != want:
				t.Errorf("client %d: outcome %q stored as %s, acknowledged as %s", i, o.Title, o.ID, want)
			}
		}
		for title := range cc.outcomes {
			if seen[title] != 1 {
				t.Errorf("client %d: acknowledged outcome %q stored %d times", i, title, seen[title])
			}
		}
		if len(acc.Conversions) != len(cc.conversions) {
			t.Errorf("client %d: %d conversions stored, %d acknowledged", i, len(acc.Conversions), len(cc.conversions))
		}
		for rule, id := range cc.conversions {
			if conv, ok := acc.Conversion(id); !ok || conv.RuleID.String() != rule {
				t.Errorf("client %d: acknowledged conversion %s under rule %s not stored", i, id, rule)
			}
		}
		conversions += len(acc.Conversions)
	}
	accounts, total := checkLedgers(t, store)
	if total != found {
		t.Errorf("the store holds %d outcomes in %d accounts, the clients' learners %d", total, accounts, found)
	}
	// A retry right after a restart takes the dead process's reservation
	// over; it never waits for it to expire.
	if inProgress != 0 {
		t.Errorf("%d retries were told idempotency_in_progress", inProgress)
	}
	if code, out, stderr := cli(t, "audit", "verify", "--store", srv.store()); code != 0 || !strings.Contains(out, "audit log valid") {
		t.Errorf("audit verify: exit %d: %s %s", code, out, stderr)
	}
	// Retries that took over a dead attempt which had already committed
	// say so in the audit log.
	recovered := 0
	err = store.ScanAudit(context.Background(), func(e domain.AuditEntry) error {
		if strings.Contains(e.Detail, "retry=interrupted") {
			recovered++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("kills %d, requests acknowledged %d (outcomes %d, conversions %d), outcomes found %d, conversions found %d, retries %d, of which found their killed attempt's commit %d, duration %s",
		kills, acked, acked-conversions, conversions, found, conversions, retries, recovered, time.Since(began).Round(100*time.Millisecond))
}

// accountWithOutcome finds the account holding any of the outcomes.
func accountWithOutcome(t *testing.T, store storage.Store, outcomes map[string]uuid.UUID) *domain.Account {
	t.Helper()
	for _, id := range outcomes {
		acc, err := store.GetAccountByOutcomeID(context.Background(), id)
		if err != nil {
			t.Fatalf("acknowledged outcome %s: %v", id, err)
		}
		return acc
	}
	t.Fatal("a client had no outcome acknowledged")
	return nil
}

// importRowKind is what a row of the crash import CSV is meant to be.
type importRowKind int

const (
	rowBanks importRowKind = iota
	rowFails
	rowDuplicates // the same outcome as the row before
)

// crashImportCSV builds an upload of n rows with a failing row every 37 and
// a repeated row every 53, and returns each row's kind.
func crashImportCSV(t *testing.T, n int) ([]byte, []importRowKind) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("nationalId,name,category,title,courseCode,hours,passed,completedOn\n")
	kinds := make([]importRowKind, n)
	completed := time.Now().AddDate(0, -2, 0).Format("2006-01-02")
	last := ""
	for i := range n {
		switch {
		case i%37 == 5:
			kinds[i] = rowFails
			fmt.Fprintf(&b, "%s,学员,community,导入课程 %05d,IMP-%05d,abc,是,%s\n", testNationalID(t, 1000+i), i, i, completed)
		case i%53 == 20 && kinds[i-1] == rowBanks:
			kinds[i] = rowDuplicates
			b.WriteString(last)
		default:
			last = fmt.Sprintf("%s,学员,community,导入课程 %05d,IMP-%05d,16,是,%s\n", testNationalID(t, 1000+i), i, i, completed)
			b.WriteString(last)
		}
	}
	return b.Bytes(), kinds
}

// TestCrashDuringImport kills the server while a 50 000-row import runs.
// After the restart the job reports itself failed, naming how many rows
// are settled, and its counts are exactly what the store holds: every
// banked row before that point, none after it.
func TestCrashDuringImport(t *testing.T) {
	const rows = 50000
	began := time.Now()
	rng, srv, c := startCrashRun(t)
	d := setUpDistrict(t, c, 0)
	data, kinds := crashImportCSV(t, rows)

	res, err := c.call("POST", "/api/v1/outcomes/import", d.staff, "import-1", data)
	if err != nil || res.status != 202 {
		t.Fatalf("upload: %v %d %s", err, res.status, res.body)
	}
	jobPath := "/api/v1/imports/" + res.decode(t)["id"].(string)
	killAfter := 100 + rng.IntN(200)
	var seen float64
	for seen < float64(killAfter) {
		time.Sleep(20 * time.Millisecond)
		job := c.must(t, 200, "GET", jobPath, d.staff, nil)
		if job["state"] != "running" && job["state"] != "queued" {
			t.Fatalf("job %v before the kill", job["state"])
		}
		seen = job["done"].(float64)
	}
	time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
	srv.kill()
	srv.start()

	job := c.must(t, 200, "GET", jobPath, d.staff, nil)
	done := int(job["done"].(float64))
	if job["state"] != "failed" || done < int(seen) || done >= rows {
		t.Fatalf("after the restart the job is %v with %d of %d rows done (%v seen before the kill)", job["state"], done, rows, seen)
	}
	// Rows after the settled ones may have been banked in the window the
	// kill interrupted: those are counted and named in the note.
	store0, err := sqlite.Open(context.Background(), srv.db)
	if err != nil {
		t.Fatal(err)
	}
	bankedAfter := []int{}
	err = store0.ScanAccounts(context.Background(), func(a *domain.Account) error {
		for _, o := range a.Outcomes {
			var i int
			if _, err := fmt.Sscanf(o.Title, "导入课程 %d", &i); err == nil && i >= done {
				bankedAfter = append(bankedAfter, i)
			}
		}
		return nil
	})
	store0.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := map[importRowKind]int{}
	for _, k := range kinds[:done] {
		want[k]++
	}
	// Every banked row is a new learner's: it opened an account.
	for field, n := range map[string]int{"ok": want[rowBanks] + len(bankedAfter), "created": want[rowBanks] + len(bankedAfter),
		"failed": want[rowFails], "duplicates": want[rowDuplicates]} {
		if got := int(job[field].(float64)); got != n {
			t.Errorf("job %s = %d, want %d for the first %d rows and %d banked after them", field, got, n, done, len(bankedAfter))
		}
	}
	// The job lists failed rows, duplicates (code "duplicate", counted
	// above) and, last, the note on the interruption.
	errs := job["errors"].([]any)
	note := errs[len(errs)-1].(map[string]any)["reason"].(string)
	failedRows := 0
	for _, e := range errs[:len(errs)-1] {
		if e.(map[string]any)["code"] != "duplicate" {
			failedRows++
		}
	}
	if failedRows != want[rowFails] || !contains(note, "interrupted", fmt.Sprintf("rows 1–%d are settled", done)) {
		t.Errorf("job errors: %v", errs)
	}
	for _, i := range bankedAfter {
		if i >= done+service.ImportWindow || kinds[i] != rowBanks || !strings.Contains(note, fmt.Sprint(i+1)) {
			t.Errorf("row %d banked after the %d settled ones but not named, not in the interrupted window, or not a banking row: %s", i+1, done, note)
		}
	}
	// Reading it again settles nothing twice.
	if again := c.must(t, 200, "GET", jobPath, d.staff, nil); again["ok"] != job["ok"] || again["done"] != job["done"] {
		t.Errorf("job read twice differs: %v then %v", job, again)
	}
	if code := srv.terminate(30 * time.Second); code != 0 {
		t.Fatalf("server exited %d on SIGTERM", code)
	}

	store, err := sqlite.Open(context.Background(), srv.db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	banked := map[string]int{}
	err = store.ScanAccounts(context.Background(), func(a *domain.Account) error {
		for _, o := range a.Outcomes {
			banked[o.Title]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	after := map[int]bool{}
	for _, i := range bankedAfter {
		after[i] = true
	}
	for i, k := range kinds {
		title := fmt.Sprintf("导入课程 %05d", i)
		wantN := 0
		if (i < done && k == rowBanks) || after[i] {
			wantN = 1
		}
		if banked[title] != wantN {
			t.Errorf("row %d (%v, %d rows settled): banked %d times, want %d", i+1, k, done, banked[title], wantN)
		}
	}
	accounts, outcomes := checkLedgers(t, store)
	if code, out, stderr := cli(t, "audit", "verify", "--store", srv.store()); code != 0 || !strings.Contains(out, "audit log valid") {
		t.Errorf("audit verify: exit %d: %s %s", code, out, stderr)
	}
	t.Logf("import killed after %d of %d rows were reported; job settled at %d rows (+%d banked in the interrupted window): %v ok, %v failed, %v duplicates; store holds %d outcomes in %d accounts; duration %s",
		int(seen), rows, done, len(bankedAfter), job["ok"], job["failed"], job["duplicates"], outcomes, accounts, time.Since(began).Round(100*time.Millisecond))
}
