package sqlite

import (
	"context"
	"database/sql"
	"sync"

	"creditbank/domain"
)

// stmtCache prepares each distinct query once per pool. The driver would
// otherwise compile the SQL again on every call, which costs about as much
// as running a point query.
type stmtCache struct {
	db     *sql.DB
	mu     sync.RWMutex
	m      map[string]*sql.Stmt
	wanted map[string]bool // writer queries met inside a transaction, prepared after it
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// cached returns a prepared statement if there is one, else notes the
// query to be prepared later. Inside a write transaction nothing can be
// prepared on the pool: its only connection is the transaction's.
func (c *stmtCache) cached(query string) (*sql.Stmt, bool) {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if !ok {
		c.mu.Lock()
		c.wanted[query] = true
		c.mu.Unlock()
	}
	return st, ok
}

// prepareWanted prepares the queries noted by cached; the committer calls
// it between transactions, when the connection is free.
func (c *stmtCache) prepareWanted(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.wanted {
		delete(c.wanted, q)
		if _, ok := c.m[q]; ok {
			continue
		}
		if st, err := c.db.PrepareContext(ctx, q); err == nil {
			c.m[q] = st
		}
	}
}

func (c *stmtCache) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	c.mu.RUnlock()
	if ok {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}

// cachedDB is a pool whose queries go through the cache.
type cachedDB struct{ c *stmtCache }

func (d cachedDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := d.c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (d cachedDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.c.stmt(ctx, query)
	if err != nil {
		return d.c.db.QueryRowContext(ctx, query, args...) // reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

func (d cachedDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// wtx is a write transaction whose statements come from the writer's
// cache: the writer pool has one connection, so each is compiled once.
type wtx struct {
	*sql.Tx
	c     *stmtCache
	chain *chainHead
	// tallies is the district-sum delta staged by the writer running now
	// (addTallies); the committer moves it into the group's sum when the
	// writer's savepoint is released and drops it when it is rolled back.
	tallies domain.StatTallies
}

func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st, ok := t.c.cached(query); ok {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st, ok := t.c.cached(query); ok {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st, ok := t.c.cached(query); ok {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}
