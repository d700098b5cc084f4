package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

func createAccount(t *testing.T, s storage.Store, a *domain.Account) *domain.Account {
	t.Helper()
	noErr(t, s.CreateAccount(t.Context(), nil, a), "create account")
	return a
}

func getAccount(t *testing.T, s storage.Store, id uuid.UUID) *domain.Account {
	t.Helper()
	a, err := s.GetAccount(t.Context(), id)
	noErr(t, err, "get account")
	return a
}

// updateWithRetry applies change to the freshest copy until the
// compare-and-swap lands, as the service layer does.
func updateWithRetry(s storage.Store, t *testing.T, id uuid.UUID, change func(*domain.Account) error) error {
	for attempt := 0; attempt < 1000; attempt++ {
		a, err := s.GetAccount(t.Context(), id)
		if err != nil {
			return err
		}
		if err := change(a); err != nil {
			return err
		}
		err = s.UpdateAccount(t.Context(), nil, a)
		if errors.Is(err, domain.ErrStale) {
			continue
		}
		return err
	}
	return fmt.Errorf("update of %s never landed", id)
}

func deposit(t *testing.T, s storage.Store, id uuid.UUID, o domain.Outcome) {
	t.Helper()
	noErr(t, updateWithRetry(s, t, id, func(a *domain.Account) error { return a.Deposit(o, now()) }), "deposit")
}

func outcomeIDs(os []domain.Outcome) []uuid.UUID {
	out := make([]uuid.UUID, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}

func conversionIDs(cs []domain.Conversion) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return compareIDs(a, b) })
	return out
}

// compareIDs orders IDs as their canonical strings do, which is how every
// store pages.
func compareIDs(a, b uuid.UUID) int {
	x, y := a.String(), b.String()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func accountTests() []contractTest {
	return []contractTest{
		{"UpdateAccountRefilesUnderANewNationalIDHash", func(t *testing.T, s storage.Store) {
			// A master-key rotation changes every account's lookup hash in
			// place: the new hash must find it, the old one must not, and
			// the old one is free again.
			a := createAccount(t, s, NewAccount(now()))
			other := createAccount(t, s, NewAccount(now()))
			oldHash, newHash := a.PII.NationalIDHash, randomHash()
			a.PII.NationalIDHash, a.PII.NationalIDSealed = newHash, "resealed:"+randomHash()
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update with a new hash")
			got, err := s.GetAccountByNationalIDHash(t.Context(), newHash)
			noErr(t, err, "get by the new hash")
			if got.ID != a.ID || got.PII.NationalIDSealed != a.PII.NationalIDSealed {
				t.Fatalf("new hash finds %s (sealed %q)", got.ID, got.PII.NationalIDSealed)
			}
			_, err = s.GetAccountByNationalIDHash(t.Context(), oldHash)
			wantErr(t, err, domain.ErrNotFound, "get by the old hash")
			// Two accounts still cannot share a hash.
			taken := getAccount(t, s, other.ID)
			taken.PII.NationalIDHash = newHash
			if err := s.UpdateAccount(t.Context(), nil, taken); err == nil {
				t.Fatal("a second account took a hash in use")
			}
			reuse := NewAccount(now())
			reuse.PII.NationalIDHash = oldHash
			createAccount(t, s, reuse)
		}},
		{"DistrictTalliesFollowEveryWrite", func(t *testing.T, s storage.Store) {
			issuerA, issuerB := domain.NewID(), domain.NewID()
			a := createAccount(t, s, NewAccount(now()))
			b := NewAccount(now())
			noErr(t, b.Deposit(NewOutcome(issuerB, "书法", 2, now()), now()), "deposit before create")
			createAccount(t, s, b)
			o1, o2 := NewOutcome(issuerA, "摄影", 1.5, now()), NewOutcome(issuerA, "太极", 1, now())
			noErr(t, a.Deposit(o1, now()), "deposit")
			noErr(t, a.Deposit(o2, now()), "deposit")
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update")
			_, err := a.Revoke(o2.ID, issuerA, "录入错误", now())
			noErr(t, err, "revoke")
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update after revoke")
			stale := *a
			stale.Version--
			wantErr(t, s.UpdateAccount(t.Context(), nil, &stale), domain.ErrStale, "stale update")

			want := domain.StatTallies{}
			noErr(t, s.ScanAccounts(t.Context(), func(acc *domain.Account) error {
				for k, v := range acc.StatTallies() {
					w := want[k]
					w.Count += v.Count
					w.Credits += v.Credits
					want[k] = w
				}
				return nil
			}), "scan")
			got, err := s.DistrictTallies(t.Context())
			noErr(t, err, "district tallies")
			deepEqual(t, got, want, "district tallies")
			if got[domain.TallyAccounts].Count != 2 || got[domain.TallyOutcomes] != (domain.StatTally{Count: 2, Credits: 3.5}) ||
				got[domain.TallyRevoked].Count != 1 || got[domain.TallyIssuer+issuerA.String()] != (domain.StatTally{Count: 1, Credits: 1.5}) {
				t.Fatalf("district tallies %v", got)
			}
		}},
		{"DistrictTalliesFollowConcurrentAndRefusedWrites", func(t *testing.T, s storage.Store) {
			// Concurrent saves share grouped transactions in some stores;
			// refused ones (stale copies) must add nothing to the sums.
			issuer := domain.NewID()
			accs := []*domain.Account{createAccount(t, s, NewAccount(now())), createAccount(t, s, NewAccount(now()))}
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					acc := accs[w%2]
					err := updateWithRetry(s, t, acc.ID, func(a *domain.Account) error {
						return a.Deposit(NewOutcome(issuer, fmt.Sprintf("插花 %d", w), 1+float64(w)/4, now()), now())
					})
					if err != nil {
						t.Errorf("deposit %d: %v", w, err)
					}
					stale := getAccount(t, s, acc.ID)
					stale.Version = 0 // never stored at version 0
					if err := stale.Deposit(NewOutcome(issuer, "refused", 100, now()), now()); err != nil {
						t.Errorf("stale deposit: %v", err)
					}
					if err := s.UpdateAccount(t.Context(), nil, stale); !errors.Is(err, domain.ErrStale) {
						t.Errorf("stale update: %v, want ErrStale", err)
					}
				}()
			}
			wg.Wait()
			want := domain.StatTallies{}
			noErr(t, s.ScanAccounts(t.Context(), func(acc *domain.Account) error {
				want.Add(acc.StatTallies())
				return nil
			}), "scan")
			got, err := s.DistrictTallies(t.Context())
			noErr(t, err, "district tallies")
			deepEqual(t, got, want, "district tallies")
			if got[domain.TallyOutcomes].Count != 8 || got[domain.TallyIssuer+issuer.String()].Credits != 8+7.0 {
				t.Fatalf("district tallies %v", got)
			}
		}},
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			if a.Version != 1 {
				t.Fatalf("version after create = %d, want 1", a.Version)
			}
			deepEqual(t, getAccount(t, s, a.ID), a, "GetAccount")
			byHash, err := s.GetAccountByNationalIDHash(t.Context(), a.PII.NationalIDHash)
			noErr(t, err, "by hash")
			deepEqual(t, byHash, a, "GetAccountByNationalIDHash")
			n, err := s.CountAccounts(t.Context())
			noErr(t, err, "count")
			if n != 1 {
				t.Fatalf("CountAccounts = %d, want 1", n)
			}
		}},
		{"CreateKeepsRestoredVersion", func(t *testing.T, s storage.Store) {
			a := NewAccount(now())
			a.Version = 7
			createAccount(t, s, a)
			if got := getAccount(t, s, a.ID).Version; got != 7 || a.Version != 7 {
				t.Fatalf("restored version: stored %d, value %d, want 7", got, a.Version)
			}
		}},
		{"DuplicateID", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			b := NewAccount(now())
			b.ID = a.ID
			wantErr(t, s.CreateAccount(t.Context(), nil, b), domain.ErrConflict, "same id")
		}},
		{"NationalIDHashUnique", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			b := NewAccount(now())
			b.PII.NationalIDHash = a.PII.NationalIDHash
			wantErr(t, s.CreateAccount(t.Context(), nil, b), domain.ErrConflict, "same hash on create")
			c := createAccount(t, s, NewAccount(now()))
			c.PII.NationalIDHash = a.PII.NationalIDHash
			wantErr(t, s.UpdateAccount(t.Context(), nil, c), domain.ErrConflict, "same hash on update")
			n, err := s.CountAccounts(t.Context())
			noErr(t, err, "count")
			if n != 2 {
				t.Fatalf("CountAccounts = %d, want 2", n)
			}
			got, err := s.GetAccountByNationalIDHash(t.Context(), a.PII.NationalIDHash)
			noErr(t, err, "by hash")
			if got.ID != a.ID {
				t.Fatalf("hash now finds %s, want %s", got.ID, a.ID)
			}
		}},
		{"NationalIDHashFollowsUpdates", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			first := a.PII.NationalIDHash
			findsByHash := func(hash string, want bool, what string) {
				t.Helper()
				got, err := s.GetAccountByNationalIDHash(t.Context(), hash)
				if !want {
					wantErr(t, err, domain.ErrNotFound, what)
					return
				}
				noErr(t, err, what)
				if got.ID != a.ID || got.Version != a.Version {
					t.Fatalf("%s: found %s v%d, want %s v%d", what, got.ID, got.Version, a.ID, a.Version)
				}
			}
			a.Name = "改名"
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update keeping the hash")
			findsByHash(first, true, "hash kept")
			second := randomHash()
			a.PII.NationalIDHash = second
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update changing the hash")
			findsByHash(second, true, "new hash")
			findsByHash(first, false, "old hash")
			a.PII.NationalIDHash = ""
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update clearing the hash")
			findsByHash(second, false, "cleared hash")
			// A hash given up can be taken by another account.
			b := NewAccount(now())
			b.PII.NationalIDHash = second
			createAccount(t, s, b)
		}},
		{"UpdateIncrementsVersion", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			a.Name = "李四"
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update")
			if a.Version != 2 {
				t.Fatalf("version after update = %d, want 2", a.Version)
			}
			deepEqual(t, getAccount(t, s, a.ID), a, "after update")
		}},
		{"CASConflict", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			first, second := getAccount(t, s, a.ID), getAccount(t, s, a.ID)
			first.Name = "先到"
			noErr(t, s.UpdateAccount(t.Context(), nil, first), "first update")
			second.Name = "后到"
			err := s.UpdateAccount(t.Context(), nil, second)
			wantErr(t, err, domain.ErrStale, "stale update")
			wantErr(t, err, domain.ErrConflict, "stale is a conflict")
			if second.Version != 1 {
				t.Fatalf("a failed update changed the caller's version to %d", second.Version)
			}
			deepEqual(t, getAccount(t, s, a.ID), first, "stored account after a stale update")
		}},
		{"ConcurrentCAS", func(t *testing.T, s storage.Store) {
			issuer := domain.NewID()
			a := createAccount(t, s, NewAccount(now()))
			const writers = 20
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for i := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o := NewOutcome(issuer, fmt.Sprintf("课程%02d", i), 1, now())
					errs <- updateWithRetry(s, t, a.ID, func(a *domain.Account) error { return a.Deposit(o, now()) })
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				noErr(t, err, "concurrent deposit")
			}
			got := getAccount(t, s, a.ID)
			if len(got.Outcomes) != writers || got.Version != writers+1 {
				t.Fatalf("after %d writers: %d outcomes, version %d (lost update)", writers, len(got.Outcomes), got.Version)
			}
			noErr(t, got.VerifyLedger(), "ledger chain")
			if got.LedgerBalance() != writers {
				t.Fatalf("ledger balance %v, want %d", got.LedgerBalance(), writers)
			}
			listed, _, err := s.ListOutcomesByIssuer(t.Context(), issuer, storage.Page{Limit: 100})
			noErr(t, err, "list by issuer")
			if len(listed) != writers {
				t.Fatalf("issuer index holds %d outcomes, want %d", len(listed), writers)
			}
		}},
		{"OutcomesByIssuerPaging", func(t *testing.T, s storage.Store) {
			issuer, other := domain.NewID(), domain.NewID()
			a := createAccount(t, s, NewAccount(now()))
			b := createAccount(t, s, NewAccount(now()))
			var want []uuid.UUID
			for i := range 5 {
				for _, acc := range []*domain.Account{a, b} {
					o := NewOutcome(issuer, fmt.Sprintf("课程%d-%s", i, acc.ID), 1, now())
					deposit(t, s, acc.ID, o)
					want = append(want, o.ID)
					deposit(t, s, acc.ID, NewOutcome(other, fmt.Sprintf("其他%d-%s", i, acc.ID), 1, now()))
				}
			}
			got := collectPages(t, 3, func(p storage.Page) ([]uuid.UUID, string, error) {
				os, next, err := s.ListOutcomesByIssuer(t.Context(), issuer, p)
				for _, o := range os {
					if o.IssuerID != issuer {
						t.Errorf("outcome %s of issuer %s listed for %s", o.ID, o.IssuerID, issuer)
					}
				}
				return outcomeIDs(os), next, err
			})
			deepEqual(t, got, sortedIDs(want), "issuer's outcomes in ID order")
		}},
		{"OutcomesByIssuerFollowUpdates", func(t *testing.T, s storage.Store) {
			issuer := domain.NewID()
			a := createAccount(t, s, NewAccount(now()))
			o := NewOutcome(issuer, "插花", 1, now())
			deposit(t, s, a.ID, o)
			noErr(t, updateWithRetry(s, t, a.ID, func(a *domain.Account) error {
				_, err := a.Revoke(o.ID, issuer, "录入错误", now())
				return err
			}), "revoke")
			listed, next, err := s.ListOutcomesByIssuer(t.Context(), issuer, storage.Page{})
			noErr(t, err, "list")
			if len(listed) != 1 || next != "" {
				t.Fatalf("listed %d outcomes, cursor %q; want 1 and none", len(listed), next)
			}
			if listed[0].Status != domain.OutcomeRevoked || listed[0].RevokedReason != "录入错误" {
				t.Fatalf("listed outcome is %q (%q); the index shows a stale copy", listed[0].Status, listed[0].RevokedReason)
			}
			deepEqual(t, listed[0], getAccount(t, s, a.ID).Outcomes[0], "listed outcome")
		}},
		{"SearchIssuedOutcomesNewestFirstWithLearner", func(t *testing.T, s storage.Store) {
			issuer, other := domain.NewID(), domain.NewID()
			a := createAccount(t, s, NewAccount(now()))
			lee := NewAccount(now())
			lee.Name = "李小红"
			b := createAccount(t, s, lee)
			var all []uuid.UUID
			for i := range 4 {
				for _, acc := range []*domain.Account{a, b} {
					o := NewOutcome(issuer, fmt.Sprintf("摄影%d-%s", i, acc.ID), 1, now())
					o.CompletedOn = time.Date(2024, time.Month(i+1), 15, 0, 0, 0, 0, time.UTC)
					deposit(t, s, acc.ID, o)
					all = append(all, o.ID)
					deposit(t, s, acc.ID, NewOutcome(other, fmt.Sprintf("其他%d-%s", i, acc.ID), 1, now()))
				}
			}
			newest := sortedIDs(all)
			slices.Reverse(newest)
			search := func(q storage.OutcomeQuery) []storage.IssuedOutcome {
				t.Helper()
				var out []storage.IssuedOutcome
				collectPages(t, 3, func(p storage.Page) ([]uuid.UUID, string, error) {
					os, next, err := s.SearchIssuedOutcomes(t.Context(), issuer, q, p)
					ids := make([]uuid.UUID, len(os))
					for i, o := range os {
						ids[i] = o.ID
						if o.IssuerID != issuer {
							t.Errorf("outcome of issuer %s listed for %s", o.IssuerID, issuer)
						}
					}
					out = append(out, os...)
					return ids, next, err
				})
				return out
			}
			ids := func(os []storage.IssuedOutcome) []uuid.UUID {
				out := []uuid.UUID{}
				for _, o := range os {
					out = append(out, o.ID)
				}
				return out
			}
			got := search(storage.OutcomeQuery{})
			deepEqual(t, ids(got), newest, "every outcome of the issuer, newest first")
			for _, o := range got {
				want := "张三"
				if o.AccountID == b.ID {
					want = "李小红"
				}
				if o.LearnerName != want || o.LearnerIDMasked != "110101********123X" {
					t.Fatalf("outcome %s listed for %q %q, want %q and the masked ID", o.ID, o.LearnerName, o.LearnerIDMasked, want)
				}
			}
			byName := search(storage.OutcomeQuery{LearnerName: "小红"})
			if len(byName) != 4 {
				t.Fatalf("name search found %d outcomes, want 4", len(byName))
			}
			for _, o := range byName {
				if o.AccountID != b.ID {
					t.Fatalf("name search for 小红 found %s's outcome", o.LearnerName)
				}
			}
			code := getAccount(t, s, a.ID).Outcomes[2].CourseCode
			byCode := search(storage.OutcomeQuery{CourseCode: strings.ToLower(code)})
			if len(byCode) != 1 || byCode[0].CourseCode != code {
				t.Fatalf("course code search for %q found %d outcomes", code, len(byCode))
			}
			dated := search(storage.OutcomeQuery{CompletedFrom: time.Date(2024, 2, 15, 0, 0, 0, 0, time.UTC), CompletedTo: time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)})
			if len(dated) != 4 {
				t.Fatalf("February to March (bounds included) found %d outcomes, want 4", len(dated))
			}
			revoked := byName[0]
			noErr(t, updateWithRetry(s, t, b.ID, func(acc *domain.Account) error {
				_, err := acc.Revoke(revoked.ID, issuer, "录入错误", now())
				return err
			}), "revoke")
			gone := search(storage.OutcomeQuery{Status: domain.OutcomeRevoked})
			if len(gone) != 1 || gone[0].ID != revoked.ID || gone[0].RevokedReason != "录入错误" {
				t.Fatalf("revoked search found %v, want the one revoked outcome", ids(gone))
			}
			if n := len(search(storage.OutcomeQuery{Status: domain.OutcomeActive, LearnerName: "李小红"})); n != 3 {
				t.Fatalf("李小红's active outcomes: %d, want 3", n)
			}
			noErr(t, updateWithRetry(s, t, b.ID, func(acc *domain.Account) error {
				acc.Name = "李晓红"
				return nil
			}), "rename")
			if n := len(search(storage.OutcomeQuery{LearnerName: "晓红"})); n != 4 {
				t.Fatalf("after the rename the new name finds %d outcomes, want 4", n)
			}
			if n := len(search(storage.OutcomeQuery{LearnerName: "无此人"})); n != 0 {
				t.Fatalf("an unknown name found %d outcomes", n)
			}
			_, _, err := s.SearchIssuedOutcomes(t.Context(), issuer, storage.OutcomeQuery{}, storage.Page{Cursor: "x"})
			if !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("malformed cursor: %v, want invalid", err)
			}
		}},
		{"ConversionQueueFollowsStatus", func(t *testing.T, s storage.Store) {
			inst, other := domain.NewID(), domain.NewID()
			a := createAccount(t, s, NewAccount(now()))
			c := NewConversion(a.ID, inst, domain.ConversionPending, now())
			elsewhere := NewConversion(a.ID, other, domain.ConversionPending, now())
			noErr(t, updateWithRetry(s, t, a.ID, func(a *domain.Account) error {
				a.Conversions = append(a.Conversions, c, elsewhere)
				return nil
			}), "apply")
			queue := func(status domain.ConversionStatus) []uuid.UUID {
				t.Helper()
				cs, _, err := s.ListConversionsByInstitution(t.Context(), inst, status, storage.Page{})
				noErr(t, err, "list conversions")
				for _, x := range cs {
					if x.InstitutionID != inst || (status != "" && x.Status != status) {
						t.Fatalf("queue %q of %s lists %s (%s, %s)", status, inst, x.ID, x.InstitutionID, x.Status)
					}
				}
				return conversionIDs(cs)
			}
			deepEqual(t, queue(domain.ConversionPending), []uuid.UUID{c.ID}, "pending queue")
			deepEqual(t, queue(domain.ConversionApproved), []uuid.UUID{}, "approved before decision")
			noErr(t, updateWithRetry(s, t, a.ID, func(a *domain.Account) error {
				x, _ := a.Conversion(c.ID)
				x.Status = domain.ConversionApproved
				return nil
			}), "approve")
			deepEqual(t, queue(domain.ConversionPending), []uuid.UUID{}, "pending after approval")
			deepEqual(t, queue(domain.ConversionApproved), []uuid.UUID{c.ID}, "approved queue")
			deepEqual(t, queue(""), []uuid.UUID{c.ID}, "any status")
			cs, _, err := s.ListConversionsByInstitution(t.Context(), inst, "", storage.Page{})
			noErr(t, err, "list")
			if cs[0].Status != domain.ConversionApproved {
				t.Fatalf("listed conversion status %q, want approved", cs[0].Status)
			}
		}},
		{"ConversionsByInstitutionPaging", func(t *testing.T, s storage.Store) {
			inst := domain.NewID()
			var want []uuid.UUID
			for range 3 {
				a := createAccount(t, s, NewAccount(now()))
				noErr(t, updateWithRetry(s, t, a.ID, func(a *domain.Account) error {
					for range 2 {
						c := NewConversion(a.ID, inst, domain.ConversionPending, now())
						a.Conversions = append(a.Conversions, c)
						want = append(want, c.ID)
					}
					return nil
				}), "apply")
			}
			got := collectPages(t, 4, func(p storage.Page) ([]uuid.UUID, string, error) {
				cs, next, err := s.ListConversionsByInstitution(t.Context(), inst, domain.ConversionPending, p)
				return conversionIDs(cs), next, err
			})
			deepEqual(t, got, sortedIDs(want), "pending conversions in ID order")
		}},
		{"GetByOutcomeAndConversionID", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewRichAccount(domain.NewID(), domain.NewID(), now()))
			createAccount(t, s, NewRichAccount(domain.NewID(), domain.NewID(), now()))
			byOutcome, err := s.GetAccountByOutcomeID(t.Context(), a.Outcomes[1].ID)
			noErr(t, err, "by outcome")
			deepEqual(t, byOutcome, a, "GetAccountByOutcomeID")
			byConversion, err := s.GetAccountByConversionID(t.Context(), a.Conversions[2].ID)
			noErr(t, err, "by conversion")
			deepEqual(t, byConversion, a, "GetAccountByConversionID")
		}},
		{"SharedWithFollowsGrants", func(t *testing.T, s storage.Store) {
			inst, other := domain.NewID(), domain.NewID()
			var shared []uuid.UUID
			for i := 0; i < 3; i++ {
				a := createAccount(t, s, NewAccount(now()))
				noErr(t, updateWithRetry(s, t, a.ID, func(a *domain.Account) error {
					_, err := a.GrantAccess(inst, 30, now())
					return err
				}), "grant")
				shared = append(shared, a.ID)
			}
			// Granted to another institution only: not listed.
			elsewhere := createAccount(t, s, NewAccount(now()))
			noErr(t, updateWithRetry(s, t, elsewhere.ID, func(a *domain.Account) error {
				_, err := a.GrantAccess(other, 30, now())
				return err
			}), "grant elsewhere")
			// Two grants to inst on one account: listed once.
			noErr(t, updateWithRetry(s, t, shared[0], func(a *domain.Account) error {
				_, err := a.GrantAccess(inst, 60, now())
				return err
			}), "second grant")

			var got []uuid.UUID
			cursor := ""
			for page := 0; page < 5; page++ {
				items, next, err := s.ListAccountsSharedWith(t.Context(), inst, storage.Page{Limit: 2, Cursor: cursor})
				noErr(t, err, "list shared")
				for _, a := range items {
					got = append(got, a.ID)
				}
				if next == "" {
					break
				}
				cursor = next
			}
			if !slices.Equal(got, shared) {
				t.Fatalf("shared with inst = %v, want %v in ID order", got, shared)
			}
			// Withdrawing every grant of an account takes it off the list.
			noErr(t, updateWithRetry(s, t, shared[1], func(a *domain.Account) error {
				return a.WithdrawGrant(a.Grants[0].ID, now())
			}), "withdraw")
			items, _, err := s.ListAccountsSharedWith(t.Context(), inst, storage.Page{Limit: 10})
			noErr(t, err, "list after withdraw")
			if len(items) != 2 || items[0].ID != shared[0] || items[1].ID != shared[2] {
				t.Fatalf("after withdrawal: %d accounts", len(items))
			}
			if items, _, err := s.ListAccountsSharedWith(t.Context(), domain.NewID(), storage.Page{}); err != nil || len(items) != 0 {
				t.Fatalf("unknown institution: %v %v", items, err)
			}
		}},
		{"ScanStreamsInOrder", func(t *testing.T, s storage.Store) {
			accounts := make([]*domain.Account, 7)
			for i := range accounts {
				accounts[i] = NewAccount(now())
			}
			var want []uuid.UUID
			for _, a := range accounts {
				want = append(want, a.ID)
			}
			// Insert newest first so that insertion order is not ID order.
			for i := len(accounts) - 1; i >= 0; i-- {
				createAccount(t, s, accounts[i])
			}
			var got []uuid.UUID
			noErr(t, s.ScanAccounts(t.Context(), func(a *domain.Account) error {
				got = append(got, a.ID)
				return nil
			}), "scan")
			deepEqual(t, got, sortedIDs(want), "scan order")

			stop := errors.New("stop")
			calls := 0
			err := s.ScanAccounts(t.Context(), func(*domain.Account) error {
				calls++
				if calls == 3 {
					return stop
				}
				return nil
			})
			wantErr(t, err, stop, "scan stopped by fn")
			if calls != 3 {
				t.Fatalf("scan called fn %d times after it asked to stop at 3", calls)
			}
		}},
	}
}

// collectPages walks every page with the given limit and checks the cursor
// protocol: full pages until the last, and only the last has no cursor.
func collectPages(t *testing.T, limit int, list func(storage.Page) ([]uuid.UUID, string, error)) []uuid.UUID {
	t.Helper()
	all := []uuid.UUID{}
	cursor := ""
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("paging does not terminate")
		}
		ids, next, err := list(storage.Page{Limit: limit, Cursor: cursor})
		noErr(t, err, "list page")
		if len(ids) > limit {
			t.Fatalf("page %d has %d items, limit %d", page, len(ids), limit)
		}
		all = append(all, ids...)
		if next == "" {
			return all
		}
		if len(ids) != limit {
			t.Fatalf("page %d has %d items but a next cursor", page, len(ids))
		}
		cursor = next
	}
}
