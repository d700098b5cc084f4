package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"creditbank/domain"
)

// openWithLogSync opens a store whose committer syncs the log through
// syncLog (wrapping the real sync) and creates a scratch table g.
func openWithLogSync(t *testing.T, syncLog func(real func() error) error) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.w.ExecContext(t.Context(), `CREATE TABLE g (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	real := s.writer.syncLog
	// Set before the first write: the committer and the syncer only read
	// it after receiving that write through their channels.
	s.writer.syncLog = func() error { return syncLog(real) }
	return s
}

func insertG(k string) func(tx *wtx) error {
	return func(tx *wtx) error {
		_, err := exec(context.Background(), tx, `INSERT INTO g (k) VALUES (?)`, k)
		return err
	}
}

// visible waits until a reader sees row k: its group has committed.
func visible(t *testing.T, s *Store, k string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		if err := s.r.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM g WHERE k = ?`, k).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("row %s never committed", k)
}

// A writer hears of success only after a sync of the log that began after
// its COMMIT. While a sync is in flight a small group waits for it (and
// gathers whoever arrives), and a large one commits at once: its
// statements run while the disk syncs.
func TestWritersAreAnsweredOnlyAfterTheLogIsSynced(t *testing.T) {
	gate := make(chan struct{})
	var syncs atomic.Int32
	s := openWithLogSync(t, func(real func() error) error {
		syncs.Add(1)
		<-gate
		return real()
	})
	var mode int
	if err := s.w.QueryRowContext(t.Context(), `PRAGMA synchronous`).Scan(&mode); err != nil || mode != 1 {
		t.Fatalf("committer's connection runs synchronous=%d (%v), want 1 (NORMAL): the syncer makes commits durable", mode, err)
	}

	const late = smallGroup + 8
	done := make(chan error, 2+late)
	go func() { done <- s.write(t.Context(), insertG("first")) }()
	visible(t, s, "first") // committed; its sync is held at the gate
	go func() { done <- s.write(t.Context(), insertG("small")) }()
	time.Sleep(50 * time.Millisecond)
	if n := count(t, s); n != 1 {
		t.Fatalf("%d rows committed while the first sync is held, want 1: a lone writer waits for the sync in flight", n)
	}
	for i := range late {
		go func() { done <- s.write(t.Context(), insertG(fmt.Sprint("late", i))) }()
	}
	visible(t, s, "small") // the waiting group grew past smallGroup and committed during the sync
	select {
	case err := <-done:
		t.Fatalf("a writer was answered (%v) before its log sync returned", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(gate)
	for range 2 + late {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, s); n != 2+late {
		t.Fatalf("%d rows, want %d", n, 2+late)
	}
	if groups, writes := s.WriteGroups(); writes != 2+late || groups < 2 || groups > 3 {
		t.Fatalf("%d groups carried %d writes, want 2 or 3 groups and %d writes", groups, writes, 2+late)
	}
	if n := syncs.Load(); n < 2 {
		t.Fatalf("%d log syncs, want one per group in flight", n)
	}
}

func count(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.r.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM g`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A failed sync may have lost what it was to make durable, and the kernel
// may have dropped the pages it could not write, so a later sync succeeding
// would prove nothing: its writers and every later write are refused as a
// store outage until the store is opened again.
func TestFailedLogSyncRefusesItsWritersAndLaterWrites(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	s := openWithLogSync(t, func(real func() error) error {
		if fail.Load() {
			return errors.New("EIO")
		}
		return real()
	})
	if err := s.write(t.Context(), insertG("a")); !errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("write whose sync failed: %v, want domain.ErrUnavailable", err)
	}
	fail.Store(false)
	ran := false
	err := s.write(t.Context(), func(tx *wtx) error { ran = true; return insertG("b")(tx) })
	if !errors.Is(err, domain.ErrUnavailable) || ran {
		t.Fatalf("write after a failed sync: err %v, ran %v; want domain.ErrUnavailable without running", err, ran)
	}
}

// The syncer syncs the file now at the log's path, reopening it if it was
// replaced, and reports a missing log.
func TestLogFileFollowsTheFileAtItsPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "x.db")
	l := newLogFile(db)
	defer l.close()
	if err := l.sync(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("sync without a log: %v, want not-exist", err)
	}
	if err := os.WriteFile(db+"-wal", []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.sync(); err != nil {
		t.Fatal(err)
	}
	held := l.f
	if err := l.sync(); err != nil || l.f != held {
		t.Fatalf("second sync: %v, reopened %v; want the same open file", err, l.f != held)
	}
	if err := os.Remove(db + "-wal"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db+"-wal", []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := l.sync(); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.Stat(db + "-wal")
	now, _ := l.f.Stat()
	if !os.SameFile(onDisk, now) {
		t.Fatal("after the log was replaced the syncer still holds the old file")
	}
}
