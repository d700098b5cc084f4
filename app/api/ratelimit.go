package api

import (
	"math"
	"strconv"
	"sync"
	"time"
)

// limiter is a token bucket per key (client IP, username) with exponential
// back-off after repeated failures, for the credential endpoints. It lives in
// memory: each instance of a scaled-out deployment limits on its own, which
// still bounds guessing to instances × rate.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	now     func() time.Time
	buckets map[string]*bucket
}

type bucket struct {
	tokens       float64
	last         time.Time
	failures     int
	blockedUntil time.Time
}

// Failures allowed before back-off starts, and its ceiling.
const (
	freeFailures = 5
	maxBackoff   = 15 * time.Minute
	maxBuckets   = 100_000
	// subjectFailures is the far higher allowance of a username (or client
	// ID) over all addresses together. Back-off keys on the username at one
	// address, so that failures from elsewhere cannot lock a user out of
	// their own; this ceiling still bounds a guess spread over many
	// addresses.
	subjectFailures = 100
	// subjectBurstFactor deepens a username's bucket over all addresses
	// against the per-address one, so that requests from many addresses
	// do not empty it for the user's own.
	subjectBurstFactor = 10
)

func newLimiter(rate, burst float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: burst, now: now, buckets: map[string]*bucket{}}
}

func (l *limiter) get(key string, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	return b
}

// sweep drops buckets that are full and not backing off.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		full := b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst
		if full && now.After(b.blockedUntil) {
			delete(l.buckets, k)
		}
	}
}

// allow takes one token from every key; if any key is empty or backing off,
// nothing is taken and the longest wait is returned.
func (l *limiter) allow(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		b := l.get(k, now)
		b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
		b.last = now
		if now.Before(b.blockedUntil) {
			wait = max(wait, b.blockedUntil.Sub(now))
		}
		if b.tokens < 1 {
			wait = max(wait, time.Duration((1-b.tokens)/l.rate*float64(time.Second)))
		}
	}
	if wait > 0 {
		return false, wait
	}
	for _, k := range keys {
		l.buckets[k].tokens--
	}
	return true, 0
}

// failure records a failed attempt; past freeFailures each further failure
// doubles the wait.
func (l *limiter) failure(keys ...string) { l.failureAfter(freeFailures, keys...) }

// failureAfter is failure with free failures allowed before back-off.
func (l *limiter) failureAfter(free int, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		b := l.get(k, now)
		b.failures++
		if b.failures > free {
			backoff := time.Second << min(b.failures-free-1, 20)
			b.blockedUntil = now.Add(min(backoff, maxBackoff))
		}
	}
}

// success clears the failure count of a key.
func (l *limiter) success(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if b, ok := l.buckets[k]; ok {
			b.failures = 0
			b.blockedUntil = time.Time{}
		}
	}
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}
