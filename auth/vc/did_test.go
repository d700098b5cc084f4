package vc

import "testing"

func TestDIDWeb(t *testing.T) {
	tests := []struct {
		base, did, url string
	}{
		{"https://credits.example.gov.cn", "did:web:credits.example.gov.cn", "https://credits.example.gov.cn/.well-known/did.json"},
		{"https://Credits.Example.gov.cn/", "did:web:credits.example.gov.cn", "https://credits.example.gov.cn/.well-known/did.json"},
		{"http://127.0.0.1:8080", "did:web:127.0.0.1%3A8080", "https://127.0.0.1:8080/.well-known/did.json"},
		{"https://bank.example:8443/creditbank", "did:web:bank.example%3A8443", "https://bank.example:8443/.well-known/did.json"},
	}
	for _, tc := range tests {
		did, err := DIDWeb(tc.base)
		if err != nil || did != tc.did {
			t.Errorf("DIDWeb(%q) = %q, %v; want %q", tc.base, did, err, tc.did)
			continue
		}
		if u, err := DIDWebURL(did); err != nil || u != tc.url {
			t.Errorf("DIDWebURL(%q) = %q, %v; want %q", did, u, err, tc.url)
		}
	}
	for _, bad := range []string{"", "bank.example", "ftp://bank.example", "https://"} {
		if did, err := DIDWeb(bad); err == nil {
			t.Errorf("DIDWeb(%q) = %q, want an error", bad, did)
		}
	}
}

func TestDIDDocumentMethodMustAssert(t *testing.T) {
	doc := NewDIDDocument("did:web:b", []VerificationMethod{{ID: "did:web:b#k1", Type: "Multikey", Controller: "did:web:b", PublicKeyMultibase: "z6Mk"}})
	if _, ok := doc.Method("did:web:b#k1"); !ok {
		t.Fatal("listed key not found")
	}
	doc.AssertionMethod = nil
	if _, ok := doc.Method("did:web:b#k1"); ok {
		t.Fatal("a key not listed under assertionMethod was accepted for credentials")
	}
}
