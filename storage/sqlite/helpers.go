package sqlite

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
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
