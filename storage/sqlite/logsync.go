package sqlite

import (
	"fmt"
	"os"
	"sync"
)

// Syncing the log ourselves. With synchronous=FULL, SQLite syncs the WAL
// inside COMMIT, and the single committer can do nothing else until the disk
// answers: at a few milliseconds per sync, a quarter of an import's time.
// The committer's connection therefore runs with synchronous=NORMAL (in WAL
// mode: no sync at commit; the log is still synced before every checkpoint
// and the file after it, and the log's header when it restarts), and a
// commit's writers are answered only after a sync of the log file that
// began after that COMMIT returned. The committer meanwhile runs the next
// group. Nothing acknowledged can be lost to a power cut: the frames of an
// answered commit were on disk before its answer, and a commit torn by a
// power cut fails the log's checksums on recovery and is discarded whole,
// as it would be under FULL.
//
// What differs from FULL: between its COMMIT and the sync (a few
// milliseconds), a commit is visible to readers before it is durable, so a
// power cut in that window can undo what a reader saw but no writer was told
// had succeeded. A kill -9 loses nothing: the operating system holds the
// written log.

// logFile syncs the WAL file of a database. It keeps the file open and
// reopens it if SQLite replaced it (it deletes the log only when its last
// connection closes, so this is a safeguard, not a path taken in use).
type logFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

func newLogFile(dbPath string) *logFile { return &logFile{path: dbPath + "-wal"} }

// sync makes everything written to the log so far durable.
func (l *logFile) sync() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.current(); err != nil {
		return fmt.Errorf("sqlite: open the log to sync it: %w", err)
	}
	if err := datasync(l.f); err != nil {
		return fmt.Errorf("sqlite: sync the log: %w", err)
	}
	return nil
}

// current makes l.f the file now at l.path.
func (l *logFile) current() error {
	onDisk, err := os.Stat(l.path)
	if err != nil {
		return err
	}
	if l.f != nil {
		if held, err := l.f.Stat(); err == nil && os.SameFile(held, onDisk) {
			return nil
		}
		_ = l.f.Close()
		l.f = nil
	}
	f, err := os.OpenFile(l.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	l.f = f
	return nil
}

func (l *logFile) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
