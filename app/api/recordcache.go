package api

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// recordCache keeps the JSON body a learner's own record rendered to. Most
// reads of a record find it unchanged since the last one, and building and
// encoding it (re-hashing the ledger included) was the larger part of the
// read's CPU and garbage. The request still signs in and asks the service
// for the account as before: that read is what tells us the account's
// version and what enforces who may see it; the cache only replaces the
// rendering.
//
// An entry is served only for the account version it was rendered from, and
// only inside the interval of time over which a fresh rendering would give
// the same bytes (ownRecordValidity). Entries are never changed once stored,
// so a body can be handed to the response without a copy.
type recordCache struct {
	mu    sync.RWMutex
	m     map[uuid.UUID]*renderedRecord
	bytes int64 // sum of size() over m
	max   int64

	hits, misses atomic.Int64 // for tests and for judging the bound
}

type renderedRecord struct {
	version     int64
	from, until time.Time // the rendering holds for from <= now < until
	body        []byte
}

// renderedRecordOverhead approximates what an entry costs beyond its body:
// the entry, its key and its share of the map.
const renderedRecordOverhead = 128

func (r *renderedRecord) size() int64 { return int64(cap(r.body)) + renderedRecordOverhead }

// newRecordCache returns nil (no caching) for a bound that is not positive.
func newRecordCache(maxBytes int64) *recordCache {
	if maxBytes <= 0 {
		return nil
	}
	return &recordCache{m: map[uuid.UUID]*renderedRecord{}, max: maxBytes}
}

// get returns the stored body for the account at this version and instant,
// or nil. The caller must not change it.
func (c *recordCache) get(id uuid.UUID, version int64, now time.Time) []byte {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	r := c.m[id]
	c.mu.RUnlock()
	if r != nil && r.version == version && !now.Before(r.from) && now.Before(r.until) {
		c.hits.Add(1)
		return r.body
	}
	c.misses.Add(1)
	return nil
}

// put stores a rendering, evicting others (random ones: every entry costs
// one rendering to rebuild) until the bound holds. A body larger than an
// eighth of the bound is not kept, so one very long record cannot empty the
// cache of everyone else's.
func (c *recordCache) put(id uuid.UUID, r *renderedRecord) {
	if c == nil {
		return
	}
	size := r.size()
	if size > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[id]; old != nil {
		if old.version > r.version {
			return // a request that read the account earlier finished later
		}
		c.bytes -= old.size()
		delete(c.m, id)
	}
	for k, e := range c.m {
		if c.bytes+size <= c.max {
			break
		}
		c.bytes -= e.size()
		delete(c.m, k)
	}
	c.m[id] = r
	c.bytes += size
}

// usage reports the bytes and entries held.
func (c *recordCache) usage() (bytes int64, entries int) {
	if c == nil {
		return 0, 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.bytes, len(c.m)
}
