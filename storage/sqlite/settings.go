package sqlite

import (
	"context"

	"creditbank/domain"
	"creditbank/storage/record"
)

// GetCreditPolicy returns the stored policy.
func (s *Store) GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error) {
	return getDoc[record.CreditPolicyDoc](ctx, s.rc, `SELECT doc FROM settings WHERE key = ?`, record.CreditPolicyID)
}

// SaveCreditPolicy is compare-and-swap on Version: 0 inserts the first
// policy (ErrStale if one exists), otherwise the stored version must match.
// On success p.Version is incremented.
func (s *Store) SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error {
	d := record.FromCreditPolicy(p)
	d.Version = p.Version + 1
	raw, err := encode(d)
	if err != nil {
		return err
	}
	if err := s.write(ctx, func(tx *wtx) error {
		if p.Version == 0 {
			n, err := exec(ctx, tx, `INSERT INTO settings (key, version, doc) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`, d.ID, d.Version, raw)
			if err == nil && n == 0 {
				return domain.ErrStale
			}
			return err
		}
		n, err := exec(ctx, tx, `UPDATE settings SET version = ?, doc = ? WHERE key = ? AND version = ?`, d.Version, raw, d.ID, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return casMiss(ctx, tx, `SELECT 1 FROM settings WHERE key = ?`, d.ID)
		}
		return nil
	}); err != nil {
		return err
	}
	p.Version = d.Version
	return nil
}
