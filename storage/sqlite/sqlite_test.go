package sqlite_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
	"creditbank/storage/sqlite"
	"creditbank/storage/storetest"
)

func openAt(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store {
		return openAt(t, filepath.Join(t.TempDir(), "creditbank.db"))
	})
}

// TestContractWithoutAccountCache runs the contract again with nothing
// cached: saves then read the side rows and tallies they replace instead of
// deriving them from the cached document, and both ways must agree.
func TestContractWithoutAccountCache(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storage.Store {
		s := openAt(t, filepath.Join(t.TempDir(), "creditbank.db"))
		sqlite.WithoutAccountCache(s)
		return s
	})
}

func TestOpenCreatesDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "data", "creditbank.db")
	s := openAt(t, path)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

func TestOpenRejectsURIPath(t *testing.T) {
	if _, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "x.db?mode=ro")); err == nil {
		t.Fatal("a path with a query string must be refused, not silently reinterpreted")
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creditbank.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.NewRichAccount(domain.NewID(), domain.NewID(), timeNow())
	if err := s.CreateAccount(t.Context(), nil, a); err != nil {
		t.Fatal(err)
	}
	r := storetest.NewRichRule(domain.NewID(), "R", timeNow())
	if err := s.CreateRule(t.Context(), nil, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	s2 := openAt(t, path)
	got, err := s2.GetAccount(t.Context(), a.ID)
	if err != nil {
		t.Fatalf("get after reopen: %v", err)
	}
	storetestDeepEqual(t, got, a)
	gotRule, err := s2.GetRule(t.Context(), r.ID)
	if err != nil {
		t.Fatalf("get rule after reopen: %v", err)
	}
	storetestDeepEqual(t, gotRule, r)
	byIssuer, _, err := s2.ListOutcomesByIssuer(t.Context(), a.Outcomes[0].IssuerID, storage.Page{})
	if err != nil || len(byIssuer) != len(a.Outcomes) {
		t.Fatalf("issuer index after reopen: %d outcomes, %v; want %d", len(byIssuer), err, len(a.Outcomes))
	}
}

func TestMigrationIdempotentOnReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creditbank.db")
	first := openAt(t, path)
	v1, err := first.SchemaVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if v1 < 1 {
		t.Fatalf("schema version %d after first open", v1)
	}
	inst := storetest.NewInstitution("学院")
	if err := first.CreateInstitution(t.Context(), nil, inst); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		s, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		v, err := s.SchemaVersion(t.Context())
		if err != nil || v != v1 {
			t.Fatalf("reopen %d: schema version %d (%v), want %d", i, v, err, v1)
		}
		if _, err := s.GetInstitution(t.Context(), inst.ID); err != nil {
			t.Fatalf("reopen %d: data lost: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// Fifty writers on one account through one store: every compare-and-swap
// must eventually land, and none may fail with SQLITE_BUSY.
func TestFiftyConcurrentWriters(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "creditbank.db"))
	a := storetest.NewAccount(timeNow())
	if err := s.CreateAccount(t.Context(), nil, a); err != nil {
		t.Fatal(err)
	}
	issuer := domain.NewID()
	const writers = 50
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := storetest.NewOutcome(issuer, fmt.Sprintf("课程%02d", i), 0.5, timeNow())
			errs <- retryDeposit(t, s, a.ID, o)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("writer failed: %v", err)
		}
	}
	got, err := s.GetAccount(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Outcomes) != writers || got.Version != writers+1 {
		t.Fatalf("%d outcomes at version %d; want %d at %d", len(got.Outcomes), got.Version, writers, writers+1)
	}
	if err := got.VerifyLedger(); err != nil {
		t.Fatalf("ledger: %v", err)
	}
	if b := got.Balance(timeNow()); b.Banked != writers*0.5 {
		t.Fatalf("banked %v, want %v", b.Banked, writers*0.5)
	}
}

// Two Store values on one file behave like two processes: their writers
// contend for SQLite's lock, which busy_timeout must absorb.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creditbank.db")
	s1, s2 := openAt(t, path), openAt(t, path)
	a := storetest.NewAccount(timeNow())
	if err := s1.CreateAccount(t.Context(), nil, a); err != nil {
		t.Fatal(err)
	}
	issuer := domain.NewID()
	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := s1
			if i%2 == 1 {
				s = s2
			}
			errs <- retryDeposit(t, s, a.ID, storetest.NewOutcome(issuer, fmt.Sprintf("课%02d", i), 1, timeNow()))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("writer failed: %v", err)
		}
	}
	got, err := s2.GetAccount(t.Context(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Outcomes) != writers {
		t.Fatalf("%d outcomes, want %d", len(got.Outcomes), writers)
	}
}

// ScanAccounts reads in batches; more accounts than one batch must all be
// visited once, in order.
func TestScanCrossesBatches(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "creditbank.db"))
	const total = 250
	for range total {
		if err := s.CreateAccount(t.Context(), nil, storetest.NewAccount(timeNow())); err != nil {
			t.Fatal(err)
		}
	}
	var prev string
	n := 0
	err := s.ScanAccounts(t.Context(), func(a *domain.Account) error {
		id := a.ID.String()
		if id <= prev {
			return fmt.Errorf("scan out of order: %s after %s", id, prev)
		}
		prev = id
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != total {
		t.Fatalf("scan visited %d accounts, want %d", n, total)
	}
}

func retryDeposit(t *testing.T, s storage.Store, id uuid.UUID, o domain.Outcome) error {
	for {
		a, err := s.GetAccount(t.Context(), id)
		if err != nil {
			return err
		}
		if err := a.Deposit(o, timeNow()); err != nil {
			return err
		}
		err = s.UpdateAccount(t.Context(), nil, a)
		if errors.Is(err, domain.ErrStale) {
			continue
		}
		return err
	}
}

// A database from before the shared-records index (schema 1) gains the index
// for its existing grants when the new program opens it.
func TestMigrationTwoIndexesExistingGrants(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creditbank.db")
	s := openAt(t, path)
	inst := domain.NewID()
	a := storetest.NewAccount(domain.Now(time.Now()))
	if err := s.CreateAccount(t.Context(), nil, a); err != nil {
		t.Fatal(err)
	}
	if _, err := a.GrantAccess(inst, 30, domain.Now(time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateAccount(t.Context(), nil, a); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Wind the file back to schema 1, as an older release left it (the
	// later migrations' tables go too, the indexes migration 7 dropped come
	// back, and the account is a JSON document).
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(record.FromAccount(a))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE accounts SET doc = ? WHERE id = ?`, string(js), a.ID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TABLE account_grants; DROP TABLE account_helpers; DROP TABLE epochs; DROP INDEX accounts_untallied; ALTER TABLE accounts DROP COLUMN tallies; DROP TABLE stat_tallies; DROP TABLE courses; DROP TABLE status_indexes; DROP TABLE verification_codes; DROP TABLE units;
		DROP INDEX account_outcomes_unsearchable; ALTER TABLE account_outcomes DROP COLUMN course_code; ALTER TABLE account_outcomes DROP COLUMN status;
		ALTER TABLE account_outcomes DROP COLUMN completed_on; ALTER TABLE account_outcomes DROP COLUMN learner_name;
		DROP INDEX import_jobs_by_institution; ALTER TABLE import_jobs DROP COLUMN institution_id;
		CREATE INDEX account_outcomes_by_account ON account_outcomes(account_id);
		CREATE INDEX account_conversions_by_account ON account_conversions(account_id);
		UPDATE schema_version SET version = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s = openAt(t, path)
	if v, err := s.SchemaVersion(t.Context()); err != nil || v != sqlite.MigrationCount {
		t.Fatalf("schema version %d (%v), want %d", v, err, sqlite.MigrationCount)
	}
	items, _, err := s.ListAccountsSharedWith(t.Context(), inst, storage.Page{})
	if err != nil || len(items) != 1 || items[0].ID != a.ID {
		t.Fatalf("shared after migration: %v %v", items, err)
	}
}
