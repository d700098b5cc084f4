package sqlite

import (
	"context"
	"sort"

	"creditbank/storage"
	"creditbank/storage/record"
)

// SaveSigningKey inserts or replaces a key by KID.
func (s *Store) SaveSigningKey(ctx context.Context, k *storage.SigningKey) error {
	d := record.FromSigningKey(k)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO signing_keys (kid, doc) VALUES (?, ?) ON CONFLICT (kid) DO UPDATE SET doc = excluded.doc`, d.KID, raw)
		return err
	})
}

// ListSigningKeys returns every key, oldest first (ties by KID).
func (s *Store) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM signing_keys`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []storage.SigningKey
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, mapErr(err)
		}
		k, err := decode[record.SigningKeyDoc](raw)
		if err != nil {
			return nil, err
		}
		out = append(out, *k)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].KID < out[j].KID
	})
	return out, nil
}
