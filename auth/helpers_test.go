package auth

import (
	"bytes"
	"context"
	"creditbank/storage"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock shared by everything under test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// memKeyStore is an in-memory KeyStore that copies on the way in and out,
// as a real store would.
type memKeyStore struct {
	mu   sync.Mutex
	keys map[string]storage.SigningKey
	// order keeps insertion order so listings are stable.
	order []string
}

func newMemKeyStore() *memKeyStore { return &memKeyStore{keys: map[string]storage.SigningKey{}} }

func copyKey(k storage.SigningKey) storage.SigningKey {
	k.Public = bytes.Clone(k.Public)
	if k.RetiredAt != nil {
		t := *k.RetiredAt
		k.RetiredAt = &t
	}
	return k
}

func (s *memKeyStore) SaveSigningKey(_ context.Context, k *storage.SigningKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[k.KID]; !ok {
		s.order = append(s.order, k.KID)
	}
	s.keys[k.KID] = copyKey(*k)
	return nil
}

func (s *memKeyStore) ListSigningKeys(context.Context) ([]storage.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]storage.SigningKey, 0, len(s.order))
	for _, kid := range s.order {
		out = append(out, copyKey(s.keys[kid]))
	}
	return out, nil
}

func (s *memKeyStore) all() []storage.SigningKey {
	l, _ := s.ListSigningKeys(context.Background())
	return l
}

func testMasterKey(fill byte) []byte { return bytes.Repeat([]byte{fill}, MasterKeySize) }

func newTestVault(t *testing.T, fill byte) *Vault {
	t.Helper()
	v, err := NewVault(testMasterKey(fill))
	if err != nil {
		t.Fatalf("NewVault: %v", err)
	}
	return v
}

// fixture is a fresh key set and token service on a fresh store and clock.
type fixture struct {
	clock *fakeClock
	store *memKeyStore
	vault *Vault
	keys  *KeySet
	svc   *TokenService
}

const (
	testIssuer   = "https://credit.example.gov.cn"
	testAudience = "creditbank-api"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clock: newFakeClock(), store: newMemKeyStore(), vault: newTestVault(t, 7)}
	ks, err := LoadKeySet(context.Background(), f.store, f.vault, f.clock.Now)
	if err != nil {
		t.Fatalf("LoadKeySet: %v", err)
	}
	f.keys = ks
	f.svc = NewTokenService(testIssuer, testAudience, ks, f.clock.Now)
	return f
}

func (f *fixture) issue(t *testing.T, p Principal) string {
	t.Helper()
	tok, _, err := f.svc.Issue(p)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok
}
