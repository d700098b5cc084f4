package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"creditbank/domain"
)

// tallyCell is one statistic in an account's tallies column.
type tallyCell struct {
	N int64   `json:"n"`
	C float64 `json:"c,omitempty"`
}

func encodeTallies(t domain.StatTallies) (string, error) {
	m := make(map[string]tallyCell, len(t))
	for k, v := range t {
		m[k] = tallyCell{v.Count, v.Credits}
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func decodeTallies(raw string) (domain.StatTallies, error) {
	var m map[string]tallyCell
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, fmt.Errorf("sqlite: decode tallies: %w", err)
	}
	t := make(domain.StatTallies, len(m))
	for k, v := range m {
		t[k] = domain.StatTally{Count: v.N, Credits: v.C}
	}
	return t, nil
}

// applyTallies adds a delta to the district sums.
func applyTallies(ctx context.Context, tx execer, delta domain.StatTallies) error {
	for k, v := range delta {
		if _, err := exec(ctx, tx, `INSERT INTO stat_tallies (key, n, credits) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET n = n + excluded.n, credits = credits + excluded.credits`, k, v.Count, v.Credits); err != nil {
			return err
		}
	}
	return nil
}

// addTallies stages a delta to the district sums in the grouped
// transaction: the committer adds up the deltas of every write in the group
// and applies the sum just before COMMIT (see groupcommit.go), so a group of
// deposits to the same category, issuer and month updates each sum row once
// instead of once per write.
func (t *wtx) addTallies(delta domain.StatTallies) {
	if len(delta) == 0 {
		return
	}
	if t.tallies == nil {
		t.tallies = domain.StatTallies{}
	}
	t.tallies.Add(delta)
}

// storedTallies reads an account's recorded contribution (nil if none yet).
func storedTallies(ctx context.Context, tx execer, id string) (domain.StatTallies, error) {
	var raw sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT tallies FROM accounts WHERE id = ?`, id).Scan(&raw); err != nil {
		return nil, mapErr(err)
	}
	if !raw.Valid {
		return domain.StatTallies{}, nil
	}
	return decodeTallies(raw.String)
}

// DistrictTallies returns the district sums; zero rows (a month whose last
// outcome was revoked) are left out.
func (s *Store) DistrictTallies(ctx context.Context) (domain.StatTallies, error) {
	rows, err := s.rc.QueryContext(ctx, `SELECT key, n, credits FROM stat_tallies WHERE n != 0 OR credits != 0`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	t := domain.StatTallies{}
	for rows.Next() {
		var k string
		var v domain.StatTally
		if err := rows.Scan(&k, &v.Count, &v.Credits); err != nil {
			return nil, mapErr(err)
		}
		t[k] = v
	}
	return t, mapErr(rows.Err())
}

// backfillTallies counts accounts stored before the tallies existed (or
// restored without them), a batch per transaction; it runs at Open and
// costs one look into an empty partial index when there is nothing to do.
func backfillTallies(ctx context.Context, w *sql.DB) error {
	for {
		rows, err := w.QueryContext(ctx, `SELECT id, doc FROM accounts WHERE tallies IS NULL LIMIT 500`)
		if err != nil {
			return fmt.Errorf("sqlite: backfill tallies: %w", err)
		}
		type pending struct{ id, doc string }
		var batch []pending
		for rows.Next() {
			var p pending
			if err := rows.Scan(&p.id, &p.doc); err != nil {
				rows.Close()
				return fmt.Errorf("sqlite: backfill tallies: %w", err)
			}
			batch = append(batch, p)
		}
		rows.Close()
		if len(batch) == 0 {
			return nil
		}
		tx, err := w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("sqlite: backfill tallies: %w", err)
		}
		for _, p := range batch {
			a, err := decodeAccount(p.doc)
			if err != nil {
				_ = tx.Rollback()
				return err
			}
			t := a.StatTallies()
			raw, err := encodeTallies(t)
			if err == nil {
				_, err = tx.ExecContext(ctx, `UPDATE accounts SET tallies = ? WHERE id = ?`, raw, p.id)
			}
			if err == nil {
				err = applyTallies(ctx, tx, t)
			}
			if err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("sqlite: backfill tallies: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("sqlite: backfill tallies: %w", err)
		}
	}
}
