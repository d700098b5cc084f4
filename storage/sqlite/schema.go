package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order, each once; schema_version records how
// many have run. Append new ones; never edit a released one. Account
// documents are binary now (accountdoc.go): a new migration cannot look into
// them with SQL's JSON functions, as migrations 2 and 3 did.
var migrations = []string{
	`
CREATE TABLE accounts (
	id               TEXT PRIMARY KEY,
	version          INTEGER NOT NULL,
	national_id_hash TEXT UNIQUE,
	doc              TEXT NOT NULL
);
CREATE TABLE account_outcomes (
	outcome_id TEXT PRIMARY KEY,
	issuer_id  TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX account_outcomes_by_issuer ON account_outcomes(issuer_id, outcome_id);
CREATE INDEX account_outcomes_by_account ON account_outcomes(account_id);
CREATE TABLE account_conversions (
	conversion_id  TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL,
	status         TEXT NOT NULL,
	account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX account_conversions_queue ON account_conversions(institution_id, status, conversion_id);
CREATE INDEX account_conversions_by_institution ON account_conversions(institution_id, conversion_id);
CREATE INDEX account_conversions_by_account ON account_conversions(account_id);
CREATE TABLE institutions (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	doc     TEXT NOT NULL
);
CREATE TABLE users (
	id       TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	doc      TEXT NOT NULL
);
CREATE TABLE clients (
	id        TEXT PRIMARY KEY,
	client_id TEXT NOT NULL UNIQUE,
	doc       TEXT NOT NULL
);
CREATE TABLE refresh_tokens (
	hash      TEXT PRIMARY KEY,
	family_id TEXT NOT NULL,
	doc       TEXT NOT NULL
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens(family_id);
CREATE TABLE idempotency (
	key TEXT PRIMARY KEY,
	doc TEXT NOT NULL
);
CREATE TABLE signing_keys (
	kid TEXT PRIMARY KEY,
	doc TEXT NOT NULL
);
CREATE TABLE rules (
	id             TEXT PRIMARY KEY,
	code           TEXT NOT NULL,
	version        INTEGER NOT NULL,
	status         TEXT NOT NULL,
	institution_id TEXT NOT NULL,
	revision       INTEGER NOT NULL,
	doc            TEXT NOT NULL,
	UNIQUE (code, version)
);
CREATE INDEX rules_by_institution ON rules(institution_id, id);
CREATE INDEX rules_by_status ON rules(status, id);
CREATE TABLE audit (
	seq            INTEGER PRIMARY KEY,
	at_ms          INTEGER NOT NULL,
	actor_id       TEXT NOT NULL,
	institution_id TEXT NOT NULL,
	action         TEXT NOT NULL,
	doc            TEXT NOT NULL
);
CREATE INDEX audit_by_actor ON audit(actor_id, seq);
CREATE INDEX audit_by_institution ON audit(institution_id, seq);
CREATE INDEX audit_by_action ON audit(action, seq);
CREATE INDEX audit_by_time ON audit(at_ms);
CREATE TABLE import_jobs (
	id  TEXT PRIMARY KEY,
	doc TEXT NOT NULL
);
CREATE TABLE settings (
	key     TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	doc     TEXT NOT NULL
);
`,
	// 2: records shared with an institution (live grants), and the index
	// rows for grants that existed before this migration.
	`
CREATE TABLE account_grants (
	grant_id       TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL,
	account_id     TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX account_grants_by_institution ON account_grants(institution_id, account_id);
CREATE INDEX account_grants_by_account ON account_grants(account_id);
INSERT INTO account_grants (grant_id, institution_id, account_id)
	SELECT json_extract(g.value, '$.id'), json_extract(g.value, '$.institutionId'), a.id
	FROM accounts a, json_each(a.doc, '$.grants') g
	WHERE json_extract(g.value, '$.revokedAt') IS NULL;
`,
	// 3: accounts a learner assists (helper grants not withdrawn).
	`
CREATE TABLE account_helpers (
	grant_id   TEXT PRIMARY KEY,
	helper_id  TEXT NOT NULL,
	account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE
);
CREATE INDEX account_helpers_by_helper ON account_helpers(helper_id, account_id);
CREATE INDEX account_helpers_by_account ON account_helpers(account_id);
INSERT INTO account_helpers (grant_id, helper_id, account_id)
	SELECT json_extract(h.value, '$.id'), json_extract(h.value, '$.helperId'), a.id
	FROM accounts a, json_each(a.doc, '$.helpers') h
	WHERE json_extract(h.value, '$.withdrawnAt') IS NULL;
`,
	// 4: running server processes (epochs), so that a reservation left by
	// a dead one is taken over at once.
	`
CREATE TABLE epochs (
	id           TEXT PRIMARY KEY,
	instance     TEXT NOT NULL,
	heartbeat_ms INTEGER NOT NULL,
	doc          TEXT NOT NULL
);
CREATE INDEX epochs_by_instance ON epochs(instance);
`,
	// 5: district statistics kept as sums (stat_tallies), each account's
	// own contribution beside it so that a write can apply the difference;
	// accounts from before are counted at the next start (backfillTallies,
	// which finds them through a partial index that is empty once done, so
	// every later start costs nothing).
	`
ALTER TABLE accounts ADD COLUMN tallies TEXT;
CREATE INDEX accounts_untallied ON accounts(id) WHERE tallies IS NULL;
CREATE TABLE stat_tallies (
	key     TEXT PRIMARY KEY,
	n       INTEGER NOT NULL,
	credits REAL NOT NULL
);
`,
	// 6: course catalogues. search is the lower-cased "title\ncode" text
	// that catalogue queries match substrings in (instr, so Chinese needs no
	// tokenising and no LIKE escaping).
	`
CREATE TABLE courses (
	id             TEXT PRIMARY KEY,
	institution_id TEXT NOT NULL,
	code           TEXT NOT NULL,
	category       TEXT NOT NULL,
	version        INTEGER NOT NULL,
	search         TEXT NOT NULL,
	doc            TEXT NOT NULL,
	UNIQUE (institution_id, code)
);
CREATE INDEX courses_by_category ON courses(category, id);
`,
	// 7: the side tables are no longer read by account: the rows an
	// account had are derived from its stored document (the two are written
	// in one transaction), so these indexes only cost every deposit an
	// insert on a random page. Accounts are never deleted, so the foreign
	// keys' cascades never need them either.
	`
DROP INDEX account_outcomes_by_account;
DROP INDEX account_conversions_by_account;
DROP INDEX account_grants_by_account;
DROP INDEX account_helpers_by_account;
`,
	// 8: bitstring status list positions of outcomes (credential revocation).
	`
CREATE TABLE status_indexes (
	list       TEXT NOT NULL,
	idx        INTEGER NOT NULL,
	outcome_id TEXT NOT NULL UNIQUE,
	PRIMARY KEY (list, idx)
);
CREATE TABLE verification_codes (
	code TEXT PRIMARY KEY,
	doc  TEXT NOT NULL
);
`,
	// 9: certification units, keyed by their code.
	`
CREATE TABLE units (
	code     TEXT PRIMARY KEY,
	category TEXT NOT NULL,
	status   TEXT NOT NULL,
	level    INTEGER NOT NULL,
	version  INTEGER NOT NULL,
	doc      TEXT NOT NULL
);
`,
	// 10: what an issuer searches its outcomes by, beside each index row, so
	// that a search reads no account it does not list. Rows from before are
	// filled in at the next start (backfillOutcomeSearch), found through a
	// partial index that is empty once done.
	`
ALTER TABLE account_outcomes ADD COLUMN course_code TEXT;
ALTER TABLE account_outcomes ADD COLUMN status TEXT;
ALTER TABLE account_outcomes ADD COLUMN completed_on TEXT;
ALTER TABLE account_outcomes ADD COLUMN learner_name TEXT;
CREATE INDEX account_outcomes_unsearchable ON account_outcomes(account_id) WHERE status IS NULL;
`,
	// 11: each institution's import history, newest first.
	`
ALTER TABLE import_jobs ADD COLUMN institution_id TEXT;
UPDATE import_jobs SET institution_id = json_extract(doc, '$.institutionId');
CREATE INDEX import_jobs_by_institution ON import_jobs(institution_id, id);
`,
}

// migrate brings the schema up to date inside one transaction, so a crash
// mid-way leaves the previous version intact, and a second process opening
// the same file waits on the write lock instead of migrating twice.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&current); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if current > len(migrations) {
		return fmt.Errorf("sqlite: database schema version %d is newer than this program (%d)", current, len(migrations))
	}
	for i := current; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("sqlite: migration %d: %w", i+1, err)
		}
	}
	if current < len(migrations) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, len(migrations)); err != nil {
			return fmt.Errorf("sqlite: migrate: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// SchemaVersion reports how many migrations the file has run.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return 0, mapErr(err)
	}
	return v, nil
}
