package sqlite

import (
	"context"
	"database/sql"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// writeHelperIndex replaces the account's helper index rows; it runs inside
// every account write, so the rows always match the document.
func writeHelperIndex(ctx context.Context, tx *sql.Tx, a *domain.Account) error {
	id := a.ID.String()
	if _, err := exec(ctx, tx, `DELETE FROM account_helpers WHERE account_id = ?`, id); err != nil {
		return err
	}
	for _, h := range a.Helpers {
		if h.WithdrawnAt != nil {
			continue
		}
		if _, err := exec(ctx, tx, `INSERT INTO account_helpers (grant_id, helper_id, account_id) VALUES (?, ?, ?)`,
			h.ID.String(), h.HelperID.String(), id); err != nil {
			return err
		}
	}
	return nil
}

// ListAccountsHelpedBy pages the accounts that named helperID as helper.
func (s *Store) ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	p = p.Normalized()
	if p.Cursor != "" {
		if _, err := uuid.Parse(p.Cursor); err != nil {
			return nil, "", domain.Invalid("cursor", "not a cursor returned by this list")
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.doc FROM accounts a WHERE a.id IN
		(SELECT account_id FROM account_helpers WHERE helper_id = ?) AND a.id > ? ORDER BY a.id LIMIT ?`,
		helperID.String(), p.Cursor, p.Limit+1)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	var out []*domain.Account
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, "", mapErr(err)
		}
		a, err := decode[record.AccountDoc](raw)
		if err != nil {
			return nil, "", err
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr(err)
	}
	next := ""
	if len(out) > p.Limit {
		out = out[:p.Limit]
		next = out[len(out)-1].ID.String()
	}
	return out, next, nil
}
