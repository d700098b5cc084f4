package sqlite

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

// TestFileFaultsAreUnavailableAndHarmless puts the real SQLite file into
// the conditions an operator meets — out of space, read-only — and checks
// that a write is a retryable outage (domain.ErrUnavailable, so 503), leaves
// nothing behind, and succeeds once the condition is lifted. Running as
// root in CI makes chmod useless, so the conditions come from SQLite
// itself: max_page_count is a full disk as the engine sees it (the same
// SQLITE_FULL path), query_only a read-only database (SQLITE_READONLY).
func TestFileFaultsAreUnavailableAndHarmless(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fault, clear func(t *testing.T, s *Store)
	}{
		{"disk full", func(t *testing.T, s *Store) {
			var pages int64
			if err := s.w.QueryRowContext(t.Context(), "PRAGMA page_count").Scan(&pages); err != nil {
				t.Fatal(err)
			}
			pragma(t, s, "PRAGMA max_page_count = "+itoa(pages))
		}, func(t *testing.T, s *Store) { pragma(t, s, "PRAGMA max_page_count = 1073741823") }},
		{"read-only", func(t *testing.T, s *Store) { pragma(t, s, "PRAGMA query_only = 1") },
			func(t *testing.T, s *Store) { pragma(t, s, "PRAGMA query_only = 0") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), filepath.Join(t.TempDir(), "creditbank.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			appendEntry := func(detail string) error {
				t.Helper()
				head, err := s.LastAudit(t.Context())
				if errors.Is(err, domain.ErrNotFound) {
					head = nil
				} else if err != nil {
					t.Fatal(err)
				}
				e := &domain.AuditEntry{At: domain.Now(time.Now()), ActorID: "admin", Role: domain.RoleAdmin, Action: "test.fault", Detail: detail}
				e.Seal(head)
				return s.AppendAudit(t.Context(), e)
			}
			if err := appendEntry("before"); err != nil {
				t.Fatal(err)
			}
			// Large enough to need new pages: a full disk must refuse it.
			big := strings.Repeat("学分", 64<<10)

			tc.fault(t, s)
			err = appendEntry(big)
			if !errors.Is(err, domain.ErrUnavailable) {
				t.Fatalf("write under %s: %v, want domain.ErrUnavailable", tc.name, err)
			}
			if err := s.Ping(t.Context()); err != nil {
				t.Fatalf("reads must go on under %s: %v", tc.name, err)
			}
			last, err := s.LastAudit(t.Context())
			if err != nil || last.Seq != 1 {
				t.Fatalf("after the failed write the log ends at %+v (%v), want entry 1: nothing partly written", last, err)
			}

			tc.clear(t, s)
			if err := appendEntry(big); err != nil {
				t.Fatalf("write after %s cleared: %v", tc.name, err)
			}
			if last, err := s.LastAudit(t.Context()); err != nil || last.Seq != 2 || last.Detail != big {
				t.Fatalf("after recovery the log ends at entry %d (%v), want 2", last.Seq, err)
			}
		})
	}
}

func pragma(t *testing.T, s *Store, q string) {
	t.Helper()
	if _, err := s.w.ExecContext(t.Context(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
