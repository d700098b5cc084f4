package sqlite

import (
	"context"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateRefreshToken inserts a hashed refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t *storage.RefreshToken) error {
	d := record.FromRefreshToken(t)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO refresh_tokens (hash, family_id, doc) VALUES (?, ?, ?)`, d.Hash, d.FamilyID, raw)
		return err
	})
}

// GetRefreshToken loads a token by its hash.
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*storage.RefreshToken, error) {
	return getDoc[record.RefreshTokenDoc](ctx, s.rc, `SELECT doc FROM refresh_tokens WHERE hash = ?`, hash)
}

// UseRefreshToken marks an unused, unrevoked token used and returns it. A
// used or revoked token is domain.ErrConflict: either way presenting it again
// is a reuse, and the caller revokes the family.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, at time.Time) (*storage.RefreshToken, error) {
	var out *storage.RefreshToken
	err := s.write(ctx, func(tx *wtx) error {
		t, err := getDoc[record.RefreshTokenDoc](ctx, tx, `SELECT doc FROM refresh_tokens WHERE hash = ?`, hash)
		if err != nil {
			return err
		}
		if t.UsedAt != nil || t.Revoked {
			return domain.ErrConflict
		}
		used := domain.Now(at)
		t.UsedAt = &used
		raw, err := encode(record.FromRefreshToken(t))
		if err != nil {
			return err
		}
		if _, err := exec(ctx, tx, `UPDATE refresh_tokens SET doc = ? WHERE hash = ?`, raw, hash); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// RevokeRefreshFamily revokes every token of a family.
func (s *Store) RevokeRefreshFamily(ctx context.Context, family uuid.UUID) error {
	return s.write(ctx, func(tx *wtx) error {
		rows, err := tx.QueryContext(ctx, `SELECT doc FROM refresh_tokens WHERE family_id = ?`, family.String())
		if err != nil {
			return mapErr(err)
		}
		var tokens []*storage.RefreshToken
		for rows.Next() {
			var raw string
			if err := rows.Scan(&raw); err != nil {
				rows.Close()
				return mapErr(err)
			}
			t, err := decode[record.RefreshTokenDoc](raw)
			if err != nil {
				rows.Close()
				return err
			}
			tokens = append(tokens, t)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		for _, t := range tokens {
			if t.Revoked {
				continue
			}
			t.Revoked = true
			raw, err := encode(record.FromRefreshToken(t))
			if err != nil {
				return err
			}
			if _, err := exec(ctx, tx, `UPDATE refresh_tokens SET doc = ? WHERE hash = ?`, raw, t.Hash); err != nil {
				return err
			}
		}
		return nil
	})
}
