package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Writers queued while a commit is in progress share the next transaction;
// one writer's failure undoes only its own changes, and nobody hears of
// success before COMMIT.
func TestGroupCommitSharesOneTransactionAndIsolatesFailures(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.ExecContext(t.Context(), `CREATE TABLE g (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	heard := &commitRecorder{}
	s.ObserveCommits(heard)
	insert := func(k string) func(tx *wtx) error {
		return func(tx *wtx) error {
			_, err := exec(context.Background(), tx, `INSERT INTO g (k) VALUES (?)`, k)
			return err
		}
	}
	release := make(chan struct{})
	firstDone := make(chan error, 1)
	go func() {
		firstDone <- s.write(t.Context(), func(tx *wtx) error {
			<-release // hold the committer so that the others queue up
			return insert("first")(tx)
		})
	}()
	time.Sleep(20 * time.Millisecond)
	const writers = 10
	failing := errors.New("this writer changes its mind")
	var wg sync.WaitGroup
	results := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = s.write(t.Context(), func(tx *wtx) error {
				if err := insert(fmt.Sprint("w", i))(tx); err != nil {
					return err
				}
				if i == 3 {
					return failing // after its insert: the savepoint must undo it
				}
				return nil
			})
		}()
	}
	time.Sleep(50 * time.Millisecond) // let every writer block on the queue
	g0, _ := s.WriteGroups()
	if g0 != 0 {
		t.Fatalf("%d groups committed while the first writer was still running", g0)
	}
	close(release)
	wg.Wait()
	if err := <-firstDone; err != nil {
		t.Fatalf("first writer: %v", err)
	}
	for i, err := range results {
		if i == 3 && !errors.Is(err, failing) {
			t.Fatalf("writer 3: got %v, want its own error", err)
		}
		if i != 3 && err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	groups, writes := s.WriteGroups()
	if writes != writers {
		t.Fatalf("%d writes committed, want %d (the failed one is not counted)", writes, writers)
	}
	if groups != 2 {
		t.Fatalf("%d commits for the first writer and %d queued ones, want 2", groups, writers)
	}
	// The observer heard each commit with the writes it carried, and the
	// syncs that made them durable (one may serve both).
	heard.mu.Lock()
	if fmt.Sprint(heard.groups) != "[1 9]" || heard.syncs < 1 || heard.syncs > 2 || heard.failed != 0 {
		t.Errorf("observer heard groups %v, %d syncs (%d failed); want [1 9] and 1 or 2 syncs", heard.groups, heard.syncs, heard.failed)
	}
	heard.mu.Unlock()
	var n int
	if err := s.r.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM g WHERE k = 'w3'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("failed writer's row present (%d, %v)", n, err)
	}
	if err := s.r.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM g`).Scan(&n); err != nil || n != writers {
		t.Fatalf("%d rows stored (%v), want %d", n, err, writers)
	}
}

// commitRecorder is a CommitObserver that keeps what it hears.
type commitRecorder struct {
	mu            sync.Mutex
	groups        []int
	syncs, failed int
}

func (r *commitRecorder) GroupCommitted(writes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.groups = append(r.groups, writes)
}

func (r *commitRecorder) LogSynced(_ time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.syncs++
	if err != nil {
		r.failed++
	}
}

// A writer whose context ends before the committer takes its work gets the
// context's error and writes nothing.
func TestGroupCommitCancelledWriterWritesNothing(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err = s.write(ctx, func(tx *wtx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled write: err %v, ran %v", err, ran)
	}
	s.Close()
	if err := s.write(t.Context(), func(tx *wtx) error { return nil }); !errors.Is(err, errClosed) {
		t.Fatalf("write after Close: %v, want errClosed", err)
	}
}
