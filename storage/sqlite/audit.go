package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// LastAudit returns the newest entry.
func (s *Store) LastAudit(ctx context.Context) (*domain.AuditEntry, error) {
	return getDoc[record.AuditDoc](ctx, s.rc, `SELECT doc FROM audit ORDER BY seq DESC LIMIT 1`)
}

// AppendAudit inserts an entry; a taken Seq is ErrConflict.
func (s *Store) AppendAudit(ctx context.Context, e *domain.AuditEntry) error {
	raw, err := encode(record.FromAudit(e))
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		tx.chain.checked = false // sealed by the caller: the remembered head is no longer the head
		_, err := exec(ctx, tx, `INSERT INTO audit (seq, at_ms, actor_id, institution_id, action, doc) VALUES (?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At.UnixMilli(), e.ActorID, e.InstitutionID, e.Action, raw)
		return err
	})
}

// AppendAudits inserts entries in one transaction: all or none.
func (s *Store) AppendAudits(ctx context.Context, es []*domain.AuditEntry) (int, error) {
	raws := make([]string, len(es))
	for i, e := range es {
		raw, err := encode(record.FromAudit(e))
		if err != nil {
			return 0, err
		}
		raws[i] = raw
	}
	err := s.write(ctx, func(tx *wtx) error {
		tx.chain.checked = false // sealed by the caller: the remembered head is no longer the head
		for i, e := range es {
			if _, err := exec(ctx, tx, `INSERT INTO audit (seq, at_ms, actor_id, institution_id, action, doc) VALUES (?, ?, ?, ?, ?, ?)`,
				e.Seq, e.At.UnixMilli(), e.ActorID, e.InstitutionID, e.Action, raws[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(es), nil
}

// ListAudit pages entries by Seq. The time range is [From, To): From
// inclusive, To exclusive, either may be zero for "unbounded".
func (s *Store) ListAudit(ctx context.Context, f storage.AuditFilter, p storage.Page) ([]domain.AuditEntry, string, error) {
	p = p.Normalized()
	var after int64
	if p.Cursor != "" {
		n, err := strconv.ParseInt(p.Cursor, 10, 64)
		if err != nil || n < 0 {
			return nil, "", domain.Invalid("cursor", "malformed cursor")
		}
		after = n
	}
	where := []string{"seq > ?"}
	args := []any{after}
	order := "seq"
	if f.NewestFirst {
		where, args, order = []string{"1"}, nil, "seq DESC"
		if p.Cursor != "" {
			where, args = []string{"seq < ?"}, []any{after}
		}
	}
	if f.ActorID != "" {
		where, args = append(where, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.InstitutionID != "" {
		where, args = append(where, "institution_id = ?"), append(args, f.InstitutionID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at_ms >= ?"), append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		where, args = append(where, "at_ms < ?"), append(args, f.To.UnixMilli())
	}
	args = append(args, p.Limit+1)
	entries, err := s.auditRows(ctx, `SELECT doc FROM audit WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, "", err
	}
	if len(entries) <= p.Limit {
		return entries, "", nil
	}
	entries = entries[:p.Limit]
	return entries, strconv.FormatInt(entries[p.Limit-1].Seq, 10), nil
}

const auditScanBatch = 500

// ScanAudit streams every entry in Seq order, a batch at a time.
func (s *Store) ScanAudit(ctx context.Context, fn func(domain.AuditEntry) error) error {
	return s.ScanAuditIndexed(ctx, func(e domain.AuditEntry, _ storage.AuditIndex) error { return fn(e) })
}

// ScanAuditIndexed streams every entry with its search columns, which are
// written beside the JSON document and could be edited on their own.
func (s *Store) ScanAuditIndexed(ctx context.Context, fn func(domain.AuditEntry, storage.AuditIndex) error) error {
	var after int64
	for {
		batch, err := s.auditIndexRows(ctx, after)
		if err != nil {
			return err
		}
		for _, r := range batch {
			if err := fn(r.entry, r.index); err != nil {
				return err
			}
		}
		if len(batch) < auditScanBatch {
			return nil
		}
		after = batch[len(batch)-1].seq
	}
}

type indexedAuditRow struct {
	seq   int64
	entry domain.AuditEntry
	index storage.AuditIndex
}

// auditIndexRows reads one batch; the batch is read whole before fn runs so
// that a slow consumer does not hold a read transaction open.
func (s *Store) auditIndexRows(ctx context.Context, after int64) ([]indexedAuditRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at_ms, actor_id, institution_id, action, doc FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`, after, auditScanBatch)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []indexedAuditRow
	for rows.Next() {
		var r indexedAuditRow
		var atMS int64
		var raw string
		if err := rows.Scan(&r.seq, &atMS, &r.index.ActorID, &r.index.InstitutionID, &r.index.Action, &raw); err != nil {
			return nil, mapErr(err)
		}
		e, err := decode[record.AuditDoc](raw)
		if err != nil {
			return nil, err
		}
		r.entry, r.index.At = *e, time.UnixMilli(atMS).UTC()
		out = append(out, r)
	}
	return out, mapErr(rows.Err())
}

func (s *Store) auditRows(ctx context.Context, query string, args ...any) ([]domain.AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []domain.AuditEntry
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, mapErr(err)
		}
		e, err := decode[record.AuditDoc](raw)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, mapErr(rows.Err())
}

// chainHead is the audit chain's head as the committer last wrote or read
// it. Entries are sealed inside the write transaction, which holds the
// file's write lock, so the head read there is the true one even with
// other processes on the same file; the remembered entry only saves
// decoding it again when its Seq is still the newest.
type chainHead struct {
	last    *domain.AuditEntry
	checked bool // last is known to be the head within this transaction
}

func (h *chainHead) forget() { *h = chainHead{} }

// head returns the newest entry (nil for an empty log).
func (t *wtx) head(ctx context.Context) (*domain.AuditEntry, error) {
	if t.chain.checked {
		return t.chain.last, nil
	}
	var seq int64
	err := t.QueryRowContext(ctx, `SELECT seq FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		t.chain.last = nil
	case err != nil:
		return nil, mapErr(err)
	case t.chain.last == nil || t.chain.last.Seq != seq:
		last, err := getDoc[record.AuditDoc](ctx, t, `SELECT doc FROM audit WHERE seq = ?`, seq)
		if err != nil {
			return nil, err
		}
		t.chain.last = last
	}
	t.chain.checked = true
	return t.chain.last, nil
}

// sealAudits seals es on the chain head and inserts them.
func (t *wtx) sealAudits(ctx context.Context, es []domain.PreparedAudit) error {
	if len(es) == 0 {
		return nil
	}
	prev, err := t.head(ctx)
	if err != nil {
		return err
	}
	for _, p := range es {
		e := p.Seal(prev)
		raw, err := encode(record.FromAudit(&e))
		if err != nil {
			return err
		}
		if _, err := exec(ctx, t, `INSERT INTO audit (seq, at_ms, actor_id, institution_id, action, doc) VALUES (?, ?, ?, ?, ?, ?)`,
			e.Seq, e.At.UnixMilli(), e.ActorID, e.InstitutionID, e.Action, raw); err != nil {
			return err
		}
		prev = &e
	}
	t.chain.last = prev
	return nil
}

// RecordAudits seals and appends entries in one transaction.
func (s *Store) RecordAudits(ctx context.Context, es []domain.AuditEntry) error {
	prepared := domain.PrepareAudits(es)
	return s.write(ctx, func(tx *wtx) error { return tx.sealAudits(ctx, prepared) })
}
