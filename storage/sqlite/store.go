// Package sqlite is the embedded default store: one SQLite file (WAL mode)
// through the pure-Go modernc.org/sqlite driver. Each aggregate is one
// document in a doc column: accounts in a compact binary layout of their
// own (accountdoc.go says why; JSON accounts of earlier versions still
// read), everything else as JSON of the storage/record shapes. Keys and
// lookups are real columns and side tables written in the same transaction
// as the document, so they can never disagree with it, and no query looks
// into an account document.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// Store implements storage.Store on one SQLite file.
//
// Writes go through a pool of exactly one connection, so writers queue in
// Go rather than racing for SQLite's write lock (which would surface as
// SQLITE_BUSY under load); in WAL mode readers use their own pool and never
// wait for the writer.
type Store struct {
	w      *sql.DB
	r      *sql.DB
	rc     cachedDB // s.r with prepared statements
	writer *committer
	// log is the WAL file, which the committer syncs (logsync.go).
	log *logFile
	// checkpoints copies the log into the file off the committer.
	checkpoints *checkpointer
	accounts    *accountCache
}

var _ storage.Store = (*Store)(nil)

// busyTimeoutMS bounds how long a connection waits for a lock held by
// another process (e.g. a backup or a second instance on the same file).
const busyTimeoutMS = 10000

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: unusable database path %q", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create data directory: %w", err)
		}
	}
	// synchronous(FULL): a committed deposit must survive a power cut, not
	// only a process crash; in WAL mode NORMAL alone could lose the last
	// commits. Only the committer's connection runs NORMAL, because it syncs
	// the log itself before answering (below).
	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)", busyTimeoutMS)
	w, err := sql.Open("sqlite", path+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-8192)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := backfillTallies(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if err := backfillOutcomeSearch(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	// The reader pool is opened only after the writer has switched the file
	// to WAL (a persistent setting), so readers never need to change it.
	r, err := sql.Open("sqlite", path+"?"+common)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	cp, err := sql.Open("sqlite", path+"?"+common)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// The committer syncs the log itself after each commit, off its own
	// path (logsync.go); migrations and the backfill above ran with FULL.
	// Should the pool ever reconnect, the new connection has FULL from the
	// DSN again: slower, never less durable.
	if _, err := w.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		w.Close()
		r.Close()
		cp.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	wal := newLogFile(path)
	writer := newCommitter(w, wal.sync)
	s := &Store{w: w, r: r, rc: cachedDB{newStmtCache(r)}, writer: writer, log: wal, checkpoints: newCheckpointer(cp, writer.committed),
		accounts: newAccountCache(accountCacheSize)}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// ObserveCommits has o hear of every group commit and log sync from now on.
func (s *Store) ObserveCommits(o CommitObserver) {
	s.writer.observer.Store(&o)
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.writer.close()
	cpErr := s.checkpoints.close()
	s.rc.c.close()
	return errors.Join(cpErr, s.r.Close(), s.w.Close(), s.log.close())
}

// Ping answers whether the file can be read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// write runs fn in an IMMEDIATE transaction on the single writer
// connection, possibly together with other writers' work (group commit, see
// groupcommit.go), and returns once it is durable. fn must not use s.w itself
// (the pool has one connection: it would wait forever), and must leave the
// transaction usable when it returns an error (its changes are rolled back
// to a savepoint).
func (s *Store) write(ctx context.Context, fn func(tx *wtx) error) error {
	return s.writer.do(ctx, fn)
}

// writeKeyed is write for the writes that take a request's Idempotency-Key
// reservation: while it is pending, it is inserted first, in the same
// savepoint (storage.PendingReservation).
func (s *Store) writeKeyed(ctx context.Context, r *storage.PendingReservation, fn func(tx *wtx) error) error {
	if !r.Pending() {
		return s.writer.do(ctx, fn)
	}
	d := record.FromIdempotency(r.Record)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	err = s.writer.do(ctx, func(tx *wtx) error {
		if _, err := exec(ctx, tx, `INSERT INTO idempotency (key, doc) VALUES (?, ?)`, d.Key, raw); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				return storage.ErrKeyTaken
			}
			return err
		}
		return fn(tx)
	})
	switch {
	case err == nil:
		r.Placed()
	case errors.Is(err, domain.ErrUnavailable):
		r.Unsure() // failed around its commit, or its log's sync
	}
	return err
}

// WriteGroups reports how many transactions carried how many writes since
// Open: writes/groups is the mean group size.
func (s *Store) WriteGroups() (groups, writes int64) { return s.writer.stats() }

// mapErr turns driver errors into the domain vocabulary. A conflict's
// message does not carry the driver's text: it would tell API callers the
// schema's table and column names.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return domain.ErrNotFound
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: duplicate key", domain.ErrConflict)
		}
		// The file cannot take the statement (disk full, read-only mount,
		// I/O error, file gone, lock held past the busy timeout). SQLite
		// rolled the statement back, so nothing is half written, and the
		// condition is the operator's to fix: callers see a retryable
		// outage, not an internal error. Extended codes carry the primary
		// code in the low byte.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY:
			return fmt.Errorf("%w: sqlite: %w", domain.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("sqlite: %w", err)
}

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func exec(ctx context.Context, q execer, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, mapErr(err)
	}
	return res.RowsAffected()
}

// exists reports whether a row matches; used after a compare-and-swap
// touched nothing to tell "stale" from "absent".
func exists(ctx context.Context, q execer, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, mapErr(err)
	}
	return true, nil
}

// writeDoc encodes a document and runs fn with it in one write, which
// carries key as writeKeyed does (nil for a write without one).
func (s *Store) writeDoc(ctx context.Context, key *storage.PendingReservation, d any, fn func(tx *wtx, raw string) error) error {
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.writeKeyed(ctx, key, func(tx *wtx) error { return fn(tx, raw) })
}

// casExec runs a compare-and-swap statement (an UPDATE whose WHERE names
// the expected version). When it changes no row, the row exists asks for
// is either there at another version (domain.ErrStale) or gone
// (domain.ErrNotFound).
func casExec(ctx context.Context, tx *wtx, update string, args []any, exists string, key any) error {
	n, err := exec(ctx, tx, update, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return casMiss(ctx, tx, exists, key)
	}
	return nil
}

// casMiss explains a compare-and-swap that updated no row.
func casMiss(ctx context.Context, q execer, query string, args ...any) error {
	ok, err := exists(ctx, q, query, args...)
	if err != nil {
		return err
	}
	if ok {
		return domain.ErrStale
	}
	return domain.ErrNotFound
}

func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlite: encode: %w", err)
	}
	return string(b), nil
}

// getDoc loads one JSON document and converts it to its domain value.
func getDoc[D interface{ ToDomain() (T, error) }, T any](ctx context.Context, q execer, query string, args ...any) (T, error) {
	var zero T
	var raw string
	if err := q.QueryRowContext(ctx, query, args...).Scan(&raw); err != nil {
		return zero, mapErr(err)
	}
	return decode[D](raw)
}

func decode[D interface{ ToDomain() (T, error) }, T any](raw string) (T, error) {
	var zero T
	var d D
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		return zero, fmt.Errorf("sqlite: decode: %w", err)
	}
	return d.ToDomain()
}

// idCursor validates a paging cursor (the last ID of the previous page).
func idCursor(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	id, err := uuid.Parse(c)
	if err != nil {
		return "", domain.Invalid("cursor", "malformed cursor")
	}
	return id.String(), nil
}

// listDocs pages JSON documents by ascending ID (see listRows).
func listDocs[D interface{ ToDomain() (*T, error) }, T any](ctx context.Context, db *sql.DB, p storage.Page, query string, args ...any) ([]T, string, error) {
	return listRows(ctx, db, p, func(raw string) (T, error) {
		v, err := decode[D](raw)
		if err != nil {
			var zero T
			return zero, err
		}
		return *v, nil
	}, query, args...)
}

// listRows pages documents by ascending ID: it asks for one row more than
// the limit to know whether a next page exists, so the last page carries
// an empty cursor. query must select (id, doc), take the cursor and limit as
// its last two arguments, and order by id.
func listRows[T any](ctx context.Context, db *sql.DB, p storage.Page, decodeDoc func(string) (T, error), query string, args ...any) ([]T, string, error) {
	p = p.Normalized()
	cursor, err := idCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	rows, err := db.QueryContext(ctx, query, append(args, cursor, p.Limit+1)...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	var out []T
	var ids []string
	for rows.Next() {
		var id, raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, "", mapErr(err)
		}
		v, err := decodeDoc(raw)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr(err)
	}
	out, next := trimPage(out, ids, p.Limit)
	return out, next, nil
}

// trimPage cuts the look-ahead row and names the cursor of the next page.
func trimPage[T any](items []T, ids []string, limit int) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	return items[:limit], ids[limit-1]
}

// initialVersion applies the port's rule for creates: a positive version
// (a restore) is kept, anything else starts at 1.
func initialVersion(v int64) int64 {
	if v > 0 {
		return v
	}
	return 1
}

// nullable stores "" as NULL so that UNIQUE ignores absent values.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
