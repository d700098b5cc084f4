package mongo

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// ListAccountsHelpedBy pages the accounts that named helperID as helper,
// through the multikey helperIds index.
func (s *Store) ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return s.accountsWhere(ctx, "list accounts helped by", "helperIds", helperID, p)
}
