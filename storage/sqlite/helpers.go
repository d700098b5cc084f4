package sqlite

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// ListAccountsHelpedBy pages the accounts that named helperID as helper.
func (s *Store) ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return s.accountsListedIn(ctx, `SELECT account_id FROM account_helpers WHERE helper_id = ?`, helperID, p)
}
