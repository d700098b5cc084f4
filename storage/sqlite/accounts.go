package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// CreateAccount inserts the account and its index rows.
func (s *Store) CreateAccount(ctx context.Context, key *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	version := initialVersion(a.Version)
	id := a.ID.String()
	raw := encodeAccount(a, version)
	tallies := a.StatTallies()
	rawTallies := encodeTallies(tallies)
	rows := sideRowsOf(a)
	entries := domain.PrepareAudits(audit)
	err := s.writeKeyed(ctx, key, func(tx *wtx) error {
		if _, err := exec(ctx, tx, `INSERT INTO accounts (id, version, national_id_hash, doc, tallies) VALUES (?, ?, ?, ?, ?)`,
			id, version, nullable(a.PII.NationalIDHash), raw, rawTallies); err != nil {
			return err
		}
		tx.addTallies(tallies)
		if err := syncAccountIndex(ctx, tx, id, make(sideRows, len(sideTables)), rows); err != nil {
			return err
		}
		return tx.sealAudits(ctx, entries)
	})
	if err != nil {
		return err
	}
	a.Version = version
	s.accounts.putStored(a.ID, version, &replaced{rows: rows, tallies: tallies, nationalIDHash: a.PII.NationalIDHash})
	return nil
}

// UpdateAccount is compare-and-swap on Version; the side tables are
// brought in line in the same transaction so the indexes always match the
// doc. Only the rows that differ are written: a deposit adds one outcome row
// instead of rewriting every row of the account.
func (s *Store) UpdateAccount(ctx context.Context, key *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	id, version := a.ID.String(), a.Version+1
	raw := encodeAccount(a, version)
	tallies := a.StatTallies()
	rawTallies := encodeTallies(tallies)
	// When the document being replaced is cached, what the write must know
	// of it is known without reading it: the compare-and-swap below only
	// succeeds if the stored version is that one.
	rows := sideRowsOf(a)
	entries := domain.PrepareAudits(audit)
	var delta domain.StatTallies
	cached := s.accounts.replacedAt(a.ID, a.Version)
	if cached != nil {
		delta = tallies.Delta(cached.tallies)
	}
	err := s.writeKeyed(ctx, key, func(tx *wtx) error {
		prev, delta := cached, delta
		if prev == nil {
			var err error
			if prev, err = storedAccount(ctx, tx, id); err != nil {
				return err
			}
			delta = tallies.Delta(prev.tallies)
		}
		// Setting the national ID hash rewrites its unique index entry (a
		// page of its own) even when the value is the same, so it is set
		// only when it changes.
		update, args := `UPDATE accounts SET version = ?, doc = ?, tallies = ? WHERE id = ? AND version = ?`,
			[]any{version, raw, rawTallies, id, a.Version}
		if a.PII.NationalIDHash != prev.nationalIDHash {
			update, args = `UPDATE accounts SET version = ?, national_id_hash = ?, doc = ?, tallies = ? WHERE id = ? AND version = ?`,
				[]any{version, nullable(a.PII.NationalIDHash), raw, rawTallies, id, a.Version}
		}
		n, err := exec(ctx, tx, update, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			return casMiss(ctx, tx, `SELECT 1 FROM accounts WHERE id = ?`, id)
		}
		tx.addTallies(delta)
		if err := syncAccountIndex(ctx, tx, id, prev.rows, rows); err != nil {
			return err
		}
		return tx.sealAudits(ctx, entries)
	})
	if err != nil {
		if errors.Is(err, domain.ErrStale) {
			s.accounts.drop(a.ID)
		}
		return err
	}
	a.Version = version
	s.accounts.putStored(a.ID, version, &replaced{rows: rows, tallies: tallies, nationalIDHash: a.PII.NationalIDHash})
	return nil
}

// replaced is what an account write must know of the document it
// replaces: its side rows, its recorded contribution to the district sums,
// and its national ID hash.
type replaced struct {
	rows           sideRows
	tallies        domain.StatTallies
	nationalIDHash string
}

func replacedBy(prev *domain.Account) *replaced {
	return &replaced{rows: sideRowsOf(prev), tallies: prev.StatTallies(), nationalIDHash: prev.PII.NationalIDHash}
}

// storedAccount reads what an account write replaces when it is not cached:
// the stored document, and its recorded tallies (empty if none yet).
func storedAccount(ctx context.Context, tx execer, id string) (*replaced, error) {
	var doc string
	var raw sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT doc, tallies FROM accounts WHERE id = ?`, id).Scan(&doc, &raw); err != nil {
		return nil, mapErr(err)
	}
	prev, err := decodeAccount(doc)
	if err != nil {
		return nil, err
	}
	r := &replaced{rows: sideRowsOf(prev), tallies: domain.StatTallies{}, nationalIDHash: prev.PII.NationalIDHash}
	if raw.Valid {
		if r.tallies, err = decodeTallies(raw.String); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// indexDiff writes what differs between the stored rows (key → value) and
// the wanted ones: upsert changed or new keys, delete keys no longer wanted.
func indexDiff(ctx context.Context, tx *wtx, have, want map[string]string, upsert func(k, v string) error, remove string) error {
	for k, v := range want {
		if old, ok := have[k]; !ok || old != v {
			if err := upsert(k, v); err != nil {
				return err
			}
		}
	}
	for k := range have {
		if _, ok := want[k]; !ok {
			if _, err := exec(ctx, tx, remove, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// ListAccountsSharedWith pages the accounts with a grant for an institution.
func (s *Store) ListAccountsSharedWith(ctx context.Context, institutionID uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return s.accountsListedIn(ctx, `SELECT account_id FROM account_grants WHERE institution_id = ?`, institutionID, p)
}

// accountsListedIn pages, in ID order, the accounts a side-table query
// (selecting account_id for one key) names.
func (s *Store) accountsListedIn(ctx context.Context, side string, key uuid.UUID, p storage.Page) ([]*domain.Account, string, error) {
	return listRows(ctx, s.r, p, decodeAccount,
		`SELECT a.id, a.doc FROM accounts a WHERE a.id IN (`+side+`) AND a.id > ? ORDER BY a.id LIMIT ?`, key.String())
}

// GetAccount loads one account.
func (s *Store) GetAccount(ctx context.Context, id uuid.UUID) (*domain.Account, error) {
	return s.loadAccount(ctx, id)
}

// GetAccountByNationalIDHash finds an account by its national-ID lookup hash.
func (s *Store) GetAccountByNationalIDHash(ctx context.Context, hash string) (*domain.Account, error) {
	if hash == "" {
		return nil, domain.ErrNotFound
	}
	return s.loadAccountBy(ctx, `SELECT id, version, doc FROM accounts WHERE national_id_hash = ?`, hash)
}

// GetAccountByOutcomeID finds the account holding an outcome.
func (s *Store) GetAccountByOutcomeID(ctx context.Context, outcomeID uuid.UUID) (*domain.Account, error) {
	return s.loadAccountBy(ctx, `SELECT a.id, a.version, a.doc FROM account_outcomes o JOIN accounts a ON a.id = o.account_id
		WHERE o.outcome_id = ?`, outcomeID.String())
}

// GetAccountByConversionID finds the account holding a conversion.
func (s *Store) GetAccountByConversionID(ctx context.Context, conversionID uuid.UUID) (*domain.Account, error) {
	return s.loadAccountBy(ctx, `SELECT a.id, a.version, a.doc FROM account_conversions c JOIN accounts a ON a.id = c.account_id
		WHERE c.conversion_id = ?`, conversionID.String())
}

// pageItems runs a side-table query selecting (item id, account id,
// account document) in item order and picks each item out of its account;
// an account holding several items of the page is decoded once.
func pageItems[T any](ctx context.Context, db cachedDB, p storage.Page, pick func(*domain.Account, uuid.UUID) (T, bool), query string, args ...any) ([]T, string, error) {
	p = p.Normalized()
	cursor, err := idCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	rows, err := db.QueryContext(ctx, query, append(args, cursor, p.Limit+1)...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	var out []T
	var ids []string
	decoded := map[string]*domain.Account{}
	for rows.Next() {
		var itemID, accountID, raw string
		if err := rows.Scan(&itemID, &accountID, &raw); err != nil {
			return nil, "", mapErr(err)
		}
		a := decoded[accountID]
		if a == nil {
			if a, err = decodeAccount(raw); err != nil {
				return nil, "", err
			}
			decoded[accountID] = a
		}
		id, err := uuid.Parse(itemID)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: malformed item id %q in index", itemID)
		}
		v, ok := pick(a, id)
		if !ok {
			return nil, "", fmt.Errorf("sqlite: index row %s has no match in its account", itemID)
		}
		out = append(out, v)
		ids = append(ids, itemID)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr(err)
	}
	out, next := trimPage(out, ids, p.Limit)
	return out, next, nil
}

func pickOutcome(a *domain.Account, id uuid.UUID) (domain.Outcome, bool) {
	for _, o := range a.Outcomes {
		if o.ID == id {
			return o, true
		}
	}
	return domain.Outcome{}, false
}

func pickConversion(a *domain.Account, id uuid.UUID) (domain.Conversion, bool) {
	for _, c := range a.Conversions {
		if c.ID == id {
			return c, true
		}
	}
	return domain.Conversion{}, false
}

// ListOutcomesByIssuer pages an issuer's outcomes in outcome ID order.
func (s *Store) ListOutcomesByIssuer(ctx context.Context, issuerID uuid.UUID, p storage.Page) ([]domain.Outcome, string, error) {
	return pageItems(ctx, s.rc, p, pickOutcome, `SELECT o.outcome_id, a.id, a.doc
		FROM account_outcomes o JOIN accounts a ON a.id = o.account_id
		WHERE o.issuer_id = ? AND o.outcome_id > ? ORDER BY o.outcome_id LIMIT ?`, issuerID.String())
}

// ListConversionsByInstitution pages the conversions addressed to an
// institution, optionally only those in one status.
func (s *Store) ListConversionsByInstitution(ctx context.Context, institutionID uuid.UUID, status domain.ConversionStatus, p storage.Page) ([]domain.Conversion, string, error) {
	const pick = `SELECT c.conversion_id, a.id, a.doc
		FROM account_conversions c JOIN accounts a ON a.id = c.account_id `
	if status == "" {
		return pageItems(ctx, s.rc, p, pickConversion, pick+`WHERE c.institution_id = ? AND c.conversion_id > ? ORDER BY c.conversion_id LIMIT ?`,
			institutionID.String())
	}
	return pageItems(ctx, s.rc, p, pickConversion, pick+`WHERE c.institution_id = ? AND c.status = ? AND c.conversion_id > ? ORDER BY c.conversion_id LIMIT ?`,
		institutionID.String(), string(status))
}

// scanBatch is how many accounts ScanAccounts holds in memory at once.
const scanBatch = 100

// ScanAccounts streams every account in ID order, one batch at a time. No
// rows are open while fn runs, so fn may itself use the store.
func (s *Store) ScanAccounts(ctx context.Context, fn func(*domain.Account) error) error {
	after := ""
	for {
		batch, err := s.accountBatch(ctx, after)
		if err != nil {
			return err
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(batch) < scanBatch {
			return nil
		}
		after = batch[len(batch)-1].ID.String()
	}
}

func (s *Store) accountBatch(ctx context.Context, after string) ([]*domain.Account, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM accounts WHERE id > ? ORDER BY id LIMIT ?`, after, scanBatch)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []*domain.Account
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, mapErr(err)
		}
		a, err := decodeAccount(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, mapErr(rows.Err())
}

// CountAccounts counts every account.
func (s *Store) CountAccounts(ctx context.Context) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		return 0, mapErr(err)
	}
	return n, nil
}
