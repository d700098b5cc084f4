package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Checkpointing. In WAL mode committed pages are appended to the log and
// later copied into the database file (a checkpoint, with an fsync of the
// file). SQLite does that on the committing connection once the log passes
// 1 000 pages, so every few groups the single committer stopped to copy and
// sync thousands of pages while every writer waited. The checkpointer does
// the copying from its own connection, concurrently with the committer, a
// moment after commits happen. The committer's own automatic checkpoint
// stays as the backstop: under writes that never pause, only a checkpoint
// run by the writer right after its commit catches up with the log
// completely, which is what lets the log restart from its beginning
// (TestLogStaysBoundedUnderSustainedWrites fails without it). Under a heavy
// import the two share the copying, about two to one.

// checkpointPause lets a few groups accumulate between checkpoints, so that
// pages every group touches (the audit tail, the district sums) are copied
// once per checkpoint rather than once per group.
const checkpointPause = 50 * time.Millisecond

type checkpointer struct {
	db *sql.DB
	// mu is held while a checkpoint runs: a full checkpoint (Store.
	// Checkpoint, at shutdown and before a backup) takes it so that it does
	// not find the log being copied and give up as busy.
	mu     sync.Mutex
	quit   chan struct{}
	exited chan struct{}
	once   sync.Once
}

func newCheckpointer(db *sql.DB, committed <-chan struct{}) *checkpointer {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &checkpointer{db: db, quit: make(chan struct{}), exited: make(chan struct{})}
	go c.loop(committed)
	return c
}

func (c *checkpointer) loop(committed <-chan struct{}) {
	defer close(c.exited)
	for {
		select {
		case <-committed:
		case <-c.quit:
			return
		}
		// PASSIVE never blocks writers or readers; a checkpoint that cannot
		// finish (a reader still on old pages, the committer checkpointing
		// itself) is simply retried after the next commit. A failing file
		// fails the committer's own writes and checkpoints as well, which
		// report it; nothing here depends on this one succeeding.
		c.mu.Lock()
		_, _ = c.db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		c.mu.Unlock()
		select {
		case <-time.After(checkpointPause):
		case <-c.quit:
			return
		}
	}
}

func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.quit) })
	<-c.exited
	return c.db.Close()
}
