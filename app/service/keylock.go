package service

import "sync"

// keyedLocks serialises work per key inside one process. Compare-and-swap
// alone is correct but, with many requests on one hot account (a class of 50
// deposited at once), most attempts lose and retry; queueing them here first
// turns that into one attempt each. CAS still guards against other instances.
type keyedLocks[K comparable] struct {
	mu    sync.Mutex
	locks map[K]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	waiters int
}

// lock takes the key's lock and returns its release.
func (k *keyedLocks[K]) lock(key K) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[K]*keyedLock{}
	}
	l, ok := k.locks[key]
	if !ok {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.waiters++
	k.mu.Unlock()

	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		l.waiters--
		if l.waiters == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
