package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/google/uuid"

	"creditbank/domain"
)

// accountCache keeps recently used accounts decoded, or only what the next
// save of an account needs to know of it. A request typically reads the
// same account twice (sign-in check, then the use case), and a save derives
// the side rows and tallies it replaces from the cache instead of reading
// them. Every read still asks the file for the current version and uses the
// cached copy only when it matches, so another process writing the same file
// is seen at once; callers get clones, never the cached value.
type accountCache struct {
	mu  sync.Mutex
	max int
	m   map[uuid.UUID]cachedAccount
}

// cachedAccount is an account at a version: decoded (a), or only what a
// save replacing that version must know of it (stored), or both.
//
// Saves, and loads by national ID (which are followed by a save: a deposit,
// an imported row), keep only stored: keeping the account would mean
// copying it (the caller keeps its own), which cost as much as decoding it
// again when a read wants it, and the next save needs only stored.
type cachedAccount struct {
	version int64
	a       *domain.Account
	stored  *replaced
}

// accountCacheSize bounds the cache. It only needs to span the moments
// between a read and the save that follows it: since documents are binary, a
// hit (a clone, ≈ 5 µs for ten outcomes) saves little over a decode (≈ 9 µs),
// and a larger cache cost more in garbage-collector work and resident memory
// than it saved (4 096 accounts: record reads 150 against 130 µs each at
// 100 000 learners, 75 MB more peak RSS).
const accountCacheSize = 1024

func newAccountCache(max int) *accountCache {
	return &accountCache{max: max, m: make(map[uuid.UUID]cachedAccount, max)}
}

// version is the version of the decoded account held for id, -1 if none.
func (c *accountCache) version(id uuid.UUID) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok && e.a != nil {
		return e.version
	}
	return -1
}

func (c *accountCache) lookup(id uuid.UUID, version int64) (cachedAccount, bool) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	return e, ok && e.version == version
}

// get returns a clone of the decoded account if it is held at version.
func (c *accountCache) get(id uuid.UUID, version int64) *domain.Account {
	if e, ok := c.lookup(id, version); ok && e.a != nil {
		return e.a.Clone()
	}
	return nil
}

// replacedAt returns what a save replacing the account at version must
// know of it, if held (for reading only: entries are replaced, never
// changed).
func (c *accountCache) replacedAt(id uuid.UUID, version int64) *replaced {
	e, ok := c.lookup(id, version)
	switch {
	case !ok:
		return nil
	case e.stored != nil:
		return e.stored
	case e.a != nil:
		return replacedBy(e.a)
	}
	return nil
}

// put keeps a copy of a (callers keep ownership of a).
func (c *accountCache) put(a *domain.Account) {
	if c.max == 0 {
		return
	}
	c.set(a.ID, cachedAccount{version: a.Version, a: a.Clone()})
}

// putStored keeps what the next save of the account at version must know.
func (c *accountCache) putStored(id uuid.UUID, version int64, r *replaced) {
	if c.max == 0 {
		return
	}
	c.set(id, cachedAccount{version: version, stored: r})
}

func (c *accountCache) set(id uuid.UUID, e cachedAccount) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; !ok && len(c.m) >= c.max {
		// Evict an arbitrary entry (map order is random): cheap, and a
		// cache this size only needs to catch re-reads within moments.
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[id] = e
}

func (c *accountCache) drop(id uuid.UUID) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// loadAccount reads an account by ID, decoding the document only when the
// cache does not hold the stored version.
func (s *Store) loadAccount(ctx context.Context, id uuid.UUID) (*domain.Account, error) {
	var version int64
	var raw sql.NullString
	err := s.rc.QueryRowContext(ctx, `SELECT version, CASE WHEN version = ? THEN NULL ELSE doc END FROM accounts WHERE id = ?`,
		s.accounts.version(id), id.String()).Scan(&version, &raw)
	if err != nil {
		return nil, mapErr(err)
	}
	if !raw.Valid {
		if a := s.accounts.get(id, version); a != nil {
			return a, nil
		}
		// Evicted between the two looks: read the document.
		err := s.rc.QueryRowContext(ctx, `SELECT version, doc FROM accounts WHERE id = ?`, id.String()).Scan(&version, &raw)
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return s.decodeAndCache(raw.String)
}

// decodeAndCache decodes a stored document and keeps the account decoded.
func (s *Store) decodeAndCache(doc string) (*domain.Account, error) {
	a, err := decodeAccount(doc)
	if err != nil {
		return nil, err
	}
	s.accounts.put(a)
	return a, nil
}

// loadAccountBy loads an account found by a lookup query selecting its
// (id, version, doc): one statement and one read transaction, where looking
// the ID up and then loading it took two. The document is decoded only if
// the cache does not hold that version.
func (s *Store) loadAccountBy(ctx context.Context, query string, args ...any) (*domain.Account, error) {
	var rawID, doc string
	var version int64
	if err := s.rc.QueryRowContext(ctx, query, args...).Scan(&rawID, &version, &doc); err != nil {
		return nil, mapErr(err)
	}
	id, err := uuid.Parse(rawID)
	if err != nil {
		return nil, errors.New("sqlite: malformed account id in index")
	}
	if a := s.accounts.get(id, version); a != nil {
		return a, nil
	}
	a, err := decodeAccount(doc)
	if err != nil {
		return nil, err
	}
	if _, held := s.accounts.lookup(id, version); !held {
		s.accounts.putStored(id, version, replacedBy(a))
	}
	return a, nil
}
