package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"creditbank/domain"
)

// Group commit. Every acknowledged write waits for an fsync, which costs
// far more than the writes themselves. Writers therefore hand their work to
// one committer goroutine that runs everything queued meanwhile in a single
// transaction, each piece inside its own SAVEPOINT so that one writer's
// failure undoes only its own changes, then commits once. The group's
// writers are answered by the syncer goroutine once a sync of the log that
// began after that COMMIT has returned (logsync.go), while the committer
// already runs the next group: durability per acknowledged write is
// unchanged, the fsync is shared and no longer holds up the next group.

// maxPendingSyncs bounds the committed groups waiting for the syncer: past
// it the committer waits, so writers feel a slow disk instead of queueing
// without bound.
const maxPendingSyncs = 64

// smallGroup is the group size below which a group waits for the sync in
// flight before it commits (see loop).
const smallGroup = 32

// maxGroup bounds one transaction, so that a flood of writers cannot hold
// the write lock (and their own answers) for long.
const maxGroup = 256

// errClosed answers writes that arrive after Close.
var errClosed = errors.New("sqlite: store closed")

type writeOp struct {
	ctx  context.Context
	fn   func(tx *wtx) error
	done chan error
}

type committer struct {
	db     *sql.DB
	stmts  *stmtCache
	ops    chan *writeOp
	quit   chan struct{}
	exited chan struct{}
	once   sync.Once
	// groups and grouped count transactions and the writes they carried,
	// for the bench and for tests that show grouping happens.
	mu             sync.Mutex
	groups, writes int64
	// chain is the audit chain's head as this committer last saw it; only
	// the committer goroutine touches it.
	chain chainHead
	// committed is signalled (without waiting) after every commit, for the
	// checkpointer.
	committed chan struct{}
	// syncLog makes the log durable; unsynced carries committed groups to
	// the syncer goroutine, which answers their writers after it.
	syncLog  func() error
	unsynced chan syncedGroup
	// syncing counts committed groups not yet answered; synced is
	// signalled (without waiting) whenever the syncer has answered some.
	syncing atomic.Int32
	synced  chan struct{}
	// broken is set (by the syncer) when a sync failed: the kernel may
	// have dropped the pages it could not write, so no later commit can be
	// trusted to be durable either until the store is opened again.
	broken atomic.Pointer[error]
	// observer hears of every group and sync (Store.ObserveCommits).
	observer atomic.Pointer[CommitObserver]
}

// CommitObserver hears how group commits go, for operators' metrics: the
// writes each commit carried and how long each sync of the log took. Its
// methods are called on the committer's own goroutines and must not block.
type CommitObserver interface {
	GroupCommitted(writes int)
	LogSynced(d time.Duration, err error)
}

func (c *committer) observe() CommitObserver {
	if o := c.observer.Load(); o != nil {
		return *o
	}
	return nil
}

// syncedGroup is a committed group waiting for the sync that makes it
// durable: its writers and what each is to be answered.
type syncedGroup struct {
	ops     []*writeOp
	results []error
}

var opPool = sync.Pool{New: func() any { return &writeOp{done: make(chan error, 1)} }}

// newCommitter starts the committer on db's single connection, whose
// commits syncLog makes durable.
func newCommitter(db *sql.DB, syncLog func() error) *committer {
	c := &committer{db: db, stmts: newStmtCache(db), ops: make(chan *writeOp), quit: make(chan struct{}), exited: make(chan struct{}),
		committed: make(chan struct{}, 1), syncLog: syncLog, unsynced: make(chan syncedGroup, maxPendingSyncs),
		synced: make(chan struct{}, 1)}
	syncerDone := make(chan struct{})
	go func() {
		defer close(syncerDone)
		c.syncer()
	}()
	go func() {
		c.loop()
		close(c.unsynced)
		<-syncerDone
		close(c.exited)
	}()
	return c
}

// do runs fn in a grouped transaction and returns once its outcome is
// durable (or failed). A caller whose ctx ends before the committer took its
// work gets ctx's error and nothing is written; once taken, the work is
// carried through, because it may already be part of a commit.
func (c *committer) do(ctx context.Context, fn func(tx *wtx) error) error {
	op := opPool.Get().(*writeOp)
	op.ctx, op.fn = ctx, fn
	select {
	case c.ops <- op:
	case <-ctx.Done():
		c.recycle(op)
		return ctx.Err()
	case <-c.quit:
		c.recycle(op)
		return errClosed
	}
	err := <-op.done
	c.recycle(op)
	return err
}

func (c *committer) recycle(op *writeOp) {
	op.ctx, op.fn = nil, nil
	opPool.Put(op)
}

func (c *committer) close() {
	c.once.Do(func() { close(c.quit) })
	<-c.exited
}

func (c *committer) stats() (groups, writes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.groups, c.writes
}

func (c *committer) loop() {
	defer c.stmts.close()
	group := make([]*writeOp, 0, maxGroup)
	for {
		select {
		case op := <-c.ops:
			group = append(group[:0], op)
		case <-c.quit:
			return
		}
	gather:
		for len(group) < maxGroup {
			select {
			case op := <-c.ops:
				group = append(group, op)
			default:
				break gather
			}
		}
		// A small group waits for the sync in flight, gathering whoever
		// arrives meanwhile, rather than commit alone: every commit
		// rewrites the pages all writes share (the audit log's tail, the
		// index tails, the district sums), and under request traffic
		// committing at once made groups of three writes instead of
		// fifteen, at more CPU per write. A large group (an import) commits
		// at once, so the next group's statements run while the disk syncs.
		for len(group) < smallGroup && c.syncing.Load() > 0 {
			select {
			case op := <-c.ops:
				group = append(group, op)
			case <-c.synced:
			}
		}
		c.commit(group)
		clear(group)
		c.stmts.prepareWanted(context.Background())
	}
}

// commit runs one group. Results are delivered only after COMMIT, so no
// writer hears "done" for work that could still be rolled back.
func (c *committer) commit(group []*writeOp) {
	results := make([]error, len(group))
	answer := func() {
		for i, op := range group {
			op.done <- results[i]
		}
	}
	failAll := func(err error) {
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
		answer()
	}
	if broken := c.broken.Load(); broken != nil {
		failAll(*broken)
		return
	}
	// The committer's own context: a writer that gives up must not abort
	// the transaction that carries everyone else's work.
	bg := context.Background()
	sqlTx, err := c.db.BeginTx(bg, nil)
	if err != nil {
		failAll(fmt.Errorf("sqlite: begin: %w", mapErr(err)))
		return
	}
	tx := &wtx{Tx: sqlTx, c: c.stmts, chain: &c.chain}
	c.chain.checked = false // another process may have appended since
	// abandon rolls the whole transaction back; err answers every writer
	// without a result of its own (nil: only those with one are answered
	// with it, the others with success, as none of them applied anything).
	abandon := func(err error) {
		_ = tx.Rollback()
		c.chain.forget()
		failAll(err)
	}
	single := len(group) == 1
	applied := 0
	tallies := domain.StatTallies{}
	for i, op := range group {
		if err := op.ctx.Err(); err != nil {
			results[i] = err
			continue
		}
		tx.tallies = nil
		if single {
			results[i] = op.fn(tx)
			if results[i] != nil {
				abandon(nil)
				return
			}
			tallies.Add(tx.tallies)
			applied++
			continue
		}
		if _, err := tx.ExecContext(bg, "SAVEPOINT w"); err != nil {
			abandon(mapErr(err))
			return
		}
		head := c.chain
		if err := op.fn(tx); err != nil {
			results[i] = err
			c.chain = head // the entries it sealed are rolled back with it
			if _, rbErr := tx.ExecContext(bg, "ROLLBACK TO w; RELEASE w"); rbErr != nil {
				// The transaction is unusable (disk full, I/O error): none
				// of the group's work can be committed.
				abandon(mapErr(rbErr))
				return
			}
			continue
		}
		if _, err := tx.ExecContext(bg, "RELEASE w"); err != nil {
			abandon(mapErr(err))
			return
		}
		tallies.Add(tx.tallies)
		applied++
	}
	if applied == 0 {
		abandon(nil)
		return
	}
	if err := applyTallies(bg, tx, tallies); err != nil {
		abandon(err)
		return
	}
	if err := tx.Commit(); err != nil {
		c.chain.forget()
		failAll(mapErr(err))
		return
	}
	c.mu.Lock()
	c.groups++
	c.writes += int64(applied)
	c.mu.Unlock()
	if o := c.observe(); o != nil {
		o.GroupCommitted(applied)
	}
	c.syncing.Add(1)
	c.unsynced <- syncedGroup{ops: slices.Clone(group), results: results}
	select {
	case c.committed <- struct{}{}:
	default:
	}
}

// syncer answers committed groups after syncing the log: one sync for
// every group committed by the time it starts.
func (c *committer) syncer() {
	var waiting []syncedGroup
	for g := range c.unsynced {
		waiting = append(waiting[:0], g)
	more:
		for {
			select {
			case g, ok := <-c.unsynced:
				if !ok {
					break more
				}
				waiting = append(waiting, g)
			default:
				break more
			}
		}
		began := time.Now()
		err := c.syncLog()
		if o := c.observe(); o != nil {
			o.LogSynced(time.Since(began), err)
		}
		if err != nil {
			err = fmt.Errorf("%w: commits may not be durable: %w", domain.ErrUnavailable, err)
			c.broken.CompareAndSwap(nil, &err)
		}
		for _, g := range waiting {
			for i, op := range g.ops {
				if g.results[i] == nil {
					g.results[i] = err
				}
				op.done <- g.results[i]
			}
		}
		c.syncing.Add(-int32(len(waiting)))
		select {
		case c.synced <- struct{}{}:
		default:
		}
		clear(waiting)
	}
}
