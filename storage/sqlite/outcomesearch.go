package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// SearchIssuedOutcomes pages an issuer's outcomes newest first. Every
// condition is on account_outcomes' own columns, walked backwards along
// its (issuer_id, outcome_id) index, so only the accounts of the listed
// outcomes are read.
func (s *Store) SearchIssuedOutcomes(ctx context.Context, issuerID uuid.UUID, q storage.OutcomeQuery, p storage.Page) ([]storage.IssuedOutcome, string, error) {
	where := []string{"o.issuer_id = ?"}
	args := []any{issuerID.String()}
	if q.LearnerName != "" {
		where = append(where, "instr(o.learner_name, ?) > 0")
		args = append(args, q.LearnerName)
	}
	if q.CourseCode != "" {
		where = append(where, "instr(o.course_code, ?) > 0")
		args = append(args, strings.ToLower(q.CourseCode))
	}
	if q.Status != "" {
		where = append(where, "o.status = ?")
		args = append(args, string(q.Status))
	}
	if !q.CompletedFrom.IsZero() {
		where = append(where, "o.completed_on >= ?")
		args = append(args, q.CompletedFrom.Format(time.DateOnly))
	}
	if !q.CompletedTo.IsZero() {
		where = append(where, "o.completed_on <= ?")
		args = append(args, q.CompletedTo.Format(time.DateOnly))
	}
	// An empty cursor starts above every ID ('~' sorts after hex digits).
	query := `SELECT o.outcome_id, a.id, a.doc FROM account_outcomes o JOIN accounts a ON a.id = o.account_id
		WHERE ` + strings.Join(where, " AND ") + ` AND o.outcome_id < coalesce(nullif(?, ''), '~')
		ORDER BY o.outcome_id DESC LIMIT ?`
	return pageItems(ctx, s.rc, p, pickIssuedOutcome, query, args...)
}

func pickIssuedOutcome(a *domain.Account, id uuid.UUID) (storage.IssuedOutcome, bool) {
	o, ok := pickOutcome(a, id)
	return storage.IssuedOutcome{Outcome: o, LearnerName: a.Name, LearnerIDMasked: a.PII.NationalIDMasked}, ok
}

// backfillOutcomeSearch fills the search columns of outcome rows written
// before migration 10, an account batch per transaction; once done it costs
// one look into an empty partial index.
func backfillOutcomeSearch(ctx context.Context, w *sql.DB) error {
	for {
		rows, err := w.QueryContext(ctx, `SELECT a.id, a.doc FROM accounts a
			WHERE a.id IN (SELECT account_id FROM account_outcomes WHERE status IS NULL LIMIT 200)`)
		if err != nil {
			return fmt.Errorf("sqlite: backfill outcome search: %w", err)
		}
		var docs []string
		for rows.Next() {
			var id, doc string
			if err := rows.Scan(&id, &doc); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: backfill outcome search: %w", err)
			}
			docs = append(docs, doc)
		}
		rows.Close()
		if len(docs) == 0 {
			return nil
		}
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlite: backfill outcome search: %w", err)
		}
		var filled int64
		for _, doc := range docs {
			a, err := decodeAccount(doc)
			if err != nil {
				_ = tx.Rollback()
				return err
			}
			for k, v := range outcomeRows(a) {
				args := []any{}
				for _, part := range strings.Split(v, valueSep)[1:] {
					args = append(args, part)
				}
				res, err := tx.ExecContext(ctx, `UPDATE account_outcomes SET course_code = ?, status = ?, completed_on = ?, learner_name = ?
					WHERE outcome_id = ? AND status IS NULL`, append(args, k)...)
				if err != nil {
					_ = tx.Rollback()
					return fmt.Errorf("sqlite: backfill outcome search: %w", err)
				}
				n, _ := res.RowsAffected()
				filled += n
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite: backfill outcome search: %w", err)
		}
		// Rows that no document explains would be picked again forever.
		if filled == 0 {
			return fmt.Errorf("sqlite: backfill outcome search: index rows without an outcome in their account")
		}
	}
}
