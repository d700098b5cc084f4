package service

import (
	"sync"
	"testing"
)

func TestKeyedLocksSerialisePerKeyAndForgetIdleKeys(t *testing.T) {
	var locks keyedLocks[int]
	counters := map[int]int{}
	var mu sync.Mutex // guards the map itself, not the counts
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(key int) {
			defer wg.Done()
			release := locks.lock(key)
			mu.Lock()
			v := counters[key]
			mu.Unlock()
			// A read-modify-write that loses updates unless the key lock holds.
			mu.Lock()
			counters[key] = v + 1
			mu.Unlock()
			release()
		}(i % 4)
	}
	wg.Wait()
	for k := 0; k < 4; k++ {
		if counters[k] != 50 {
			t.Errorf("key %d: %d increments, want 50", k, counters[k])
		}
	}
	if n := len(locks.locks); n != 0 {
		t.Errorf("%d idle locks kept", n)
	}
}
