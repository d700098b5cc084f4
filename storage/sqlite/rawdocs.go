package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"

	"creditbank/domain"
)

// RawDocs is the scratch table of the bench (app/bench), no part of the
// storage port. It measures the file itself: a scratch table shaped like accounts
// (key, version, document in the product's format), written on the store's own writer connection
// (so in WAL mode, each commit followed by a sync of the log before it
// counts as done, as the product writes) but without group commit, side
// tables or any product code.
type RawDocs struct {
	s        *Store
	doc      []byte
	versions []atomic.Int64
}

// RawBaseline creates the scratch table with docs copies of sample's
// document.
func (s *Store) RawBaseline(ctx context.Context, sample *domain.Account, docs int) (*RawDocs, error) {
	doc := encodeAccount(sample, sample.Version)
	r := &RawDocs{s: s, doc: doc, versions: make([]atomic.Int64, docs)}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, mapErr(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("sqlite: bench table: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO bench_raw (id, version, doc) VALUES (?, 1, ?)`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer stmt.Close()
	for i := 0; i < docs; i++ {
		if _, err := stmt.ExecContext(ctx, i, doc); err != nil {
			return nil, mapErr(err)
		}
		r.versions[i].Store(1)
	}
	return r, mapErr(tx.Commit())
}

func (r *RawDocs) cas(ctx context.Context, tx *sql.Tx, i int) error {
	v := r.versions[i].Load()
	res, err := tx.ExecContext(ctx, `UPDATE bench_raw SET version = ?, doc = ? WHERE id = ? AND version = ?`, v+1, r.doc, i, v)
	if err != nil {
		return mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		r.versions[i].CompareAndSwap(v, v+1)
	}
	return nil
}

func (r *RawDocs) CAS(ctx context.Context, i int) error { return r.CASBatch(ctx, []int{i}) }

func (r *RawDocs) CASBatch(ctx context.Context, is []int) error {
	tx, err := r.s.w.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	for _, i := range is {
		if err := r.cas(ctx, tx, i); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return mapErr(err)
	}
	return r.s.log.sync()
}

func (r *RawDocs) Read(ctx context.Context, i int) error {
	var raw string
	return mapErr(r.s.r.QueryRowContext(ctx, `SELECT doc FROM bench_raw WHERE id = ?`, i).Scan(&raw))
}

func (r *RawDocs) Close(ctx context.Context) error {
	_, err := r.s.w.ExecContext(ctx, `DROP TABLE IF EXISTS bench_raw`)
	return mapErr(err)
}
