package vc

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSignVector signs the W3C vector credential: canonicalising the
// document and the proof configuration dominates.
func BenchmarkSignVector(b *testing.B) {
	ex, _ := os.ReadFile(filepath.Join("testdata", "credentials-examples-v2.jsonld"))
	l := NewLoader(map[string][]byte{examplesContext: ex})
	doc, _ := os.ReadFile(filepath.Join("testdata", "eddsa-rdfc-2022", "unsigned.json"))
	_, priv, _ := ed25519.GenerateKey(nil)
	for b.Loop() {
		if _, err := l.Sign(doc, priv, "did:web:bank.example#k", time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
