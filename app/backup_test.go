package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/sqlite"
)

// testNationalID makes the n-th of many valid national IDs: a birth date
// per thousand, a sequence number within it.
func testNationalID(t *testing.T, n int) string {
	t.Helper()
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n/1000)
	id, err := domain.CompleteNationalID(fmt.Sprintf("110105%s%03d", birth.Format("20060102"), n%1000))
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}

// checkLedgers replays every account's ledger and compares it with the
// balance the account's outcomes and conversions give; it returns how
// many accounts and outcomes the store holds.
func checkLedgers(t *testing.T, store storage.Store) (accounts, outcomes int) {
	t.Helper()
	now := time.Now()
	err := store.ScanAccounts(context.Background(), func(a *domain.Account) error {
		accounts++
		outcomes += len(a.Outcomes)
		if err := a.VerifyLedger(); err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
		if got, want := a.LedgerBalance(), a.Balance(now).Available; got != want {
			return fmt.Errorf("account %s: ledger replays to %v, balance is %v", a.ID, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return accounts, outcomes
}

// issuingActor is an API client of the first demo institution that may
// issue outcomes of category.
func issuingActor(t *testing.T, store storage.Store, category domain.Category) service.Actor {
	t.Helper()
	insts, _, err := store.ListInstitutions(context.Background(), storage.Page{Limit: storage.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, inst := range insts {
		if inst.CheckIssue(category) == nil {
			return service.Actor{Role: domain.RoleClient, ID: domain.NewID(), InstitutionID: inst.ID}
		}
	}
	t.Fatalf("no demo institution issues %s outcomes", category)
	return service.Actor{}
}

func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "creditbank.db")
	cfg := Config{Store: "sqlite:" + dbPath, Audience: "creditbank", Issuer: "http://creditbank.test", Demo: true}
	ctx := context.Background()
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if err := app.bootstrap(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	actor := issuingActor(t, app.store, domain.CategoryCommunity)
	before, _ := checkLedgers(t, app.store)

	// Writers deposit for new learners until the backup is done.
	stop := make(chan struct{})
	var issued atomic.Int64
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := app.svc.IssueOutcome(ctx, actor, service.Op{}, service.IssueInput{
					NationalID: testNationalID(t, w*100000+i), Name: "备份测试",
					Outcome: domain.OutcomeInput{Category: "community", Title: fmt.Sprintf("课程 %d-%d", w, i), Hours: 16,
						Result: domain.Result{Passed: ptr(true)}, CompletedOn: time.Now().AddDate(0, -1, 0)},
				})
				if err != nil {
					t.Errorf("issue: %v", err)
					return
				}
				issued.Add(1)
			}
		}()
	}
	for issued.Load() < 20 {
		time.Sleep(5 * time.Millisecond)
	}
	backup := filepath.Join(dir, "snapshot.db")
	code, out, stderr := cli(t, "backup", "--store", cfg.Store, backup)
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "backup written") {
		t.Fatalf("backup: exit %d: %s %s", code, out, stderr)
	}
	atEnd := issued.Load()

	snap, err := sqlite.Open(ctx, backup)
	if err != nil {
		t.Fatalf("open backup as a store: %v", err)
	}
	accounts, outcomes := checkLedgers(t, snap)
	snap.Close()
	// Each deposit opened one account: the snapshot holds the demo's and
	// some, not necessarily all, of those made while it was taken.
	if accounts < before+20 || int64(accounts) > int64(before)+atEnd {
		t.Fatalf("backup holds %d accounts; %d before writes began, %d written", accounts, before, atEnd)
	}
	if code, out, stderr := cli(t, "audit", "verify", "--store", "sqlite:"+backup); code != 0 || !strings.Contains(out, "audit log valid") {
		t.Fatalf("audit verify on the backup: exit %d: %s %s", code, out, stderr)
	}
	t.Logf("backup of %d accounts (%d outcomes) taken while %d deposits were made", accounts, outcomes, atEnd)
}

func ptr[T any](v T) *T { return &v }
