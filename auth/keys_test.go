package auth

import (
	"bytes"
	"context"
	"creditbank/storage"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

func decodeJWKS(t *testing.T, ks *KeySet) JWKSet {
	t.Helper()
	var set JWKSet
	dec := json.NewDecoder(bytes.NewReader(ks.JWKS()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("JWKS is not the expected JSON: %v", err)
	}
	return set
}

func jwksKIDs(t *testing.T, ks *KeySet) []string {
	t.Helper()
	var kids []string
	for _, k := range decodeJWKS(t, ks).Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

func TestLoadKeySetCreatesOneKey(t *testing.T) {
	f := newFixture(t)
	stored := f.store.all()
	if len(stored) != 1 {
		t.Fatalf("store holds %d keys, want 1", len(stored))
	}
	sk := stored[0]
	if sk.KID != f.keys.CurrentKID() || sk.RetiredAt != nil {
		t.Fatalf("stored key %s (retired %v), current %s", sk.KID, sk.RetiredAt, f.keys.CurrentKID())
	}
	if sk.KID != Thumbprint(ed25519.PublicKey(sk.Public)) {
		t.Fatal("kid is not the RFC 7638 thumbprint")
	}
	set := decodeJWKS(t, f.keys)
	if len(set.Keys) != 1 {
		t.Fatalf("JWKS has %d keys", len(set.Keys))
	}
	want := JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(sk.Public), Kid: sk.KID, Use: "sig", Alg: "EdDSA"}
	if set.Keys[0] != want {
		t.Fatalf("JWK = %+v, want %+v", set.Keys[0], want)
	}
}

// The RFC 8037 appendix A.3 example fixes the thumbprint computation.
func TestThumbprintRFC8037Example(t *testing.T) {
	x, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	if got := Thumbprint(x); got != "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" {
		t.Fatalf("thumbprint = %s", got)
	}
}

func TestReloadKeepsTheSameKey(t *testing.T) {
	f := newFixture(t)
	kid := f.keys.CurrentKID()
	again, err := LoadKeySet(context.Background(), f.store, f.vault, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if again.CurrentKID() != kid {
		t.Fatalf("reloaded kid %s, want %s", again.CurrentKID(), kid)
	}
	if err := again.Reload(context.Background()); err != nil || again.CurrentKID() != kid {
		t.Fatalf("Reload: %v, kid %s", err, again.CurrentKID())
	}
	if n := len(f.store.all()); n != 1 {
		t.Fatalf("reloading created keys: store holds %d", n)
	}
	// A token from the first instance verifies on the second: same key.
	tok := f.issue(t, learner())
	if _, err := NewTokenService(testIssuer, testAudience, again, f.clock.Now).Verify(tok); err != nil {
		t.Fatalf("token from first instance rejected by second: %v", err)
	}
}

func TestPrivateKeyIsNotStoredInTheClear(t *testing.T) {
	f := newFixture(t)
	_, priv, err := f.keys.signingKey()
	if err != nil {
		t.Fatal(err)
	}
	seed := priv.Seed()
	sealed := f.store.all()[0].PrivateSealed
	for name, enc := range map[string]string{
		"raw":       string(seed),
		"base64url": base64.RawURLEncoding.EncodeToString(seed),
		"base64":    base64.StdEncoding.EncodeToString(seed),
		"hex":       hex.EncodeToString(seed),
	} {
		if strings.Contains(sealed, enc) {
			t.Errorf("sealed private key contains the %s seed", name)
		}
	}
	if raw, err := base64.RawURLEncoding.DecodeString(sealed); err == nil && bytes.Contains(raw, seed) {
		t.Error("decoded sealed blob contains the raw seed")
	}
	if _, err := f.vault.Open("national-id", sealed); err == nil {
		t.Error("sealed key opens under another purpose")
	}
}

func TestLoadKeySetWithWrongMasterKeyFails(t *testing.T) {
	f := newFixture(t)
	_, err := LoadKeySet(context.Background(), f.store, newTestVault(t, 99), f.clock.Now)
	if err == nil || !strings.Contains(err.Error(), "master key") {
		t.Fatalf("err = %v, want a master key error", err)
	}
}

func TestKeyWithForeignKIDIsIgnored(t *testing.T) {
	f := newFixture(t)
	good := f.store.all()[0]
	// A row whose kid does not match its public key must not verify anything,
	// or it could hijack another key's kid.
	pub, _, _ := ed25519.GenerateKey(nil)
	bad := storage.SigningKey{KID: strings.Repeat("A", 43), PrivateSealed: good.PrivateSealed, Public: pub, CreatedAt: good.CreatedAt}
	_ = f.store.SaveSigningKey(context.Background(), &bad)
	if err := f.keys.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.keys.publicKey(bad.KID); ok {
		t.Fatal("key with mismatched kid accepted")
	}
	if kids := jwksKIDs(t, f.keys); len(kids) != 1 || kids[0] != good.KID {
		t.Fatalf("JWKS = %v", kids)
	}
}

func TestRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	kid1 := f.keys.CurrentKID()
	t1 := f.issue(t, learner())

	f.clock.Advance(time1Minute)
	if err := f.keys.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	kid2 := f.keys.CurrentKID()
	if kid2 == kid1 {
		t.Fatal("rotation kept the kid")
	}
	t2 := f.issue(t, learner())
	if got := headerKID(t, t2); got != kid2 {
		t.Fatalf("T2 kid %s, want new kid %s", got, kid2)
	}
	if got := headerKID(t, t1); got != kid1 {
		t.Fatalf("T1 kid %s, want old kid %s", got, kid1)
	}
	for name, tok := range map[string]string{"T1": t1, "T2": t2} {
		if _, err := f.svc.Verify(tok); err != nil {
			t.Fatalf("%s rejected after rotation: %v", name, err)
		}
	}
	if kids := jwksKIDs(t, f.keys); len(kids) != 2 || kids[0] != kid2 || kids[1] != kid1 {
		t.Fatalf("JWKS kids %v, want [%s %s]", kids, kid2, kid1)
	}
	for _, sk := range f.store.all() {
		if (sk.KID == kid1) != (sk.RetiredAt != nil) {
			t.Fatalf("key %s retired=%v", sk.KID, sk.RetiredAt != nil)
		}
	}

	// T1 was issued a minute before retirement, so it expires first; the key
	// itself stays published until the retirement time plus the retention.
	f.clock.Advance(AccessTokenLifetime + Leeway + time1Second)
	if _, err := f.svc.Verify(t1); !isUnauthenticated(err) {
		t.Fatalf("T1 after its lifetime: %v", err)
	}
	if kids := jwksKIDs(t, f.keys); len(kids) != 1 || kids[0] != kid2 {
		t.Fatalf("JWKS kids %v after retention, want only %s", kids, kid2)
	}
	if _, ok := f.keys.publicKey(kid1); ok {
		t.Fatal("retired key still verifies after retention")
	}
	// A fresh instance (a restarted server) agrees.
	again, err := LoadKeySet(ctx, f.store, f.vault, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if again.CurrentKID() != kid2 || len(jwksKIDs(t, again)) != 1 {
		t.Fatalf("restarted key set: current %s, jwks %v", again.CurrentKID(), jwksKIDs(t, again))
	}
}

// A token signed with a retired key just before rotation must keep verifying
// right up to its own expiry (within leeway), then fail.
func TestRetiredKeyVerifiesUntilLastTokenExpires(t *testing.T) {
	f := newFixture(t)
	tok := f.issue(t, learner())
	if err := f.keys.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(AccessTokenLifetime + Leeway - time1Second)
	if _, err := f.svc.Verify(tok); err != nil {
		t.Fatalf("old token rejected within its lifetime + leeway: %v", err)
	}
	f.clock.Advance(2 * time1Second)
	if _, err := f.svc.Verify(tok); !isUnauthenticated(err) {
		t.Fatalf("old token accepted after retention: %v", err)
	}
}

// `creditbank keys rotate` runs in another process: a server learns the new
// key on its periodic Reload, or on the first token bearing the unknown kid
// once the reload rate limit allows it.
func TestRotationByAnotherProcess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cli, err := LoadKeySet(ctx, f.store, f.vault, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	other := NewTokenService(testIssuer, testAudience, cli, f.clock.Now)
	tok, _, err := other.Issue(learner())
	if err != nil {
		t.Fatal(err)
	}
	// Just after load, the rate limit holds: the unknown kid is refused.
	if _, err := f.svc.Verify(tok); !isUnauthenticated(err) {
		t.Fatalf("unknown kid accepted without reload: %v", err)
	}
	f.clock.Advance(minUnknownKIDReload)
	if _, err := f.svc.Verify(tok); err != nil {
		t.Fatalf("token with newly rotated kid rejected after reload window: %v", err)
	}
	if f.keys.CurrentKID() != cli.CurrentKID() {
		t.Fatal("server still signs with the retired key after reload")
	}
}

func TestUnknownKIDReloadsAreRateLimited(t *testing.T) {
	f := newFixture(t)
	counting := &countingStore{KeyStore: f.store}
	f.keys.store = counting
	f.clock.Advance(minUnknownKIDReload)
	for i := 0; i < 50; i++ {
		tok := signRaw(t, f, headerWith("kid", "unknown-kid-"+string(rune('a'+i%26))), validClaims(f), nil)
		if _, err := f.svc.Verify(tok); !isUnauthenticated(err) {
			t.Fatalf("unknown kid accepted: %v", err)
		}
	}
	if counting.lists != 1 {
		t.Fatalf("50 unknown kids caused %d store reads, want 1", counting.lists)
	}
}

type countingStore struct {
	KeyStore
	lists int
}

func (c *countingStore) ListSigningKeys(ctx context.Context) ([]storage.SigningKey, error) {
	c.lists++
	return c.KeyStore.ListSigningKeys(ctx)
}

func TestKeyIDsAreSHA256Sized(t *testing.T) {
	f := newFixture(t)
	raw, err := base64.RawURLEncoding.DecodeString(f.keys.CurrentKID())
	if err != nil || len(raw) != sha256.Size || !kidPattern.MatchString(f.keys.CurrentKID()) {
		t.Fatalf("kid %q: %v", f.keys.CurrentKID(), err)
	}
}
