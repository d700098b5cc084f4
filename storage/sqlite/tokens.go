package sqlite

import (
	"context"
	"encoding/base64"
	"sort"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage/record"
)

// CreateRefreshToken inserts a hashed refresh token.
func (s *Store) CreateRefreshToken(ctx context.Context, t *domain.RefreshToken) error {
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
func (s *Store) GetRefreshToken(ctx context.Context, hash string) (*domain.RefreshToken, error) {
	return getDoc[record.RefreshTokenDoc](ctx, s.rc, `SELECT doc FROM refresh_tokens WHERE hash = ?`, hash)
}

// UseRefreshToken marks an unused, unrevoked token used and returns it. A
// used or revoked token is domain.ErrConflict: either way presenting it again
// is a reuse, and the caller revokes the family.
func (s *Store) UseRefreshToken(ctx context.Context, hash string, at time.Time) (*domain.RefreshToken, error) {
	var out *domain.RefreshToken
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
		var tokens []*domain.RefreshToken
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

// CarriesReservations: the writes taking a key insert it while it is
// pending, in their own transaction (see writeKeyed).
func (s *Store) CarriesReservations() bool { return true }

// ReserveIdempotency inserts a reservation; an existing key is ErrConflict.
func (s *Store) ReserveIdempotency(ctx context.Context, r *domain.IdempotencyRecord) error {
	d := record.FromIdempotency(r)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO idempotency (key, doc) VALUES (?, ?)`, d.Key, raw)
		return err
	})
}

// GetIdempotency loads a record by key.
func (s *Store) GetIdempotency(ctx context.Context, key string) (*domain.IdempotencyRecord, error) {
	return getDoc[record.IdempotencyDoc](ctx, s.rc, `SELECT doc FROM idempotency WHERE key = ?`, key)
}

// ownedReservation matches the unfinished reservation of a key held by one
// owner; records from before owners existed hold the empty owner.
const ownedReservation = `key = ? AND json_extract(doc, '$.status') = 0 AND COALESCE(json_extract(doc, '$.owner'), '') = ?`

// TakeOverIdempotency hands an unfinished reservation from prevOwner to r.Owner.
func (s *Store) TakeOverIdempotency(ctx context.Context, r *domain.IdempotencyRecord, prevOwner string) error {
	d := record.FromIdempotency(r)
	d.Status, d.Body = 0, nil
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `UPDATE idempotency SET doc = ? WHERE `+ownedReservation, raw, d.Key, prevOwner)
		if err != nil || n == 1 {
			return err
		}
		return casMiss(ctx, tx, `SELECT 1 FROM idempotency WHERE key = ?`, d.Key)
	})
}

// CompleteIdempotency stores the first response for a key reserved by owner.
// One statement: the reservation is matched and completed in place.
func (s *Store) CompleteIdempotency(ctx context.Context, key, owner string, status int, body []byte) error {
	encoded := base64.StdEncoding.EncodeToString(body) // how the document's []byte body is kept
	return s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `UPDATE idempotency SET doc = json_set(doc, '$.status', ?, '$.body', ?) WHERE `+ownedReservation,
			status, encoded, key, owner)
		if err != nil || n == 1 {
			return err
		}
		return casMiss(ctx, tx, `SELECT 1 FROM idempotency WHERE key = ?`, key)
	})
}

// DeleteIdempotency drops owner's unfinished reservation; anything else
// (absent, completed, taken over) is left alone, so a failed request's
// cleanup may run twice and never frees a key someone else now holds.
func (s *Store) DeleteIdempotency(ctx context.Context, key, owner string) error {
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `DELETE FROM idempotency WHERE `+ownedReservation, key, owner)
		return err
	})
}

// SaveSigningKey inserts or replaces a key by KID.
func (s *Store) SaveSigningKey(ctx context.Context, k *domain.SigningKey) error {
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
func (s *Store) ListSigningKeys(ctx context.Context) ([]domain.SigningKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM signing_keys`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []domain.SigningKey
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
