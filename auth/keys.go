package auth

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// KeyStore persists signing keys. The real stores implement exactly these
// methods (storage.Keys); tests use an in-memory fake.
type KeyStore interface {
	SaveSigningKey(ctx context.Context, k *storage.SigningKey) error
	ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error)
}

// signingKeyPurpose binds sealed private keys to their use, so a sealed
// national ID can never be mistaken for a key or the reverse.
const signingKeyPurpose = "signing-key"

// minUnknownKIDReload bounds how often an unknown kid may trigger a store
// read: every forged token carries one, and each must not cost a query.
const minUnknownKIDReload = 10 * time.Second

type verifyKey struct {
	kid       string
	public    ed25519.PublicKey
	createdAt time.Time
	retiredAt *time.Time
}

// usableAt reports whether tokens signed by the key may still be accepted.
func (k verifyKey) usableAt(now time.Time) bool {
	return k.retiredAt == nil || now.Before(k.retiredAt.Add(KeyRetention))
}

// KeySet holds the Ed25519 keys that sign and verify access tokens. One key
// signs; retired keys keep verifying until tokens they signed have expired.
type KeySet struct {
	store KeyStore
	vault *Vault
	clock Clock

	mu         sync.RWMutex
	keys       map[string]verifyKey
	signKID    string
	signer     ed25519.PrivateKey
	lastReload time.Time
	reloadMu   sync.Mutex // serialises store reads so a burst of unknown kids costs one
}

// LoadKeySet reads the keys from the store, creating the first signing key
// when there is none.
func LoadKeySet(ctx context.Context, store KeyStore, vault *Vault, clock Clock) (*KeySet, error) {
	if store == nil || vault == nil {
		return nil, errors.New("auth: LoadKeySet needs a store and a vault")
	}
	ks := &KeySet{store: store, vault: vault, clock: orNow(clock)}
	if err := ks.Reload(ctx); err != nil {
		return nil, err
	}
	ks.mu.RLock()
	empty := ks.signer == nil
	ks.mu.RUnlock()
	if empty {
		if err := ks.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return ks, nil
}

// Reload re-reads the keys from the store, so that a server picks up a
// rotation made by another process (`creditbank keys rotate`).
func (ks *KeySet) Reload(ctx context.Context) error {
	ks.reloadMu.Lock()
	defer ks.reloadMu.Unlock()
	return ks.reloadLocked(ctx)
}

func (ks *KeySet) reloadLocked(ctx context.Context) error {
	stored, err := ks.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("auth: list signing keys: %w", err)
	}
	now := ks.clock()
	keys := make(map[string]verifyKey, len(stored))
	var newest *storage.SigningKey
	for i := range stored {
		sk := &stored[i]
		if sk.Use != storage.KeyUseAccess {
			continue // credential keys are CredentialKeys'
		}
		vk, err := toVerifyKey(sk)
		if err != nil {
			// A bad row must not take the server down, but it must not verify anything either.
			slog.Warn("ignoring invalid signing key", "kid", sk.KID, "err", err)
			continue
		}
		if !vk.usableAt(now) {
			continue
		}
		keys[vk.kid] = vk
		if sk.RetiredAt == nil && (newest == nil || isNewer(sk, newest)) {
			newest = sk
		}
	}
	var signer ed25519.PrivateKey
	signKID := ""
	if newest != nil {
		signer, err = ks.unseal(newest)
		if err != nil {
			return err
		}
		signKID = newest.KID
	}
	ks.mu.Lock()
	ks.keys, ks.signKID, ks.signer, ks.lastReload = keys, signKID, signer, now
	ks.mu.Unlock()
	return nil
}

// isNewer orders active keys; the kid breaks ties so that every server
// picks the same signer when two keys were created in the same instant.
func isNewer(a, b *storage.SigningKey) bool {
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.KID > b.KID
}

func toVerifyKey(sk *storage.SigningKey) (verifyKey, error) {
	if len(sk.Public) != ed25519.PublicKeySize {
		return verifyKey{}, errors.New("public key has the wrong size")
	}
	pub := ed25519.PublicKey(append([]byte(nil), sk.Public...))
	// The kid is recomputed rather than trusted, so a row cannot claim
	// another key's identity.
	if Thumbprint(pub) != sk.KID {
		return verifyKey{}, errors.New("kid is not the key's thumbprint")
	}
	return verifyKey{kid: sk.KID, public: pub, createdAt: sk.CreatedAt, retiredAt: sk.RetiredAt}, nil
}

func (ks *KeySet) unseal(sk *storage.SigningKey) (ed25519.PrivateKey, error) {
	enc, err := ks.vault.Open(signingKeyPurpose, sk.PrivateSealed)
	if err != nil {
		return nil, fmt.Errorf("auth: signing key %s cannot be unsealed (is the master key the one it was created with?): %w", sk.KID, err)
	}
	seed, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("auth: signing key %s: malformed private key", sk.KID)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(sk.Public)) {
		return nil, fmt.Errorf("auth: signing key %s: private key does not match public key", sk.KID)
	}
	return priv, nil
}

// Rotate creates a new signing key and retires every other active one.
// Retired keys keep verifying for KeyRetention.
func (ks *KeySet) Rotate(ctx context.Context) error {
	ks.reloadMu.Lock()
	defer ks.reloadMu.Unlock()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("auth: generate signing key: %w", err)
	}
	sealed, err := ks.vault.Seal(signingKeyPurpose, base64.RawURLEncoding.EncodeToString(priv.Seed()))
	if err != nil {
		return err
	}
	now := domain.Now(ks.clock())
	fresh := &storage.SigningKey{KID: Thumbprint(pub), PrivateSealed: sealed, Public: pub, CreatedAt: now}
	// Save the new key before retiring the old ones: a crash in between
	// leaves two verifying keys, never none.
	if err := ks.store.SaveSigningKey(ctx, fresh); err != nil {
		return fmt.Errorf("auth: save signing key: %w", err)
	}
	stored, err := ks.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("auth: list signing keys: %w", err)
	}
	for i := range stored {
		sk := stored[i]
		if sk.KID == fresh.KID || sk.RetiredAt != nil || sk.Use != storage.KeyUseAccess {
			continue
		}
		sk.RetiredAt = &now
		if err := ks.store.SaveSigningKey(ctx, &sk); err != nil {
			return fmt.Errorf("auth: retire signing key %s: %w", sk.KID, err)
		}
	}
	return ks.reloadLocked(ctx)
}

// reloadForUnknownKID re-reads the store at most once per
// minUnknownKIDReload, so that tokens signed by a key created elsewhere are
// accepted soon, while forged kids cannot turn into a flood of queries.
func (ks *KeySet) reloadForUnknownKID() {
	ks.reloadMu.Lock()
	defer ks.reloadMu.Unlock()
	ks.mu.RLock()
	due := ks.clock().Sub(ks.lastReload) >= minUnknownKIDReload
	ks.mu.RUnlock()
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := ks.reloadLocked(ctx); err != nil {
		slog.Warn("signing key reload failed", "err", err)
		// Count the failed attempt too, so a down store is not hammered.
		ks.mu.Lock()
		ks.lastReload = ks.clock()
		ks.mu.Unlock()
	}
}

// RunReloader reloads the key set every interval until ctx ends. A server
// runs it so that it stops signing with a key retired by another process.
func (ks *KeySet) RunReloader(ctx context.Context, interval time.Duration) {
	reloadEvery(ctx, interval, "signing key reload failed", ks.Reload)
}

// reloadEvery calls reload every interval until ctx ends, logging failures
// (the keys in memory stay as they were until a reload succeeds).
func reloadEvery(ctx context.Context, interval time.Duration, failed string, reload func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := reload(ctx); err != nil && ctx.Err() == nil {
				slog.Warn(failed, "err", err)
			}
		}
	}
}

// publicKey returns the verification key for kid if it may still verify.
func (ks *KeySet) publicKey(kid string) (ed25519.PublicKey, bool) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	k, ok := ks.keys[kid]
	if !ok || !k.usableAt(ks.clock()) {
		return nil, false
	}
	return k.public, true
}

// signingKey returns the current signer and its kid.
func (ks *KeySet) signingKey() (string, ed25519.PrivateKey, error) {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	if ks.signer == nil {
		return "", nil, errors.New("auth: no signing key")
	}
	return ks.signKID, ks.signer, nil
}

// CurrentKID is the kid new tokens are signed with.
func (ks *KeySet) CurrentKID() string {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	return ks.signKID
}

// JWK is one public key as published in the JWKS (RFC 8037 OKP form).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
}

// JWKSet is the body of /.well-known/jwks.json.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// PublicKeys lists the keys that may still verify a token, signing key first.
func (ks *KeySet) PublicKeys() JWKSet {
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	now := ks.clock()
	list := make([]verifyKey, 0, len(ks.keys))
	for _, k := range ks.keys {
		if k.usableAt(now) {
			list = append(list, k)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].createdAt.Equal(list[j].createdAt) {
			return list[i].createdAt.After(list[j].createdAt)
		}
		return list[i].kid > list[j].kid
	})
	set := JWKSet{Keys: make([]JWK, 0, len(list))}
	for _, k := range list {
		set.Keys = append(set.Keys, JWK{Kty: "OKP", Crv: "Ed25519",
			X: base64.RawURLEncoding.EncodeToString(k.public), Kid: k.kid, Use: "sig", Alg: "EdDSA"})
	}
	return set
}

// JWKS is the JSON body of /.well-known/jwks.json.
func (ks *KeySet) JWKS() []byte {
	b, err := json.Marshal(ks.PublicKeys())
	if err != nil {
		// Marshalling strings cannot fail; keep the endpoint well-formed regardless.
		return []byte(`{"keys":[]}`)
	}
	return b
}

// Thumbprint is the RFC 7638 JWK thumbprint of an Ed25519 public key:
// base64url(SHA-256) of the required members in lexicographic order.
func Thumbprint(pub ed25519.PublicKey) string {
	canonical := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ResealSigningKeys seals every stored signing key's private part again
// under the vault's current master key, for a master-key rotation. A key
// already sealed by it is left alone, so a rerun after an interruption
// redoes nothing; a key the vault cannot open stops the run, since going on
// would leave it unreadable under the new key. It returns how many keys
// there are and how many it re-sealed.
func ResealSigningKeys(ctx context.Context, store KeyStore, vault *Vault) (total, resealed int, err error) {
	stored, err := store.ListSigningKeys(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("auth: list signing keys: %w", err)
	}
	for i := range stored {
		sk := stored[i]
		if vault.SealedByCurrent(sk.PrivateSealed) {
			continue
		}
		purpose := sealPurpose(sk.Use)
		plain, err := vault.Open(purpose, sk.PrivateSealed)
		if err != nil {
			return len(stored), resealed, fmt.Errorf("auth: signing key %s cannot be opened by the current or an older master key: %w", sk.KID, err)
		}
		if sk.PrivateSealed, err = vault.Seal(purpose, plain); err != nil {
			return len(stored), resealed, err
		}
		if err := store.SaveSigningKey(ctx, &sk); err != nil {
			return len(stored), resealed, fmt.Errorf("auth: save signing key %s: %w", sk.KID, err)
		}
		resealed++
	}
	return len(stored), resealed, nil
}

// sealPurpose is what a key of this use was sealed for: access-token keys
// and credential keys are bound to their own purposes, so that one kind's
// sealed value never opens as the other.
func sealPurpose(use storage.KeyUse) string {
	if use == storage.KeyUseAccess {
		return signingKeyPurpose
	}
	return credentialKeyPurpose
}
