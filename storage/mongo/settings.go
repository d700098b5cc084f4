package mongo

import (
	"context"
	"fmt"

	"creditbank/domain"
	"creditbank/storage/record"
)

// GetCreditPolicy loads the district policy, or not-found before the first save.
func (s *Store) GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error) {
	return getDoc[record.CreditPolicyDoc](ctx, s.settings, "get credit policy", byID(record.CreditPolicyID))
}

// SaveCreditPolicy is compare-and-swap on Version (see saveSetting). On
// success p.Version is the new version.
func (s *Store) SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error {
	return s.saveSetting(ctx, "save credit policy", record.CreditPolicyID, &p.Version, func(v int64) any {
		d := record.FromCreditPolicy(p)
		d.Version = v
		return d
	})
}

// saveSetting writes a settings document by compare-and-swap on its
// version: version 0 inserts (losing to a concurrent first save is stale,
// not a duplicate), otherwise the stored version must still be *version.
// doc makes the document at the next version; *version takes it on success.
func (s *Store) saveSetting(ctx context.Context, what, id string, version *int64, doc func(version int64) any) error {
	if *version != 0 {
		return s.replaceVersioned(ctx, s.settings, what, id, "version", version, doc)
	}
	if _, err := s.settings.InsertOne(ctx, doc(1)); err != nil {
		if isDuplicateKey(err) {
			return fmt.Errorf("%s: %w", what, domain.ErrStale)
		}
		return mapErr(what, err)
	}
	*version = 1
	return nil
}
