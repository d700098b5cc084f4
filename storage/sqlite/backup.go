package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Backup writes a consistent snapshot of the database to path while writes
// go on: VACUUM INTO runs inside one read transaction of a reader
// connection, so it copies the database as of its start and never holds
// the write lock. SQLite does not sync the copy, and an interrupted copy
// is corrupt, so it is made under a temporary name, synced, and renamed
// into place: path holds either nothing or a complete backup.
func (s *Store) Backup(ctx context.Context, path string) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".backup-*.db")
	if err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	name := tmp.Name()
	tmp.Close()
	// VACUUM INTO refuses an existing non-empty file; the empty one only
	// reserved the name with owner-only permissions.
	if err := os.Chmod(name, 0o600); err != nil {
		os.Remove(name)
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	defer os.Remove(name)
	if _, err := s.r.ExecContext(ctx, `VACUUM INTO ?`, name); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	// The rename itself must reach the disk for the backup to exist after
	// a power cut.
	if err := syncFile(dir); err != nil {
		return fmt.Errorf("sqlite: backup: %w", err)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// Checkpoint copies every committed page from the WAL into the database file
// and truncates the WAL to zero bytes. It runs on the writer connection, so
// no write of this process is in between, while the checkpointer waits;
// readers of other processes may make it incomplete, which SQLITE_BUSY
// reports.
func (s *Store) Checkpoint(ctx context.Context) error {
	s.checkpoints.mu.Lock()
	defer s.checkpoints.mu.Unlock()
	var busy, logPages, moved int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logPages, &moved); err != nil {
		return fmt.Errorf("sqlite: checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("sqlite: checkpoint incomplete: the database is busy (%d of %d pages moved)", moved, logPages)
	}
	return nil
}
