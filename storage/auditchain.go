package storage

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"creditbank/domain"
)

// ErrAuditNotRecorded is wrapped by a save whose account change stands but
// whose audit entries could not be recorded. Audit entries given to
// CreateAccount or UpdateAccount describe that change. A store that can write them in the same durable
// write as the account does (SQLite: one transaction, so a crash keeps both
// or neither). One that cannot (MongoDB without transactions) records them
// right after a successful save; if that fails, the account change stands
// and the error wraps ErrAuditNotRecorded, so the caller can report the gap
// without mistaking the save for a failure.
var ErrAuditNotRecorded = errors.New("account saved, audit entries not recorded")

// sealedAppender is what AuditChain needs of a store: the head, and an
// ordered insert of sealed entries that stops at the first taken Seq.
type sealedAppender interface {
	LastAudit(ctx context.Context) (*domain.AuditEntry, error)
	AppendAudits(ctx context.Context, es []*domain.AuditEntry) (int, error)
}

// AuditChain implements RecordAudits for stores that cannot seal entries
// inside their own write.
//
// Every entry links to the one before it, so appends are serialised; one
// store round trip per entry would cap the bank at one audited change per
// round trip. Instead callers combine: whoever finds no append in flight
// becomes the leader and writes everything queued meanwhile as one batch,
// sealed in queue order on the head it remembers; the others wait for their
// entries' outcome. Another instance appending to the same store makes a
// Seq collide; the head is then read again and the rest re-sealed on it.
type AuditChain struct {
	store   sealedAppender
	mu      sync.Mutex
	queue   []*chainRequest
	leading bool
	head    *domain.AuditEntry // leader only
}

// NewAuditChain makes a chain appender over a store.
func NewAuditChain(store sealedAppender) *AuditChain { return &AuditChain{store: store} }

type chainRequest struct {
	entry domain.AuditEntry
	done  chan error
}

// maxChainBatch bounds one batch (one store write).
const maxChainBatch = 512

// maxChainAttempts bounds re-sealing after collisions with other instances.
const maxChainAttempts = 8

// Record appends es in order and returns once they are stored.
func (c *AuditChain) Record(ctx context.Context, es []domain.AuditEntry) error {
	// The changes being audited have happened; finish recording them even
	// if the caller has gone away.
	ctx = context.WithoutCancel(ctx)
	reqs := make([]*chainRequest, len(es))
	c.mu.Lock()
	for i, e := range es {
		reqs[i] = &chainRequest{entry: e, done: make(chan error, 1)}
		c.queue = append(c.queue, reqs[i])
	}
	lead := !c.leading
	c.leading = true
	c.mu.Unlock()
	if lead {
		c.lead(ctx)
	}
	var errs []error
	for _, r := range reqs {
		errs = append(errs, <-r.done)
	}
	return errors.Join(errs...)
}

// lead writes queued entries until the queue is empty.
func (c *AuditChain) lead(ctx context.Context) {
	for {
		c.mu.Lock()
		n := min(len(c.queue), maxChainBatch)
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		if n == 0 {
			c.leading = false
			c.queue = nil
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		err := c.writeBatch(ctx, batch)
		for _, r := range batch {
			r.done <- err
		}
	}
}

func (c *AuditChain) writeBatch(ctx context.Context, batch []*chainRequest) error {
	entries := make([]*domain.AuditEntry, len(batch))
	for attempt := 0; attempt < maxChainAttempts; attempt++ {
		if c.head == nil || attempt > 0 {
			head, err := c.store.LastAudit(ctx)
			if errors.Is(err, domain.ErrNotFound) {
				head = nil
			} else if err != nil {
				return err
			}
			c.head = head
		}
		prev := c.head
		for i, r := range batch {
			e := r.entry
			e.Seal(prev)
			entries[i] = &e
			prev = &e
		}
		stored, err := c.store.AppendAudits(ctx, entries)
		if stored > 0 {
			c.head = entries[stored-1]
			batch = batch[stored:]
			entries = entries[:len(batch)]
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, domain.ErrConflict) {
			c.head = nil
			return err
		}
		// Another instance is appending too: step aside for a moment.
		time.Sleep(time.Duration(1+rand.IntN(5<<attempt)) * time.Millisecond)
	}
	return domain.ErrStale
}
