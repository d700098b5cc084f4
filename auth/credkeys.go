package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"creditbank/auth/vc"
	"creditbank/domain"
	"creditbank/storage"
)

// credentialKeyPurpose binds sealed credential keys to their use, apart
// from access-token keys and sealed personal data.
const credentialKeyPurpose = "credential-key"

// CredentialKey is one public credential key as the DID document lists it.
type CredentialKey struct {
	KID       string // the DID URL fragment
	Use       storage.KeyUse
	Ed25519   ed25519.PublicKey
	P256      *ecdsa.PublicKey
	CreatedAt time.Time
	RetiredAt *time.Time
}

// CredentialKeys holds the keys that sign credentials, apart from the
// access-token keys: an Ed25519 key for Data Integrity proofs and a P-256
// key for VC-JWT (the algorithms OB 3.0 verifiers accept). One of each
// signs; retired ones stay published, because a credential without
// validUntil verifies for as long as the learner keeps it.
type CredentialKeys struct {
	store KeyStore
	vault *Vault
	clock Clock
	did   string

	mu       sync.RWMutex
	public   []CredentialKey
	edKID    string
	edKey    ed25519.PrivateKey
	jwtKID   string
	jwtKey   *ecdsa.PrivateKey
	reloadMu sync.Mutex
}

// LoadCredentialKeys reads the credential keys of the issuer did, creating
// a first pair when there is none.
func LoadCredentialKeys(ctx context.Context, store KeyStore, vault *Vault, did string, clock Clock) (*CredentialKeys, error) {
	if store == nil || vault == nil || did == "" {
		return nil, errors.New("auth: LoadCredentialKeys needs a store, a vault and the issuer DID")
	}
	ck := &CredentialKeys{store: store, vault: vault, clock: orNow(clock), did: did}
	if err := ck.Reload(ctx); err != nil {
		return nil, err
	}
	ck.mu.RLock()
	missing := ck.edKey == nil || ck.jwtKey == nil
	ck.mu.RUnlock()
	if missing {
		if err := ck.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return ck, nil
}

// DID is the issuer the keys belong to.
func (ck *CredentialKeys) DID() string { return ck.did }

// Reload re-reads the keys, to follow a rotation made by another process.
func (ck *CredentialKeys) Reload(ctx context.Context) error {
	ck.reloadMu.Lock()
	defer ck.reloadMu.Unlock()
	return ck.reloadLocked(ctx)
}

func (ck *CredentialKeys) reloadLocked(ctx context.Context) error {
	stored, err := ck.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("auth: list credential keys: %w", err)
	}
	var public []CredentialKey
	var newestEd, newestJWT *storage.SigningKey
	for i := range stored {
		sk := &stored[i]
		if sk.Use != storage.KeyUseCredentialProof && sk.Use != storage.KeyUseCredentialJWT {
			continue
		}
		k, err := toCredentialKey(sk)
		if err != nil {
			slog.Warn("ignoring invalid credential key", "kid", sk.KID, "err", err)
			continue
		}
		public = append(public, k)
		if sk.RetiredAt != nil {
			continue
		}
		if sk.Use == storage.KeyUseCredentialProof && (newestEd == nil || isNewer(sk, newestEd)) {
			newestEd = sk
		}
		if sk.Use == storage.KeyUseCredentialJWT && (newestJWT == nil || isNewer(sk, newestJWT)) {
			newestJWT = sk
		}
	}
	sort.Slice(public, func(i, j int) bool {
		if !public[i].CreatedAt.Equal(public[j].CreatedAt) {
			return public[i].CreatedAt.After(public[j].CreatedAt)
		}
		return public[i].KID > public[j].KID
	})
	var edKey ed25519.PrivateKey
	var jwtKey *ecdsa.PrivateKey
	edKID, jwtKID := "", ""
	if newestEd != nil {
		if edKey, err = ck.unsealEd25519(newestEd); err != nil {
			return err
		}
		edKID = newestEd.KID
	}
	if newestJWT != nil {
		if jwtKey, err = ck.unsealP256(newestJWT); err != nil {
			return err
		}
		jwtKID = newestJWT.KID
	}
	ck.mu.Lock()
	ck.public, ck.edKID, ck.edKey, ck.jwtKID, ck.jwtKey = public, edKID, edKey, jwtKID, jwtKey
	ck.mu.Unlock()
	return nil
}

// toCredentialKey recomputes the kid from the public key, so a stored row
// cannot claim another key's identity.
func toCredentialKey(sk *storage.SigningKey) (CredentialKey, error) {
	k := CredentialKey{KID: sk.KID, Use: sk.Use, CreatedAt: sk.CreatedAt, RetiredAt: sk.RetiredAt}
	switch sk.Use {
	case storage.KeyUseCredentialProof:
		if len(sk.Public) != ed25519.PublicKeySize {
			return k, errors.New("public key has the wrong size")
		}
		k.Ed25519 = ed25519.PublicKey(append([]byte(nil), sk.Public...))
		if vc.EncodeMultikey(k.Ed25519) != sk.KID {
			return k, errors.New("kid is not the key's Multikey")
		}
	case storage.KeyUseCredentialJWT:
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), sk.Public)
		if err != nil {
			return k, err
		}
		k.P256 = pub
		if P256Thumbprint(pub) != sk.KID {
			return k, errors.New("kid is not the key's thumbprint")
		}
	default:
		return k, errors.New("not a credential key")
	}
	return k, nil
}

func (ck *CredentialKeys) unsealEd25519(sk *storage.SigningKey) (ed25519.PrivateKey, error) {
	raw, err := ck.unseal(sk)
	if err != nil || len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("auth: credential key %s cannot be unsealed: %v", sk.KID, err)
	}
	priv := ed25519.NewKeyFromSeed(raw)
	if !priv.Public().(ed25519.PublicKey).Equal(ed25519.PublicKey(sk.Public)) {
		return nil, fmt.Errorf("auth: credential key %s: private key does not match public key", sk.KID)
	}
	return priv, nil
}

func (ck *CredentialKeys) unsealP256(sk *storage.SigningKey) (*ecdsa.PrivateKey, error) {
	raw, err := ck.unseal(sk)
	if err != nil {
		return nil, fmt.Errorf("auth: credential key %s cannot be unsealed: %v", sk.KID, err)
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), raw)
	if err != nil {
		return nil, fmt.Errorf("auth: credential key %s: %w", sk.KID, err)
	}
	pub, err := priv.PublicKey.Bytes()
	if err != nil || string(pub) != string(sk.Public) {
		return nil, fmt.Errorf("auth: credential key %s: private key does not match public key", sk.KID)
	}
	return priv, nil
}

func (ck *CredentialKeys) unseal(sk *storage.SigningKey) ([]byte, error) {
	enc, err := ck.vault.Open(credentialKeyPurpose, sk.PrivateSealed)
	if err != nil {
		return nil, fmt.Errorf("is the master key the one it was created with? %w", err)
	}
	return base64.RawURLEncoding.DecodeString(enc)
}

// Rotate creates a new Ed25519 and a new P-256 credential key and stops
// the others signing. They stay in the DID document.
func (ck *CredentialKeys) Rotate(ctx context.Context) error {
	ck.reloadMu.Lock()
	defer ck.reloadMu.Unlock()
	now := domain.Now(ck.clock())
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	jwtPriv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	jwtRaw, err := jwtPriv.Bytes()
	if err != nil {
		return err
	}
	jwtPub, err := jwtPriv.PublicKey.Bytes()
	if err != nil {
		return err
	}
	fresh := []*storage.SigningKey{
		{KID: vc.EncodeMultikey(edPub), Use: storage.KeyUseCredentialProof, Public: edPub, CreatedAt: now},
		{KID: P256Thumbprint(&jwtPriv.PublicKey), Use: storage.KeyUseCredentialJWT, Public: jwtPub, CreatedAt: now},
	}
	for i, secret := range [][]byte{edPriv.Seed(), jwtRaw} {
		if fresh[i].PrivateSealed, err = ck.vault.Seal(credentialKeyPurpose, base64.RawURLEncoding.EncodeToString(secret)); err != nil {
			return err
		}
		// Saved before the old ones retire: a crash in between leaves two
		// signing keys, never none.
		if err := ck.store.SaveSigningKey(ctx, fresh[i]); err != nil {
			return fmt.Errorf("auth: save credential key: %w", err)
		}
	}
	stored, err := ck.store.ListSigningKeys(ctx)
	if err != nil {
		return fmt.Errorf("auth: list credential keys: %w", err)
	}
	for i := range stored {
		sk := stored[i]
		if sk.RetiredAt != nil || sk.KID == fresh[0].KID || sk.KID == fresh[1].KID ||
			(sk.Use != storage.KeyUseCredentialProof && sk.Use != storage.KeyUseCredentialJWT) {
			continue
		}
		sk.RetiredAt = &now
		if err := ck.store.SaveSigningKey(ctx, &sk); err != nil {
			return fmt.Errorf("auth: retire credential key %s: %w", sk.KID, err)
		}
	}
	return ck.reloadLocked(ctx)
}

// ProofKey is the current Data Integrity key and its verification method.
func (ck *CredentialKeys) ProofKey() (string, ed25519.PrivateKey, error) {
	ck.mu.RLock()
	defer ck.mu.RUnlock()
	if ck.edKey == nil {
		return "", nil, errors.New("auth: no credential proof key")
	}
	return ck.did + "#" + ck.edKID, ck.edKey, nil
}

// JWTKey is the current VC-JWT key and its verification method (the kid).
func (ck *CredentialKeys) JWTKey() (string, *ecdsa.PrivateKey, error) {
	ck.mu.RLock()
	defer ck.mu.RUnlock()
	if ck.jwtKey == nil {
		return "", nil, errors.New("auth: no credential JWT key")
	}
	return ck.did + "#" + ck.jwtKID, ck.jwtKey, nil
}

// Keys lists every credential key, newest first.
func (ck *CredentialKeys) Keys() []CredentialKey {
	ck.mu.RLock()
	defer ck.mu.RUnlock()
	return append([]CredentialKey(nil), ck.public...)
}

// DIDDocument is the issuer's DID document: every credential key, Ed25519
// ones as Multikey, P-256 ones as JsonWebKey, all for assertions.
func (ck *CredentialKeys) DIDDocument() vc.DIDDocument {
	return CredentialDIDDocument(ck.did, ck.Keys())
}

// CredentialDIDDocument builds the DID document of did listing keys.
func CredentialDIDDocument(did string, keys []CredentialKey) vc.DIDDocument {
	methods := make([]vc.VerificationMethod, 0, len(keys))
	for _, k := range keys {
		m := vc.VerificationMethod{ID: did + "#" + k.KID, Controller: did}
		if k.Ed25519 != nil {
			m.Type, m.PublicKeyMultibase = "Multikey", vc.EncodeMultikey(k.Ed25519)
		} else {
			jwk := P256JWK(k.P256)
			m.Type, m.PublicKeyJwk = "JsonWebKey", &jwk
		}
		methods = append(methods, m)
	}
	return vc.NewDIDDocument(did, methods)
}

// P256JWK is a P-256 public key as a JWK.
func P256JWK(pub *ecdsa.PublicKey) vc.JWK {
	raw, _ := pub.Bytes() // 0x04 || X || Y, 32 bytes each
	return vc.JWK{Kty: "EC", Crv: "P-256", X: base64.RawURLEncoding.EncodeToString(raw[1:33]), Y: base64.RawURLEncoding.EncodeToString(raw[33:65])}
}

// P256Thumbprint is the RFC 7638 thumbprint of a P-256 public key.
func P256Thumbprint(pub *ecdsa.PublicKey) string {
	j := P256JWK(pub)
	sum := sha256.Sum256([]byte(`{"crv":"P-256","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// RunReloader reloads the credential keys every interval until ctx ends,
// so a server stops signing with keys another process retired.
func (ck *CredentialKeys) RunReloader(ctx context.Context, interval time.Duration) {
	reloadEvery(ctx, interval, "credential key reload failed", ck.Reload)
}
