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
	if err := s.saveSetting(ctx, d.ID, p.Version, d.Version, raw); err != nil {
		return err
	}
	p.Version = d.Version
	return nil
}
