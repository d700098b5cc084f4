package mongo

import (
	"hash/maphash"
	"sync"
)

// docLocks serialises, within this process, the read-modify-write operations
// on one document (compare-and-swap replaces, find-and-modify).
//
// Why: FerretDB v1 executes update, replace and findAndModify as "query the
// matching documents, then write each back by _id" without isolation, so two
// concurrent compare-and-swaps on {_id, version} can both match and one
// update is silently lost (seen in TestConcurrentUpdateAccountLosesNoUpdate).
// Holding a per-document lock around the server call closes that window for
// the single process that embeds FerretDB in tests.
//
// It stays correct on MongoDB, where the filter is already atomic on the
// server and still decides every race between processes: the lock covers only
// the write, never the caller's load, so stale writers keep getting
// domain.ErrStale and retrying; it merely stops goroutines of one process from
// racing each other into futile retries. Striping bounds memory; two
// documents sharing a stripe only wait for each other briefly.
type docLocks struct {
	seed    maphash.Seed
	stripes [256]sync.Mutex
}

func newDocLocks() *docLocks { return &docLocks{seed: maphash.MakeSeed()} }

// lock locks the stripe of collection/id and returns its unlock.
func (l *docLocks) lock(collection, id string) func() {
	var h maphash.Hash
	h.SetSeed(l.seed)
	h.WriteString(collection)
	h.WriteByte(0)
	h.WriteString(id)
	m := &l.stripes[h.Sum64()%uint64(len(l.stripes))]
	m.Lock()
	return m.Unlock
}
