package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"testing"
	"time"

	"creditbank/auth/vc"
	"creditbank/storage"
)

const testDID = "did:web:bank.example"

func credentialFixture(t *testing.T) (*CredentialKeys, *KeySet, *memKeyStore, *Vault, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	vault, err := NewVault(testMasterKey(9))
	if err != nil {
		t.Fatal(err)
	}
	store := newMemKeyStore()
	access, err := LoadKeySet(context.Background(), store, vault, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := LoadCredentialKeys(context.Background(), store, vault, testDID, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return ck, access, store, vault, clock
}

// TestCredentialKeysAreApartFromAccessKeys: the DID document lists only
// credential keys, the JWKS of access tokens only access keys, and a key
// of one kind never verifies for the other.
func TestCredentialKeysAreApartFromAccessKeys(t *testing.T) {
	ck, access, store, _, _ := credentialFixture(t)
	if n := len(store.all()); n != 3 {
		t.Fatalf("%d stored keys, want one access key and two credential keys", n)
	}
	doc := ck.DIDDocument()
	if doc.ID != testDID || len(doc.VerificationMethod) != 2 || len(doc.AssertionMethod) != 2 {
		t.Fatalf("DID document = %+v", doc)
	}
	types := map[string]int{}
	for _, m := range doc.VerificationMethod {
		types[m.Type]++
		if m.Controller != testDID || m.ID[:len(testDID)+1] != testDID+"#" {
			t.Errorf("method %+v not controlled by the issuer", m)
		}
		if m.ID == testDID+"#"+access.CurrentKID() {
			t.Error("the access-token key is listed as a credential key")
		}
	}
	if types["Multikey"] != 1 || types["JsonWebKey"] != 1 {
		t.Fatalf("method types = %v", types)
	}
	for _, jwk := range access.PublicKeys().Keys {
		for _, k := range ck.Keys() {
			if jwk.Kid == k.KID {
				t.Fatal("a credential key is published as an access-token key")
			}
		}
	}
	if pk := StoredPublicKeys(store.all()); len(pk) != 1 {
		t.Fatalf("StoredPublicKeys = %d keys, want the access key only", len(pk))
	}
	vm, priv, err := ck.ProofKey()
	if err != nil {
		t.Fatal(err)
	}
	m, ok := doc.Method(vm)
	if !ok || m.PublicKeyMultibase != vc.EncodeMultikey(priv.Public().(ed25519.PublicKey)) {
		t.Fatalf("proof key %s not in the DID document as its Multikey", vm)
	}
	jvm, jpriv, err := ck.JWTKey()
	if err != nil {
		t.Fatal(err)
	}
	jm, ok := doc.Method(jvm)
	if !ok || jm.PublicKeyJwk == nil || *jm.PublicKeyJwk != P256JWK(&jpriv.PublicKey) {
		t.Fatalf("JWT key %s not in the DID document as its JWK", jvm)
	}
	digest := sha256.Sum256([]byte("x"))
	sig, _ := ecdsa.SignASN1(rand.Reader, jpriv, digest[:])
	if !ecdsa.VerifyASN1(&jpriv.PublicKey, digest[:], sig) {
		t.Fatal("the unsealed P-256 key does not sign")
	}
}

// TestCredentialKeyRotationKeepsOldKeysListed: after rotation new
// credentials are signed with the new keys, and the old ones stay in the
// DID document, in this process and in a freshly started one.
func TestCredentialKeyRotationKeepsOldKeysListed(t *testing.T) {
	ck, _, store, vault, clock := credentialFixture(t)
	oldVM, _, _ := ck.ProofKey()
	oldJWT, _, _ := ck.JWTKey()
	clock.Advance(400 * 24 * time.Hour)
	if err := ck.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	newVM, _, _ := ck.ProofKey()
	newJWT, _, _ := ck.JWTKey()
	if newVM == oldVM || newJWT == oldJWT {
		t.Fatal("rotation kept the signing keys")
	}
	restarted, err := LoadCredentialKeys(context.Background(), store, vault, testDID, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if vm, _, _ := restarted.ProofKey(); vm != newVM {
		t.Fatalf("restarted signs with %s, want %s", vm, newVM)
	}
	for _, doc := range []vc.DIDDocument{ck.DIDDocument(), restarted.DIDDocument()} {
		if len(doc.VerificationMethod) != 4 {
			t.Fatalf("%d methods after rotation, want the two old and two new", len(doc.VerificationMethod))
		}
		for _, vm := range []string{oldVM, oldJWT, newVM, newJWT} {
			if _, ok := doc.Method(vm); !ok {
				t.Errorf("%s missing from the DID document", vm)
			}
		}
	}
}

// TestCredentialKeyRowsAreChecked: a stored key whose kid is not its own
// public key, or sealed under another master key, does not load.
func TestCredentialKeyRowsAreChecked(t *testing.T) {
	ck, _, store, _, clock := credentialFixture(t)
	pub, _, _ := ed25519.GenerateKey(nil)
	vm, _, _ := ck.ProofKey()
	forged := storage.SigningKey{KID: vm[len(testDID)+1:], Use: storage.KeyUseCredentialProof, Public: pub, PrivateSealed: "x", CreatedAt: clock.Now().Add(time.Hour)}
	if err := store.SaveSigningKey(context.Background(), &forged); err != nil {
		t.Fatal(err)
	}
	if err := ck.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range ck.DIDDocument().VerificationMethod {
		if m.PublicKeyMultibase == vc.EncodeMultikey(pub) {
			t.Fatal("a row claiming another key's kid was published")
		}
	}
	other, _ := NewVault(testMasterKey(3))
	if _, err := LoadCredentialKeys(context.Background(), store, other, testDID, clock.Now); err == nil {
		t.Fatal("keys sealed under another master key loaded")
	}
}
