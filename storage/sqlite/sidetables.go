package sqlite

import (
	"context"
	"strings"
	"time"

	"creditbank/domain"
)

// sideTable is one index table kept beside the account documents: its rows
// are a function of the document (key → value), written in the same
// transaction as the document so the two always agree. A row's value is
// its value columns joined by valueSep.
type sideTable struct {
	rows           func(a *domain.Account) map[string]string
	upsert, remove string
}

const valueSep = "\x1f"

// newSideTable writes the statements of a side table keyed by key, with
// value columns values and an account_id column.
func newSideTable(table, key string, values []string, rows func(a *domain.Account) map[string]string) sideTable {
	sets := make([]string, len(values))
	for i, v := range values {
		sets[i] = v + " = excluded." + v
	}
	return sideTable{
		rows: rows,
		upsert: `INSERT INTO ` + table + ` (` + key + `, ` + strings.Join(values, `, `) + `, account_id) VALUES (?` + strings.Repeat(`, ?`, len(values)+1) + `)
			ON CONFLICT (` + key + `) DO UPDATE SET ` + strings.Join(sets, `, `),
		remove: `DELETE FROM ` + table + ` WHERE ` + key + ` = ?`,
	}
}

var sideTables = []sideTable{
	newSideTable("account_outcomes", "outcome_id", outcomeSearchColumns, outcomeRows),
	newSideTable("account_conversions", "conversion_id", []string{"institution_id", "status"}, func(a *domain.Account) map[string]string {
		m := make(map[string]string, len(a.Conversions))
		for _, c := range a.Conversions {
			m[c.ID.String()] = c.InstitutionID.String() + valueSep + string(c.Status)
		}
		return m
	}),
	// Withdrawn grants are not indexed; expired ones are (the caller judges
	// expiry).
	newSideTable("account_grants", "grant_id", []string{"institution_id"}, func(a *domain.Account) map[string]string {
		m := map[string]string{}
		for _, g := range a.Grants {
			if g.WithdrawnAt == nil {
				m[g.ID.String()] = g.InstitutionID.String()
			}
		}
		return m
	}),
	newSideTable("account_helpers", "grant_id", []string{"helper_id"}, func(a *domain.Account) map[string]string {
		m := map[string]string{}
		for _, h := range a.Helpers {
			if h.WithdrawnAt == nil {
				m[h.ID.String()] = h.HelperID.String()
			}
		}
		return m
	}),
}

// outcomeSearchColumns are account_outcomes' value columns: the issuer,
// and what the issuer searches its list by (the learner's name is copied
// to every row of the account, and rewritten with it).
var outcomeSearchColumns = []string{"issuer_id", "course_code", "status", "completed_on", "learner_name"}

func outcomeRows(a *domain.Account) map[string]string {
	m := make(map[string]string, len(a.Outcomes))
	clean := func(s string) string { return strings.ReplaceAll(s, valueSep, "") }
	for _, o := range a.Outcomes {
		m[o.ID.String()] = strings.Join([]string{o.IssuerID.String(), clean(strings.ToLower(o.CourseCode)), string(o.Status),
			o.CompletedOn.Format(time.DateOnly), clean(a.Name)}, valueSep)
	}
	return m
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

// syncAccountIndex makes the side tables of account id hold want, writing
// only the rows that differ from have, the rows of the stored document
// being replaced (derived before the write when it is cached, off the single
// committer; read from the stored document otherwise).
func syncAccountIndex(ctx context.Context, tx *wtx, id string, have, want sideRows) error {
	for i, t := range sideTables {
		err := indexDiff(ctx, tx, have[i], want[i], func(k, v string) error {
			args := []any{k}
			for _, part := range strings.Split(v, valueSep) {
				args = append(args, part)
			}
			_, err := exec(ctx, tx, t.upsert, append(args, id)...)
			return err
		}, t.remove)
		if err != nil {
			return err
		}
	}
	return nil
}
