package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func transcriptFixture(t *testing.T) (*TranscriptSigner, *KeySet, *memKeyStore, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	vault, err := NewVault(testMasterKey(7))
	if err != nil {
		t.Fatal(err)
	}
	store := newMemKeyStore()
	keys, err := LoadKeySet(context.Background(), store, vault, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return NewTranscriptSigner("https://bank.example", keys, clock.Now), keys, store, clock
}

func checkNamed(r TranscriptResult, name string) (TranscriptCheck, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return TranscriptCheck{}, false
}

func TestTranscriptVerifiesAcrossKeyRotationAndExpires(t *testing.T) {
	signer, keys, store, clock := transcriptFixture(t)
	vc := json.RawMessage(`{"credentialSubject":{"name":"王秀兰"}}`)
	token, exp, err := signer.Sign("acc-1", vc, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	res := VerifyTranscript(token, "https://bank.example", store.all(), clock.Now())
	if !res.Valid() || res.Subject != "acc-1" || string(res.VC) != string(vc) || !res.ExpiresAt.Equal(exp) {
		t.Fatalf("fresh transcript: %+v", res)
	}
	// Rotate and move past the retired key's access-token retention: access
	// tokens signed with it are dead, transcripts are not.
	if err := keys.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * 24 * time.Hour)
	if res := VerifyTranscript(token, "https://bank.example", store.all(), clock.Now()); !res.Valid() {
		t.Fatalf("after rotation: %+v", res.Checks)
	}
	clock.Advance(21 * 24 * time.Hour)
	res = VerifyTranscript(token, "https://bank.example", store.all(), clock.Now())
	if c, _ := checkNamed(res, "expiry"); res.Valid() || c.OK {
		t.Fatalf("expired transcript: %+v", res.Checks)
	}
}

func TestTranscriptForgeriesFail(t *testing.T) {
	signer, _, store, clock := transcriptFixture(t)
	token, _, err := signer.Sign("acc-1", json.RawMessage(`{"credits":2}`), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"credits":2`, `"credits":60`, 1))) + "." + parts[2]

	otherSigner, _, _, _ := transcriptFixture(t) // another bank's keys
	foreign, _, _ := otherSigner.Sign("acc-1", json.RawMessage(`{}`), time.Hour)

	accessService := NewTokenService("https://bank.example", "creditbank", signer.keys, clock.Now)
	access, _, err := accessService.Issue(Principal{Role: "admin", Subject: [16]byte{1}})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		token, issuer, failing string
	}{
		"edited payload":     {forged, "https://bank.example", "signature"},
		"another bank's key": {foreign, "https://bank.example", "signature"},
		"access token":       {access, "https://bank.example", "signature"},
		"wrong issuer":       {token, "https://other.example", "issuer"},
		"not a JWT":          {"hello", "https://bank.example", "format"},
		"dots only":          {strings.Repeat(".", 100000), "https://bank.example", "format"},
		"signature stripped": {parts[0] + "." + parts[1] + ".", "https://bank.example", "signature"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := VerifyTranscript(tc.token, tc.issuer, store.all(), clock.Now())
			c, ok := checkNamed(res, tc.failing)
			if res.Valid() || !ok || c.OK {
				t.Fatalf("want failing %s check, got %+v", tc.failing, res.Checks)
			}
			if tc.failing == "signature" && res.VC != nil {
				t.Error("content of an unverified transcript must not be returned")
			}
		})
	}
}
