package sqlite

import (
	"context"
	"strings"

	"creditbank/domain"
)

// sideTable is one index table kept beside the account documents: its rows
// are a function of the document (key → value), written in the same
// transaction as the document so the two always agree.
type sideTable struct {
	// rows derives the wanted rows from an account.
	rows func(a *domain.Account) map[string]string
	// stored selects (key, value) of one account's rows.
	stored string
	// upsert writes one row: args key, value parts…, account ID.
	upsert func(ctx context.Context, tx *wtx, k, v, accountID string) error
	// remove deletes one row by key.
	remove string
}

var sideTables = []sideTable{
	{
		rows: func(a *domain.Account) map[string]string {
			m := make(map[string]string, len(a.Outcomes))
			for _, o := range a.Outcomes {
				m[o.ID.String()] = o.IssuerID.String()
			}
			return m
		},
		stored: `SELECT outcome_id, issuer_id FROM account_outcomes WHERE account_id = ?`,
		upsert: func(ctx context.Context, tx *wtx, k, v, id string) error {
			_, err := exec(ctx, tx, `INSERT INTO account_outcomes (outcome_id, issuer_id, account_id) VALUES (?, ?, ?)
			ON CONFLICT (outcome_id) DO UPDATE SET issuer_id = excluded.issuer_id`, k, v, id)
			return err
		},
		remove: `DELETE FROM account_outcomes WHERE outcome_id = ?`,
	},
	{
		rows: func(a *domain.Account) map[string]string {
			m := make(map[string]string, len(a.Conversions))
			for _, c := range a.Conversions {
				m[c.ID.String()] = c.InstitutionID.String() + " " + string(c.Status)
			}
			return m
		},
		stored: `SELECT conversion_id, institution_id || ' ' || status FROM account_conversions WHERE account_id = ?`,
		upsert: func(ctx context.Context, tx *wtx, k, v, id string) error {
			inst, status, _ := strings.Cut(v, " ")
			_, err := exec(ctx, tx, `INSERT INTO account_conversions (conversion_id, institution_id, status, account_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (conversion_id) DO UPDATE SET institution_id = excluded.institution_id, status = excluded.status`, k, inst, status, id)
			return err
		},
		remove: `DELETE FROM account_conversions WHERE conversion_id = ?`,
	},
	{
		// Withdrawn grants are not indexed; expired ones are (the caller
		// judges expiry).
		rows: func(a *domain.Account) map[string]string {
			m := map[string]string{}
			for _, g := range a.Grants {
				if g.RevokedAt == nil {
					m[g.ID.String()] = g.InstitutionID.String()
				}
			}
			return m
		},
		stored: `SELECT grant_id, institution_id FROM account_grants WHERE account_id = ?`,
		upsert: func(ctx context.Context, tx *wtx, k, v, id string) error {
			_, err := exec(ctx, tx, `INSERT INTO account_grants (grant_id, institution_id, account_id) VALUES (?, ?, ?)
			ON CONFLICT (grant_id) DO UPDATE SET institution_id = excluded.institution_id`, k, v, id)
			return err
		},
		remove: `DELETE FROM account_grants WHERE grant_id = ?`,
	},
	{
		rows: func(a *domain.Account) map[string]string {
			m := map[string]string{}
			for _, h := range a.Helpers {
				if h.WithdrawnAt == nil {
					m[h.ID.String()] = h.HelperID.String()
				}
			}
			return m
		},
		stored: `SELECT grant_id, helper_id FROM account_helpers WHERE account_id = ?`,
		upsert: func(ctx context.Context, tx *wtx, k, v, id string) error {
			_, err := exec(ctx, tx, `INSERT INTO account_helpers (grant_id, helper_id, account_id) VALUES (?, ?, ?)
			ON CONFLICT (grant_id) DO UPDATE SET helper_id = excluded.helper_id`, k, v, id)
			return err
		},
		remove: `DELETE FROM account_helpers WHERE grant_id = ?`,
	},
}

// sideRows is an account's rows in every side table, in sideTables order.
type sideRows []map[string]string

func sideRowsOf(a *domain.Account) sideRows {
	out := make(sideRows, len(sideTables))
	for i, t := range sideTables {
		out[i] = t.rows(a)
	}
	return out
}

// syncAccountIndex makes the side tables match the account, writing only
// the rows that differ. have is what the stored document's rows are, when
// the caller knows it (the document it replaces is in the cache); otherwise
// the rows are read.
func syncAccountIndex(ctx context.Context, tx *wtx, a *domain.Account, have sideRows) error {
	id := a.ID.String()
	for i, t := range sideTables {
		var old map[string]string
		if have != nil {
			old = have[i]
		} else {
			var err error
			if old, err = indexRows(ctx, tx, t.stored, id); err != nil {
				return err
			}
		}
		err := indexDiff(ctx, tx, old, t.rows(a), func(k, v string) error { return t.upsert(ctx, tx, k, v, id) }, t.remove)
		if err != nil {
			return err
		}
	}
	return nil
}
