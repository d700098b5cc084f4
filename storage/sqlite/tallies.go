package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"creditbank/domain"
)

// An account's share of the district sums is stored beside its document,
// in the same row. As JSON it was a fifth of the row (≈ 740 bytes for ten
// outcomes), enough to push an account onto an overflow page, which every
// save then rewrote. It is now binary: keys in order, each stored as the
// length of the prefix it shares with the previous key and the rest
// ("month:2019-06" after "month:2018-12" costs four bytes), counts as
// varints, credits as compact numbers. JSON tallies from earlier versions
// still read and are rewritten at the account's next save.
const talliesFormatBinary1 = 0xB1

// tallyCell is one statistic in a JSON tallies column.
type tallyCell struct {
	N int64   `json:"n"`
	C float64 `json:"c,omitempty"`
}

func encodeTallies(t domain.StatTallies) string {
	keys := slices.Sorted(maps.Keys(t))
	w := docWriter{b: make([]byte, 0, 8+len(keys)*12)}
	w.b = append(w.b, talliesFormatBinary1)
	w.uvarint(uint64(len(keys)))
	prev := ""
	for _, k := range keys {
		shared := 0
		for shared < len(prev) && shared < len(k) && prev[shared] == k[shared] {
			shared++
		}
		w.uvarint(uint64(shared))
		w.str(k[shared:])
		w.varint(t[k].Count)
		w.num(t[k].Credits)
		prev = k
	}
	return string(w.b)
}

func decodeTallies(raw string) (domain.StatTallies, error) {
	if raw != "" && raw[0] == talliesFormatBinary1 {
		r := docReader{s: raw[1:]}
		n := r.count()
		t := make(domain.StatTallies, n)
		prev := ""
		for i := 0; i < n && r.err == nil; i++ {
			shared := r.uvarint()
			if shared > uint64(len(prev)) {
				r.fail("key shares %d bytes with a key of %d", shared, len(prev))
				break
			}
			k := prev[:shared] + r.str()
			t[k] = domain.StatTally{Count: r.varint(), Credits: r.num()}
			prev = k
		}
		if r.err == nil && len(r.s) != 0 {
			r.fail("%d bytes after the tallies", len(r.s))
		}
		if r.err != nil {
			return nil, fmt.Errorf("sqlite: decode tallies: %w", r.err)
		}
		return t, nil
	}
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
			_, err = tx.ExecContext(ctx, `UPDATE accounts SET tallies = ? WHERE id = ?`, encodeTallies(t), p.id)
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
