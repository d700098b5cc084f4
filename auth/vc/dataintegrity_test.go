package vc

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const examplesContext = "https://www.w3.org/ns/credentials/examples/v2"

func readVector(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "eddsa-rdfc-2022", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vectorLoader(t *testing.T) *Loader {
	t.Helper()
	ex, err := os.ReadFile(filepath.Join("testdata", "credentials-examples-v2.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	return NewLoader(map[string][]byte{examplesContext: ex})
}

func vectorKey(t *testing.T) (ed25519.PrivateKey, string) {
	t.Helper()
	var kp struct{ PublicKeyMultibase, PrivateKeyMultibase string }
	if err := json.Unmarshal(readVector(t, "keyPair.json"), &kp); err != nil {
		t.Fatal(err)
	}
	priv, err := DecodeMultikeySecret(kp.PrivateKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodeMultikey(priv.Public().(ed25519.PublicKey)); got != kp.PublicKeyMultibase {
		t.Fatalf("public Multikey of the vector's secret = %s, want %s", got, kp.PublicKeyMultibase)
	}
	return priv, kp.PublicKeyMultibase
}

// TestEddsaRdfc2022Vectors reproduces every intermediate value of the W3C
// test vectors byte for byte: canonical document and proof configuration,
// both hashes, the signature and the signed credential's proof.
func TestEddsaRdfc2022Vectors(t *testing.T) {
	l := vectorLoader(t)
	priv, _ := vectorKey(t)
	unsigned, err := decodeObject(readVector(t, "unsigned.json"))
	if err != nil {
		t.Fatal(err)
	}
	canonDoc, err := l.Canonicalize(unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if want := string(readVector(t, "canonDocDataInt.txt")); canonDoc != want {
		t.Fatalf("canonical document:\n%s\nwant:\n%s", canonDoc, want)
	}
	docHash := sha256.Sum256([]byte(canonDoc))
	if got, want := hex.EncodeToString(docHash[:]), string(readVector(t, "docHashDataInt.txt")); got != want {
		t.Fatalf("document hash %s, want %s", got, want)
	}
	cfg, err := decodeObject(readVector(t, "proofConfigDataInt.json"))
	if err != nil {
		t.Fatal(err)
	}
	canonCfg, err := l.Canonicalize(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if want := string(readVector(t, "proofCanonDataInt.txt")); canonCfg != want {
		t.Fatalf("canonical proof config:\n%s\nwant:\n%s", canonCfg, want)
	}
	cfgHash := sha256.Sum256([]byte(canonCfg))
	if got, want := hex.EncodeToString(cfgHash[:]), string(readVector(t, "proofHashDataInt.txt")); got != want {
		t.Fatalf("proof hash %s, want %s", got, want)
	}
	hd, err := l.hashData(unsigned, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(hd), string(readVector(t, "combinedHashDataInt.txt")); got != want {
		t.Fatalf("combined hash %s, want %s", got, want)
	}
	sig := ed25519.Sign(priv, hd)
	if got, want := hex.EncodeToString(sig), string(readVector(t, "sigHexDataInt.txt")); got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	if got, want := "z"+base58Encode(sig), string(readVector(t, "sigBTC58DataInt.txt")); got != want {
		t.Fatalf("proof value %s, want %s", got, want)
	}

	// Sign end to end with the vector's creation time and compare the
	// resulting proof with the published signed credential's.
	var cfgProof Proof
	if err := json.Unmarshal(readVector(t, "proofConfigDataInt.json"), &cfgProof); err != nil {
		t.Fatal(err)
	}
	created, _ := time.Parse(time.RFC3339, cfgProof.Created)
	signed, err := l.Sign(readVector(t, "unsigned.json"), priv, cfgProof.VerificationMethod, created)
	if err != nil {
		t.Fatal(err)
	}
	var ours, theirs struct{ Proof Proof }
	if err := json.Unmarshal(signed, &ours); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(readVector(t, "signedDataInt.json"), &theirs); err != nil {
		t.Fatal(err)
	}
	if ours.Proof != theirs.Proof {
		t.Fatalf("proof %+v, want %+v", ours.Proof, theirs.Proof)
	}
}

// TestVerifyPublishedVector verifies the W3C signed credential and rejects
// it once altered, signed by another key, or with another proof shape.
func TestVerifyPublishedVector(t *testing.T) {
	l := vectorLoader(t)
	priv, multikey := vectorKey(t)
	signed := readVector(t, "signedDataInt.json")
	trust := func(vm string) (ed25519.PublicKey, error) {
		if vm != "did:key:"+multikey+"#"+multikey {
			return nil, errors.New("unknown key")
		}
		return priv.Public().(ed25519.PublicKey), nil
	}
	if _, err := l.Verify(signed, trust); err != nil {
		t.Fatalf("published vector: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name    string
		doc     []byte
		resolve KeyResolver
		want    string
	}{
		{"altered content", bytes.Replace(signed, []byte("The School of Examples"), []byte("The School of Forgeries"), 1), trust, "signature does not match"},
		{"other key", signed, func(string) (ed25519.PublicKey, error) { return other.Public().(ed25519.PublicKey), nil }, "signature does not match"},
		{"altered date", bytes.Replace(signed, []byte(`"2023-01-01T00:00:00Z"`), []byte(`"2023-01-02T00:00:00Z"`), 1), trust, "signature does not match"},
		{"altered proof", bytes.Replace(signed, []byte("2023-02-24T23:36:38Z"), []byte("2023-02-24T23:36:39Z"), 1), trust, "signature does not match"},
		{"other cryptosuite", bytes.Replace(signed, []byte(`"eddsa-rdfc-2022"`), []byte(`"eddsa-jcs-2022"`), 1), trust, "is not DataIntegrityProof/eddsa-rdfc-2022"},
		{"unknown key", signed, func(string) (ed25519.PublicKey, error) { return nil, errors.New("unknown key") }, "unknown key"},
		{"no proof", readVector(t, "unsigned.json"), trust, "no embedded proof"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := l.Verify(tc.doc, tc.resolve)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestSignRefusesUndefinedTerms: a property no context defines would be
// dropped from the canonical form and so be unsigned; safe mode refuses it.
func TestSignRefusesUndefinedTerms(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	doc := []byte(`{"@context":["` + ContextVC2 + `"],"type":["VerifiableCredential"],"issuer":"did:web:bank.example","validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"id":"urn:uuid:1","grade":"A"}}`)
	if _, err := Sign(doc, priv, "did:web:bank.example#k", time.Now()); err == nil {
		t.Fatal("a credential with an undefined term was signed")
	}
	relType := bytes.Replace(doc, []byte(`,"grade":"A"`), []byte(`,"type":"GradeNobodyDefines"`), 1)
	if _, err := Sign(relType, priv, "did:web:bank.example#k", time.Now()); err == nil || !strings.Contains(err.Error(), "relative IRI") {
		t.Fatalf("a credential with an undefined type was signed (%v)", err)
	}
	ok := bytes.Replace(doc, []byte(`,"grade":"A"`), nil, 1)
	signed, err := Sign(ok, priv, "did:web:bank.example#k", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(signed, func(string) (ed25519.PublicKey, error) { return priv.Public().(ed25519.PublicKey), nil }); err != nil {
		t.Fatal(err)
	}
}

// TestLoaderNeverFetches: a context the bank does not embed is an error,
// not a network request.
func TestLoaderNeverFetches(t *testing.T) {
	doc := map[string]any{"@context": []any{ContextVC2, "https://example.org/evil-context"}, "type": "VerifiableCredential"}
	if _, err := NewLoader(nil).Canonicalize(doc); err == nil || !strings.Contains(err.Error(), "not one the bank embeds") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmbeddedContextsMatchProvenance(t *testing.T) {
	prov, err := os.ReadFile(filepath.Join("contexts", "PROVENANCE.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (https://\S+) \| (\S+) \|.*\| ([0-9a-f]{64}) \|$`)
	rows := row.FindAllStringSubmatch(string(prov), -1)
	if len(rows) != len(contextFiles) {
		t.Fatalf("%d provenance rows for %d embedded contexts", len(rows), len(contextFiles))
	}
	for _, r := range rows {
		b, ok := ContextDocument(r[1])
		if !ok || contextFiles[r[1]] != "contexts/"+r[2] {
			t.Fatalf("%s is not embedded as %s", r[1], r[2])
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != r[3] {
			t.Errorf("%s: sha256 %x, provenance says %s", r[2], sum, r[3])
		}
	}
}

func TestBase58RoundTrip(t *testing.T) {
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, ""},
		{[]byte{0}, "1"},
		{[]byte{0, 0, 1}, "112"},
		{[]byte("hello world"), "StV1DL6CwTryKyV"},
		{[]byte{0xff, 0xff}, "LUv"},
	}
	for _, tc := range tests {
		if got := base58Encode(tc.in); got != tc.want {
			t.Errorf("encode %x = %q, want %q", tc.in, got, tc.want)
		}
		back, err := base58Decode(tc.want)
		if err != nil || !bytes.Equal(back, append([]byte{}, tc.in...)) && len(tc.in) > 0 {
			t.Errorf("decode %q = %x, %v", tc.want, back, err)
		}
	}
	if _, err := base58Decode("0OIl"); err == nil {
		t.Error("characters outside the alphabet were accepted")
	}
}

func TestMultikeyRejectsOtherKeys(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(nil)
	mk := EncodeMultikey(pub)
	if !strings.HasPrefix(mk, "z6Mk") {
		t.Fatalf("Ed25519 Multikeys start z6Mk, got %s", mk)
	}
	back, err := DecodeMultikey(mk)
	if err != nil || !back.Equal(pub) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "u" + mk[1:], "z" + base58Encode(append([]byte{0x12, 0x00}, pub...)), "z" + base58Encode(append([]byte{0xed, 0x01}, pub[:31]...))} {
		if _, err := DecodeMultikey(bad); err == nil {
			t.Errorf("%q accepted as an Ed25519 Multikey", bad)
		}
	}
}
