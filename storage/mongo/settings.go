package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/storage/record"
)

// GetCreditPolicy loads the district policy, or not-found before the first save.
func (s *Store) GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error) {
	var d record.CreditPolicyDoc
	if err := s.findSetting(ctx, "get credit policy", record.CreditPolicyID, &d); err != nil {
		return nil, err
	}
	return d.ToDomain()
}

// SaveCreditPolicy is compare-and-swap on Version (see saveSetting). On
// success p.Version is the new version.
func (s *Store) SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error {
	d := record.FromCreditPolicy(p)
	d.Version = p.Version + 1
	if err := s.saveSetting(ctx, "save credit policy", d.ID, p.Version, d); err != nil {
		return err
	}
	p.Version = d.Version
	return nil
}

// findSetting decodes the settings document id into d.
func (s *Store) findSetting(ctx context.Context, what, id string, d any) error {
	return mapErr(what, s.settings.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(d))
}

// saveSetting writes a settings document by compare-and-swap on its
// version: version 0 inserts (losing to a concurrent first save is stale,
// not a duplicate), otherwise the stored version must still be version.
func (s *Store) saveSetting(ctx context.Context, what, id string, version int64, d any) error {
	if version != 0 {
		return s.replaceIfVersion(ctx, s.settings, what, id, "version", version, d)
	}
	if _, err := s.settings.InsertOne(ctx, d); err != nil {
		if isDuplicateKey(err) {
			return fmt.Errorf("%s: %w", what, domain.ErrStale)
		}
		return mapErr(what, err)
	}
	return nil
}
