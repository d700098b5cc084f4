package api

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// A retry must not overtake the first response's write: wait holds it until
// the write is done, drain holds a shutdown until every write is.
func TestCompletionsHoldRetriesAndShutdownUntilStored(t *testing.T) {
	var p completions
	ctx := context.Background()
	p.wait(ctx, "unknown") // nothing pending: returns at once

	release := make(chan struct{})
	var stored atomic.Bool
	p.start("k", func() {
		<-release
		stored.Store(true)
	})
	waited := make(chan bool, 1)
	go func() {
		p.wait(ctx, "k")
		waited <- stored.Load()
	}()
	drained := make(chan bool, 1)
	go func() {
		p.drain()
		drained <- stored.Load()
	}()
	select {
	case <-waited:
		t.Fatal("wait returned while the response was still being stored")
	case <-drained:
		t.Fatal("drain returned while a response was still being stored")
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if !<-waited {
		t.Fatal("wait returned before the response was stored")
	}
	if !<-drained {
		t.Fatal("drain returned before the response was stored")
	}
	p.mu.Lock()
	left := len(p.pending)
	p.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d finished writes still listed as pending", left)
	}

	// A waiter whose request ends stops waiting.
	block := make(chan struct{})
	p.start("slow", func() { <-block })
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p.wait(cctx, "slow")
	close(block)
	p.drain()
}
