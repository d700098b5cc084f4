package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// appendAudit seals and appends entries after the current head.
func appendAudit(t *testing.T, s storage.Store, entries ...*domain.AuditEntry) {
	t.Helper()
	for _, e := range entries {
		prev, err := s.LastAudit(t.Context())
		if errors.Is(err, domain.ErrNotFound) {
			prev = nil
		} else {
			noErr(t, err, "last audit")
		}
		e.Seal(prev)
		noErr(t, s.AppendAudit(t.Context(), e), "append audit")
	}
}

func auditSeqs(es []domain.AuditEntry) []int64 {
	out := []int64{}
	for _, e := range es {
		out = append(out, e.Seq)
	}
	return out
}

func auditTests() []contractTest {
	return []contractTest{
		{"AppendBatchStopsAtTakenSeq", func(t *testing.T, s storage.Store) {
			mk := func(action string) *domain.AuditEntry {
				return &domain.AuditEntry{At: now(), ActorID: "admin", Role: domain.RoleAdmin, Action: action, ObjectType: "rule", ObjectID: "r"}
			}
			seal := func(prev *domain.AuditEntry, es ...*domain.AuditEntry) []*domain.AuditEntry {
				for _, e := range es {
					e.Seal(prev)
					prev = e
				}
				return es
			}
			first := seal(nil, mk("a.1"), mk("a.2"), mk("a.3"))
			n, err := s.AppendAudits(t.Context(), first)
			noErr(t, err, "append batch")
			if n != 3 {
				t.Fatalf("stored %d of 3", n)
			}
			// A second writer sealed its batch on entry 2: its first Seq (3) is taken.
			stale := seal(first[1], mk("b.3"), mk("b.4"))
			n, err = s.AppendAudits(t.Context(), stale)
			wantErr(t, err, domain.ErrConflict, "batch starting at a taken seq")
			if n != 0 {
				t.Fatalf("stored %d entries of a batch whose first seq was taken", n)
			}
			last, err := s.LastAudit(t.Context())
			noErr(t, err, "last")
			deepEqual(t, last, first[2], "head after the refused batch")
			var got []string
			noErr(t, s.ScanAudit(t.Context(), func(e domain.AuditEntry) error { got = append(got, e.Action); return nil }), "scan")
			deepEqual(t, got, []string{"a.1", "a.2", "a.3"}, "chain")
			var v domain.AuditChainVerifier
			noErr(t, s.ScanAudit(t.Context(), v.Next), "verify chain")
		}},
		{"RecordSealsOnTheHeadUnderConcurrencyAndForeignAppends", func(t *testing.T, s storage.Store) {
			mk := func(action string) domain.AuditEntry {
				return domain.AuditEntry{At: now(), ActorID: "staff", Role: domain.RoleStaff, Action: action, ObjectType: "outcome", ObjectID: "o"}
			}
			const writers, each = 8, 5
			var wg sync.WaitGroup
			errs := make(chan error, writers*each+each)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						errs <- s.RecordAudits(t.Context(), []domain.AuditEntry{mk(fmt.Sprintf("w%d.%d.a", w, i)), mk(fmt.Sprintf("w%d.%d.b", w, i))})
					}
				}()
			}
			// Another instance appending entries it sealed itself, meanwhile.
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					for {
						prev, err := s.LastAudit(t.Context())
						if errors.Is(err, domain.ErrNotFound) {
							prev = nil
						} else if err != nil {
							errs <- err
							return
						}
						e := mk("foreign")
						e.Seal(prev)
						err = s.AppendAudit(t.Context(), &e)
						if errors.Is(err, domain.ErrConflict) {
							continue // the head moved: seal again
						}
						errs <- err
						break
					}
				}
			}()
			wg.Wait()
			close(errs)
			for err := range errs {
				noErr(t, err, "record or append")
			}
			var v domain.AuditChainVerifier
			pairs := map[string]int64{}
			noErr(t, s.ScanAudit(t.Context(), func(e domain.AuditEntry) error {
				// A call's entries are consecutive and in order.
				if base, ok := strings.CutSuffix(e.Action, ".b"); ok && pairs[base] != e.Seq-1 {
					t.Errorf("entry %d (%s) does not follow its pair's first entry (at %d)", e.Seq, e.Action, pairs[base])
				}
				if base, ok := strings.CutSuffix(e.Action, ".a"); ok {
					pairs[base] = e.Seq
				}
				return v.Next(e)
			}), "chain verifies")
			if want := int64(writers*each*2 + each); v.Count() != want {
				t.Fatalf("chain holds %d entries, want %d", v.Count(), want)
			}
		}},
		{"AccountWritesCarryTheirAuditEntries", func(t *testing.T, s storage.Store) {
			a := createAccount(t, s, NewAccount(now()))
			entry := domain.AuditEntry{At: now(), ActorID: "staff", Role: domain.RoleStaff, Action: "outcome.issue", ObjectType: "account", ObjectID: a.ID.String()}
			stale := *a
			noErr(t, s.UpdateAccount(t.Context(), nil, a, entry), "update with audit")
			// A save that loses its compare-and-swap records nothing.
			refused := entry
			refused.Action = "refused"
			wantErr(t, s.UpdateAccount(t.Context(), nil, &stale, refused), domain.ErrStale, "stale update with audit")
			fresh := NewAccount(now())
			created := entry
			created.Action, created.ObjectID = "learner.create", fresh.ID.String()
			noErr(t, s.CreateAccount(t.Context(), nil, fresh, created), "create with audit")
			var got []string
			var v domain.AuditChainVerifier
			noErr(t, s.ScanAudit(t.Context(), func(e domain.AuditEntry) error {
				got = append(got, e.Action)
				return v.Next(e)
			}), "scan")
			deepEqual(t, got, []string{"outcome.issue", "learner.create"}, "audit entries of the saves")
		}},
		{"AppendConflictAndFilter", func(t *testing.T, s storage.Store) {
			base := now().Add(-10 * time.Hour)
			instA, instB := domain.NewID().String(), domain.NewID().String()
			at := func(h int) time.Time { return base.Add(time.Duration(h) * time.Hour) }
			entries := []*domain.AuditEntry{
				{At: at(0), ActorID: "admin", Role: domain.RoleAdmin, Action: "institution.create", ObjectType: "institution", ObjectID: instA},
				{At: at(1), ActorID: "staff-a", Role: domain.RoleStaff, InstitutionID: instA, Action: "outcome.deposit", ObjectType: "outcome", ObjectID: "o1"},
				{At: at(2), ActorID: "staff-b", Role: domain.RoleStaff, InstitutionID: instB, Action: "outcome.deposit", ObjectType: "outcome", ObjectID: "o2"},
				{At: at(3), ActorID: "staff-a", Role: domain.RoleStaff, InstitutionID: instA, Action: "outcome.revoke", ObjectType: "outcome", ObjectID: "o1", Detail: "录入错误"},
				{At: at(4), ActorID: "admin", Role: domain.RoleAdmin, Action: "rule.publish", ObjectType: "rule", ObjectID: "r1"},
			}
			appendAudit(t, s, entries...)
			last, err := s.LastAudit(t.Context())
			noErr(t, err, "last")
			deepEqual(t, last, entries[4], "last entry")

			clash := *entries[4]
			clash.Action = "forged"
			wantErr(t, s.AppendAudit(t.Context(), &clash), domain.ErrConflict, "append at a taken seq")

			tests := []struct {
				name   string
				filter storage.AuditFilter
				want   []int64
			}{
				{"all", storage.AuditFilter{}, []int64{1, 2, 3, 4, 5}},
				{"actor", storage.AuditFilter{ActorID: "staff-a"}, []int64{2, 4}},
				{"institution", storage.AuditFilter{InstitutionID: instB}, []int64{3}},
				{"action", storage.AuditFilter{Action: "outcome.deposit"}, []int64{2, 3}},
				{"from inclusive", storage.AuditFilter{From: at(3)}, []int64{4, 5}},
				{"to exclusive", storage.AuditFilter{To: at(2)}, []int64{1, 2}},
				{"range", storage.AuditFilter{From: at(1), To: at(4)}, []int64{2, 3, 4}},
				{"combined", storage.AuditFilter{ActorID: "staff-a", Action: "outcome.revoke", From: at(1)}, []int64{4}},
				{"none", storage.AuditFilter{ActorID: "nobody"}, []int64{}},
				{"all newest first", storage.AuditFilter{NewestFirst: true}, []int64{5, 4, 3, 2, 1}},
				{"action newest first", storage.AuditFilter{Action: "outcome.deposit", NewestFirst: true}, []int64{3, 2}},
				{"range newest first", storage.AuditFilter{From: at(1), To: at(4), NewestFirst: true}, []int64{4, 3, 2}},
			}
			for _, tt := range tests {
				got := []int64{}
				cursor := ""
				for {
					es, next, err := s.ListAudit(t.Context(), tt.filter, storage.Page{Limit: 2, Cursor: cursor})
					noErr(t, err, "list audit "+tt.name)
					got = append(got, auditSeqs(es)...)
					if next == "" {
						break
					}
					if next != strconv.FormatInt(es[len(es)-1].Seq, 10) {
						t.Fatalf("%s: cursor %q is not the last seq", tt.name, next)
					}
					cursor = next
				}
				deepEqual(t, got, tt.want, "ListAudit "+tt.name)
			}
		}},
		{"ScanInOrderAndChainVerifies", func(t *testing.T, s storage.Store) {
			for i := range 12 {
				appendAudit(t, s, &domain.AuditEntry{At: now(), ActorID: "admin", Role: domain.RoleAdmin, Action: "test." + strconv.Itoa(i)})
			}
			var v domain.AuditChainVerifier
			noErr(t, s.ScanAudit(t.Context(), v.Next), "scan and verify")
			if v.Count() != 12 {
				t.Fatalf("scan verified %d entries, want 12", v.Count())
			}
			stop := errors.New("stop")
			calls := 0
			err := s.ScanAudit(t.Context(), func(domain.AuditEntry) error {
				calls++
				if calls == 5 {
					return stop
				}
				return nil
			})
			wantErr(t, err, stop, "scan stopped by fn")
			if calls != 5 {
				t.Fatalf("scan called fn %d times after it asked to stop at 5", calls)
			}
		}},
		{"IndexedScanMatchesEntriesAndFilters", func(t *testing.T, s storage.Store) {
			inst := domain.NewID().String()
			base := now().Add(-time.Hour)
			entries := []*domain.AuditEntry{
				{At: base, ActorID: "admin", Role: domain.RoleAdmin, Action: "institution.create", ObjectType: "institution", ObjectID: inst},
				{At: base.Add(time.Minute), ActorID: "staff-x", Role: domain.RoleStaff, InstitutionID: inst, Action: "outcome.issue", Detail: "甲|乙"},
				{At: base.Add(2 * time.Minute), Role: domain.RoleAdmin, Action: "system.seed"},
			}
			appendAudit(t, s, entries...)
			var seen []int64
			noErr(t, s.ScanAuditIndexed(t.Context(), func(e domain.AuditEntry, idx storage.AuditIndex) error {
				seen = append(seen, e.Seq)
				want := storage.AuditIndex{ActorID: e.ActorID, InstitutionID: e.InstitutionID, Action: e.Action, At: e.At}
				if idx.ActorID != want.ActorID || idx.InstitutionID != want.InstitutionID || idx.Action != want.Action || !idx.At.Equal(want.At) {
					t.Errorf("entry %d: index %+v, want %+v", e.Seq, idx, want)
				}
				// The index is what filtered searches use: searching by it finds the entry.
				found, _, err := s.ListAudit(t.Context(), storage.AuditFilter{ActorID: idx.ActorID, InstitutionID: idx.InstitutionID,
					Action: idx.Action, From: idx.At, To: idx.At.Add(time.Millisecond)}, storage.Page{})
				if err != nil {
					return err
				}
				if !slices.Contains(auditSeqs(found), e.Seq) {
					t.Errorf("entry %d not found by its own index values %+v", e.Seq, idx)
				}
				return nil
			}), "indexed scan")
			deepEqual(t, seen, []int64{1, 2, 3}, "indexed scan order")
			var v domain.AuditChainVerifier
			noErr(t, s.ScanAuditIndexed(t.Context(), func(e domain.AuditEntry, _ storage.AuditIndex) error { return v.Next(e) }), "indexed scan verifies")
		}},
	}
}
