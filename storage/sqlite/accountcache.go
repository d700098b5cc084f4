package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/google/uuid"

	"creditbank/domain"
)

// accountCache keeps recently used accounts decoded. A request typically
// reads the same account twice (sign-in check, then the use case) or reads
// it right after saving it, and a save derives the side rows and tallies it
// replaces from the cached version instead of reading them. Every read still asks the file for the current
// version and uses the cached copy only when it matches, so another process
// writing the same file is seen at once; callers get clones, never the
// cached value.
type accountCache struct {
	mu  sync.Mutex
	max int
	m   map[uuid.UUID]cachedAccount
}

// cachedAccount is an account as stored, and its contribution to the
// district sums when known (a save computed it; a read leaves it nil), so
// that the next save's difference needs only its own.
type cachedAccount struct {
	a       *domain.Account
	tallies domain.StatTallies
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

func (c *accountCache) version(id uuid.UUID) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok {
		return e.a.Version
	}
	return -1
}

func (c *accountCache) get(id uuid.UUID, version int64) *domain.Account {
	if a, _ := c.peek(id, version); a != nil {
		return a.Clone()
	}
	return nil
}

// peek returns the cached account itself if it is at version, and its
// tallies if known, for reading only: cached values are never changed, only
// replaced.
func (c *accountCache) peek(id uuid.UUID, version int64) (*domain.Account, domain.StatTallies) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if !ok || e.a.Version != version {
		return nil, nil
	}
	return e.a, e.tallies
}

// put stores a copy of a (callers keep ownership of a) and, if not nil, its
// tallies, which must not be changed afterwards.
func (c *accountCache) put(a *domain.Account, tallies domain.StatTallies) {
	if c.max == 0 {
		return
	}
	cp := a.Clone()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[a.ID]; !ok && len(c.m) >= c.max {
		// Evict an arbitrary entry (map order is random): cheap, and a
		// cache this size only needs to catch re-reads within moments.
		for k := range c.m {
			delete(c.m, k)
			break
		}
	}
	c.m[a.ID] = cachedAccount{a: cp, tallies: tallies}
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
	s.accounts.put(a, nil)
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
	return s.decodeAndCache(doc)
}
