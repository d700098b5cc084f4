package sqlite

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// syncHelperIndex brings the account's helper index rows in line with its
// live helper grants; it runs inside every account write, so the rows
// always match the document.
func syncHelperIndex(ctx context.Context, tx *wtx, a *domain.Account) error {
	id := a.ID.String()
	have, err := indexRows(ctx, tx, `SELECT grant_id, helper_id FROM account_helpers WHERE account_id = ?`, id)
	if err != nil {
		return err
	}
	want := map[string]string{}
	for _, h := range a.Helpers {
		if h.WithdrawnAt == nil {
			want[h.ID.String()] = h.HelperID.String()
		}
	}
	return indexDiff(ctx, tx, have, want, func(k, v string) error {
		_, err := exec(ctx, tx, `INSERT INTO account_helpers (grant_id, helper_id, account_id) VALUES (?, ?, ?)
			ON CONFLICT (grant_id) DO UPDATE SET helper_id = excluded.helper_id`, k, v, id)
		return err
	}, `DELETE FROM account_helpers WHERE grant_id = ?`)
}

// ListAccountsHelpedBy pages the accounts that named helperID as helper.
func (s *Store) ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return s.accountsListedIn(ctx, `SELECT account_id FROM account_helpers WHERE helper_id = ?`, helperID, p)
}
