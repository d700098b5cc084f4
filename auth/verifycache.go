package auth

import (
	"crypto/sha256"
	"slices"
	"sync"
	"time"
)

// verifiedTokens remembers access tokens whose signature and claims were
// checked, until they expire. An Ed25519 verification costs more than
// everything else a small request does; a client sends the same token with
// every request for its lifetime. Only successes are kept, under the
// token's hash; a hit is still refused once the token's expiry (plus the
// usual leeway) has passed. Whether the account or user behind the token is
// still allowed in is not cached: the service checks that on every request.
type verifiedTokens struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]Principal
}

// verifiedTokensSize bounds the cache: one entry per live session of the
// last 15 minutes, a few hundred bytes each.
const verifiedTokensSize = 50000

func newVerifiedTokens(max int) *verifiedTokens {
	return &verifiedTokens{max: max, m: make(map[[32]byte]Principal)}
}

func (c *verifiedTokens) get(token string, now time.Time) (Principal, bool) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[key]
	if !ok {
		return Principal{}, false
	}
	if !now.Before(p.ExpiresAt.Add(Leeway)) {
		delete(c.m, key)
		return Principal{}, false
	}
	p.Perms = slices.Clone(p.Perms)
	return p, true
}

func (c *verifiedTokens) put(token string, p Principal) {
	key := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		// Random eviction (map order): cheap, and a full cache only means
		// some tokens get verified again.
		for k := range c.m {
			delete(c.m, k)
			if len(c.m) < c.max*9/10 {
				break
			}
		}
	}
	c.m[key] = p
}
