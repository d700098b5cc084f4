package storetest

import (
	"sync"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

func statusIndexTests() []contractTest {
	return []contractTest{
		{"AssignOncePerOutcome", func(t *testing.T, s storage.Store) {
			a, b := domain.NewID(), domain.NewID()
			got, err := s.AssignStatusIndex(t.Context(), a, "1", 4711)
			noErr(t, err, "assign a")
			deepEqual(t, got, domain.StatusIndex{OutcomeID: a, List: "1", Index: 4711}, "a's position")
			// Asking again, even with another draw, returns the position held.
			got, err = s.AssignStatusIndex(t.Context(), a, "1", 99)
			noErr(t, err, "assign a again")
			deepEqual(t, got, domain.StatusIndex{OutcomeID: a, List: "1", Index: 4711}, "a keeps its position")
			// A held position is never given to another outcome.
			_, err = s.AssignStatusIndex(t.Context(), b, "1", 4711)
			wantErr(t, err, domain.ErrConflict, "b on a's position")
			// The same number in another list is another position.
			got, err = s.AssignStatusIndex(t.Context(), b, "2", 4711)
			noErr(t, err, "b in list 2")
			deepEqual(t, got, domain.StatusIndex{OutcomeID: b, List: "2", Index: 4711}, "b's position")
			l1, err := s.ListStatusIndexes(t.Context(), "1")
			noErr(t, err, "list 1")
			deepEqual(t, l1, []domain.StatusIndex{{OutcomeID: a, List: "1", Index: 4711}}, "list 1")
			none, err := s.ListStatusIndexes(t.Context(), "3")
			noErr(t, err, "list 3")
			if len(none) != 0 {
				t.Fatalf("empty list has %d positions", len(none))
			}
		}},
		{"VerificationCodes", func(t *testing.T, s storage.Store) {
			n := now()
			v := &domain.VerificationCode{Code: "K7Q2M9XW4P", Token: "header.payload.sig", CreatedAt: n, ExpiresAt: n.Add(time.Hour)}
			noErr(t, s.SaveVerificationCode(t.Context(), v), "save")
			got, err := s.GetVerificationCode(t.Context(), v.Code)
			noErr(t, err, "get")
			deepEqual(t, got, v, "code round trip")
			again := *v
			again.Token = "other.token.sig"
			wantErr(t, s.SaveVerificationCode(t.Context(), &again), domain.ErrConflict, "a taken code")
			got, _ = s.GetVerificationCode(t.Context(), v.Code)
			deepEqual(t, got, v, "a taken code keeps its transcript")
			_, err = s.GetVerificationCode(t.Context(), "NOSUCHCODE")
			wantErr(t, err, domain.ErrNotFound, "unknown code")
			first := &domain.VerificationCode{Code: "AAAA2345AA", Token: "t.o.k", CreatedAt: n, ExpiresAt: n.Add(time.Hour)}
			noErr(t, s.SaveVerificationCode(t.Context(), first), "save another")
			var codes []string
			noErr(t, s.ScanVerificationCodes(t.Context(), func(v domain.VerificationCode) error {
				codes = append(codes, v.Code)
				return nil
			}), "scan")
			deepEqual(t, codes, []string{"AAAA2345AA", "K7Q2M9XW4P"}, "codes in order")
		}},
		{"ConcurrentAssignmentsAgree", func(t *testing.T, s storage.Store) {
			// Eight downloads of one outcome's credential at once, each with
			// its own draw, must all get the one position stored.
			id := domain.NewID()
			got := make([]domain.StatusIndex, 8)
			errs := make([]error, 8)
			var wg sync.WaitGroup
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = s.AssignStatusIndex(t.Context(), id, "1", 1000+i)
				}()
			}
			wg.Wait()
			for i := range got {
				noErr(t, errs[i], "concurrent assign")
				if got[i] != got[0] {
					t.Fatalf("concurrent assignments disagree: %v and %v", got[i], got[0])
				}
			}
			all, err := s.ListStatusIndexes(t.Context(), "1")
			noErr(t, err, "list")
			if len(all) != 1 {
				t.Fatalf("%d positions stored for one outcome", len(all))
			}
		}},
	}
}
