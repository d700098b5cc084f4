package storetest

import (
	"context"
	"maps"
	"runtime"
	"strings"
	"sync"

	"creditbank/domain"
	"creditbank/storage"
)

//go:generate go run ./internal/faultygen

// Faulty wraps a store and makes it fail on demand, so that tests of the
// layers above can see what a full disk, a read-only mount, an unreachable
// database or a primary step-down does to them, through the port and on any
// adapter. A failed call never reaches the wrapped store: nothing is written.
type Faulty struct {
	inner storage.Store

	mu        sync.Mutex
	readErr   error
	writeErr  error
	lostAcks  int   // UpdateAccount calls still to apply and then report ackErr
	ackErr    error // the error such a call reports
	failed    int   // calls refused, ever
	gate      chan struct{}
	lostCalls int // UpdateAccount calls applied but reported as failed
	calls     map[string]int
}

var _ storage.Store = (*Faulty)(nil)

// NewFaulty wraps s; it behaves exactly like s until told to fail.
func NewFaulty(s storage.Store) *Faulty { return &Faulty{inner: s} }

// Inner is the wrapped store, for checks that must bypass the faults.
func (f *Faulty) Inner() storage.Store { return f.inner }

// FailWrites makes every write (and nothing else) return err.
func (f *Faulty) FailWrites(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.writeErr = err
}

// FailAll makes every call, reads and Ping included, return err: the store
// is unreachable.
func (f *Faulty) FailAll(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readErr, f.writeErr = err, err
}

// LoseUpdateAcks makes the next n UpdateAccount calls apply the update and
// then return err instead of success: the reply was lost (a network error
// after the write was sent, a primary that stepped down before
// acknowledging). The caller cannot tell the write happened.
func (f *Faulty) LoseUpdateAcks(n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lostAcks, f.ackErr = n, err
}

// Hold makes every call wait until release is called: a store that has
// become slow. Overload tests use it to keep requests in flight without
// relying on timing.
func (f *Faulty) Hold() (release func()) {
	g := make(chan struct{})
	f.mu.Lock()
	f.gate = g
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if f.gate == g {
				f.gate = nil
			}
			f.mu.Unlock()
			close(g)
		})
	}
}

// Heal ends every fault.
func (f *Faulty) Heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readErr, f.writeErr, f.lostAcks, f.ackErr = nil, nil, 0, nil
}

// Refused counts the calls failed since the wrapper was made.
func (f *Faulty) Refused() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}

// LostAcks counts UpdateAccount calls that were applied but reported failed.
func (f *Faulty) LostAcks() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lostCalls
}

// CallCounts reports how often each store method was called since the last
// ResetCalls: a request's store round trips, for tests that keep them from
// growing.
func (f *Faulty) CallCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return maps.Clone(f.calls)
}

// ResetCalls starts counting afresh.
func (f *Faulty) ResetCalls() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = nil
}

// countCall records the Faulty method that is calling read or write.
func (f *Faulty) countCall() {
	pcs := make([]uintptr, 6)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		fr, more := frames.Next()
		if i := strings.Index(fr.Function, "(*Faulty)."); i >= 0 {
			name := fr.Function[i+len("(*Faulty)."):]
			if f.calls == nil {
				f.calls = map[string]int{}
			}
			f.calls[name]++
			return
		}
		if !more {
			return
		}
	}
}

func (f *Faulty) read() error {
	f.waitGate()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.countCall()
	if f.readErr != nil {
		f.failed++
	}
	return f.readErr
}

func (f *Faulty) write() error {
	f.waitGate()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.countCall()
	if f.writeErr != nil {
		f.failed++
	}
	return f.writeErr
}

func (f *Faulty) waitGate() {
	f.mu.Lock()
	g := f.gate
	f.mu.Unlock()
	if g != nil {
		<-g
	}
}

// Every other method of the port is in faulty_gen.go, written by
// internal/faultygen from the port: it counts the call, refuses it while
// the fault for reads (Get, List, Scan, Count, ...) or writes (the rest) is
// set, and otherwise passes it on.

// UpdateAccount is where lost acknowledgements are injected: the account is
// the aggregate whose every credit movement must happen exactly once.
func (f *Faulty) UpdateAccount(ctx context.Context, key *storage.PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error {
	if err := f.write(); err != nil {
		return err
	}
	err := f.inner.UpdateAccount(ctx, key, a, audit...)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && f.lostAcks > 0 {
		f.lostAcks--
		f.lostCalls++
		// The caller's copy must look unsaved, as after a real lost reply.
		a.Version--
		return f.ackErr
	}
	return err
}

func (f *Faulty) CarriesReservations() bool { return f.inner.CarriesReservations() }

func (f *Faulty) Close() error { return f.inner.Close() }
