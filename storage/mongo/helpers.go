package mongo

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// ListAccountsHelpedBy pages the accounts that named helperID as helper,
// through the multikey helperIds index.
func (s *Store) ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	docs, next, err := pageDocs(ctx, s.accounts, "list accounts helped by",
		bson.D{{Key: "helperIds", Value: helperID.String()}}, p,
		func(d record.AccountDoc) string { return d.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]*domain.Account, 0, len(docs))
	for _, d := range docs {
		a, err := d.ToDomain()
		if err != nil {
			return nil, "", fmt.Errorf("mongo: decode account: %w", err)
		}
		out = append(out, a)
	}
	return out, next, nil
}
