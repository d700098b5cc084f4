package mongo_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/mongo"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/storetest"
)

// TestConcurrentUpdateAccountLosesNoUpdate has 20 writers deposit into one
// account at once, each retrying load → deposit → compare-and-swap on
// ErrStale. Every deposit must survive and each save must bump the version
// exactly once.
func TestConcurrentUpdateAccountLosesNoUpdate(t *testing.T) {
	eachTarget(t, func(t *testing.T, target ferrettest.Target) {
		s := openStore(t, target)
		ctx := testCtx(t)
		now := time.Now()
		a := storetest.NewAccount(now)
		if err := s.CreateAccount(ctx, nil, a); err != nil {
			t.Fatalf("create: %v", err)
		}
		issuer := domain.NewID()

		const writers = 20
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		var mu sync.Mutex
		stale := 0
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				o := storetest.NewOutcome(issuer, fmt.Sprintf("课程%02d", i), 1, now)
				for {
					cur, err := s.GetAccount(ctx, a.ID)
					if err != nil {
						errs <- err
						return
					}
					if err := cur.Deposit(o, now); err != nil {
						errs <- err
						return
					}
					err = s.UpdateAccount(ctx, nil, cur)
					if errors.Is(err, domain.ErrStale) {
						mu.Lock()
						stale++
						mu.Unlock()
						continue
					}
					if err != nil {
						errs <- err
					}
					return
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("writer: %v", err)
		}

		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatalf("reload: %v", err)
		}
		if len(got.Outcomes) != writers {
			t.Fatalf("outcomes = %d, want %d (lost updates)", len(got.Outcomes), writers)
		}
		if got.Version != 1+writers {
			t.Fatalf("version = %d, want %d", got.Version, 1+writers)
		}
		if b := got.Balance(now); b.Banked != writers {
			t.Fatalf("banked = %v, want %d", b.Banked, writers)
		}
		if err := got.VerifyLedger(); err != nil {
			t.Fatalf("ledger chain broken by concurrent saves: %v", err)
		}
		t.Logf("%d compare-and-swap retries", stale)
	})
}

func TestErrorsMapToDomainVocabulary(t *testing.T) {
	eachTarget(t, func(t *testing.T, target ferrettest.Target) {
		s := openStore(t, target)
		ctx := testCtx(t)
		now := time.Now()

		a := storetest.NewAccount(now)
		mustDo(t, s.CreateAccount(ctx, nil, a))
		twin := storetest.NewAccount(now)
		twin.PII.NationalIDHash = a.PII.NationalIDHash
		inst := domain.NewID()
		mustDo(t, s.CreateRule(ctx, nil, storetest.NewRule(inst, "R-1", 1, now)))
		user := &domain.User{ID: domain.NewID(), Username: "alice", Role: domain.RoleAdmin, Status: domain.UserActive, CreatedAt: domain.Now(now)}
		mustDo(t, s.CreateUser(ctx, nil, user))
		stale := *a
		stale.Version = 7

		tests := []struct {
			name string
			err  error
			want error
		}{
			{"same national ID hash", s.CreateAccount(ctx, nil, twin), domain.ErrConflict},
			{"same account id", s.CreateAccount(ctx, nil, &domain.Account{ID: a.ID, PII: domain.PersonalData{NationalIDHash: "other"}}), domain.ErrConflict},
			{"same rule code and version", s.CreateRule(ctx, nil, storetest.NewRule(inst, "R-1", 1, now)), domain.ErrConflict},
			{"same username", s.CreateUser(ctx, nil, &domain.User{ID: domain.NewID(), Username: "alice"}), domain.ErrConflict},
			{"stale account version", s.UpdateAccount(ctx, nil, &stale), domain.ErrStale},
			{"update missing account", s.UpdateAccount(ctx, nil, storetest.NewAccount(now)), domain.ErrNotFound},
			{"update missing user", s.UpdateUser(ctx, &domain.User{ID: domain.NewID(), Username: "bob"}), domain.ErrNotFound},
			{"get missing account", second(s.GetAccount(ctx, domain.NewID())), domain.ErrNotFound},
			{"get by unknown hash", second(s.GetAccountByNationalIDHash(ctx, "nope")), domain.ErrNotFound},
			{"get by unknown outcome", second(s.GetAccountByOutcomeID(ctx, domain.NewID())), domain.ErrNotFound},
			{"empty audit log", second(s.LastAudit(ctx)), domain.ErrNotFound},
			{"no credit policy yet", second(s.GetCreditPolicy(ctx)), domain.ErrNotFound},
			{"bad audit cursor", third(s.ListAudit(ctx, storage.AuditFilter{}, storage.Page{Cursor: "x"})), domain.ErrInvalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if !errors.Is(tt.err, tt.want) {
					t.Fatalf("err = %v, want %v", tt.err, tt.want)
				}
			})
		}
		// A conflict must not echo the duplicate key: it is an HMAC of a
		// national ID and error messages reach logs.
		if err := s.CreateAccount(ctx, nil, twin); strings.Contains(err.Error(), a.PII.NationalIDHash) {
			t.Fatalf("conflict error leaks the national-ID hash: %v", err)
		}
	})
}

// TestIssuerAndQueueListsPageAcrossAccounts checks the $unwind pipelines:
// only the asked issuer's outcomes (or institution's conversions of the
// asked status), across accounts, in ascending id order, page by page.
func TestIssuerAndQueueListsPageAcrossAccounts(t *testing.T) {
	eachTarget(t, func(t *testing.T, target ferrettest.Target) {
		s := openStore(t, target)
		ctx := testCtx(t)
		now := time.Now()
		issuer, other, inst := domain.NewID(), domain.NewID(), domain.NewID()

		var wantOutcomes, wantPending, wantAll []string
		for i := 0; i < 4; i++ {
			a := storetest.NewAccount(now)
			for j := 0; j < 3; j++ {
				o := storetest.NewOutcome(issuer, fmt.Sprintf("课程%d-%d", i, j), 1, now)
				mustDo(t, a.Deposit(o, now))
				wantOutcomes = append(wantOutcomes, o.ID.String())
				mustDo(t, a.Deposit(storetest.NewOutcome(other, fmt.Sprintf("其他%d-%d", i, j), 1, now), now))
			}
			for _, st := range []domain.ConversionStatus{domain.ConversionPending, domain.ConversionApproved} {
				c := storetest.NewConversion(a.ID, inst, st, now)
				a.Conversions = append(a.Conversions, c)
				wantAll = append(wantAll, c.ID.String())
				if st == domain.ConversionPending {
					wantPending = append(wantPending, c.ID.String())
				}
			}
			a.Conversions = append(a.Conversions, storetest.NewConversion(a.ID, domain.NewID(), domain.ConversionPending, now))
			mustDo(t, s.CreateAccount(ctx, nil, a))
		}
		slices.Sort(wantOutcomes)
		slices.Sort(wantPending)
		slices.Sort(wantAll)

		gotOutcomes := collectPages(t, func(p storage.Page) ([]string, string, error) {
			os, next, err := s.ListOutcomesByIssuer(ctx, issuer, p)
			return ids(os, func(o domain.Outcome) uuid.UUID { return o.ID }), next, err
		})
		if !reflect.DeepEqual(gotOutcomes, wantOutcomes) {
			t.Fatalf("outcomes by issuer:\n got %v\nwant %v", gotOutcomes, wantOutcomes)
		}
		for _, tc := range []struct {
			status domain.ConversionStatus
			want   []string
		}{{domain.ConversionPending, wantPending}, {"", wantAll}, {domain.ConversionRejected, nil}} {
			got := collectPages(t, func(p storage.Page) ([]string, string, error) {
				cs, next, err := s.ListConversionsByInstitution(ctx, inst, tc.status, p)
				return ids(cs, func(c domain.Conversion) uuid.UUID { return c.ID }), next, err
			})
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("conversions %q:\n got %v\nwant %v", tc.status, got, tc.want)
			}
		}
	})
}

func TestOpenReadsDatabaseFromURIAndIsRepeatable(t *testing.T) {
	uri := ferrettest.Start(t)
	ctx := testCtx(t)
	name := ferrettest.DatabaseName(t)
	for i := 0; i < 2; i++ { // the second Open re-creates existing indexes
		s, err := mongo.Open(ctx, strings.TrimSuffix(uri, "/")+"/"+name)
		if err != nil {
			t.Fatalf("open #%d: %v", i+1, err)
		}
		if s.Database() != name {
			t.Fatalf("database = %q, want %q from the URI path", s.Database(), name)
		}
		if i == 1 {
			mustDo(t, s.DropDatabase(ctx))
		}
		mustDo(t, s.Close())
	}

	_, err := mongo.Open(ctx, "mongodb://user:s3cret@localhost:99999/x")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("bad URI: err = %v; want an error that does not echo the password", err)
	}
}

func collectPages(t *testing.T, list func(storage.Page) ([]string, string, error)) []string {
	t.Helper()
	var all []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("paging does not terminate")
		}
		items, next, err := list(storage.Page{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(items) > 2 {
			t.Fatalf("page of %d items exceeds limit 2", len(items))
		}
		all = append(all, items...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

func ids[T any](items []T, id func(T) uuid.UUID) []string {
	var out []string
	for _, it := range items {
		out = append(out, id(it).String())
	}
	return out
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }

func third[A, B any](_ A, _ B, err error) error { return err }
