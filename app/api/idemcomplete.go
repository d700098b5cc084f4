package api

import (
	"context"
	"sync"
)

// completions stores first responses to Idempotency-Keys without making the
// client wait for that write. The change the response describes is already
// durable when the handler returns; the stored response only serves
// retries. If the process dies before it is stored, the retry finds the
// reservation of a dead process, takes it over with the same object ID and
// the handler finds the change already made (see idempotent), so nothing is
// done twice. A retry reaching this process meanwhile waits for the write,
// so it is answered with the replay, not "in progress".
type completions struct {
	wg      sync.WaitGroup
	mu      sync.Mutex
	pending map[string]chan struct{}
}

// start runs store in the background for key.
func (p *completions) start(key string, store func()) {
	done := make(chan struct{})
	p.mu.Lock()
	if p.pending == nil {
		p.pending = map[string]chan struct{}{}
	}
	p.pending[key] = done
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(done)
		store()
		p.mu.Lock()
		if p.pending[key] == done {
			delete(p.pending, key)
		}
		p.mu.Unlock()
	}()
}

// wait blocks until a pending write for key, if any, is done.
func (p *completions) wait(ctx context.Context, key string) {
	p.mu.Lock()
	done := p.pending[key]
	p.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// drain waits for every pending write (shutdown).
func (p *completions) drain() { p.wg.Wait() }
