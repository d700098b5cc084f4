package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseJWKSTakesOnlyThumbprintNamedEd25519Keys(t *testing.T) {
	_, keys, store, _ := transcriptFixture(t)
	published, err := json.Marshal(StoredPublicKeys(store.all()).JWKS())
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseJWKS(published)
	if err != nil || len(got) != 1 || got[keys.CurrentKID()] == nil {
		t.Fatalf("round trip of the published set: %v %v", got, err)
	}
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	x := base64.RawURLEncoding.EncodeToString(pub)
	for name, tc := range map[string]struct {
		set  string
		fail string
	}{
		"not JSON":               {`keys`, "not a JWK set"},
		"no keys":                {`{"keys":[]}`, "no Ed25519"},
		"only an RSA key":        {`{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB"}]}`, "no Ed25519"},
		"kid of another key":     {`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `","kid":"` + Thumbprint(other) + `"}]}`, "thumbprint"},
		"x of the wrong size":    {`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"k"}]}`, "not an Ed25519 public key"},
		"an encryption key only": {`{"keys":[{"kty":"OKP","crv":"Ed25519","use":"enc","x":"` + x + `","kid":"` + Thumbprint(pub) + `"}]}`, "no Ed25519"},
	} {
		if _, err := ParseJWKS([]byte(tc.set)); err == nil || !strings.Contains(err.Error(), tc.fail) {
			t.Errorf("%s: %v, want an error about %q", name, err, tc.fail)
		}
	}
}

func TestStatusListVerifiesOnlyWithTheBanksKeysWhileCurrent(t *testing.T) {
	signer, _, store, clock := transcriptFixture(t)
	public := StoredPublicKeys(store.all())
	token, issued, exp, err := signer.SignStatus([]string{"o-1", "o-2"}, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	st, err := VerifyStatus(token, public, clock.Now())
	if err != nil || !st.Revoked["o-1"] || !st.Revoked["o-2"] || st.Revoked["o-3"] || st.Issuer != signer.Issuer() || !st.IssuedAt.Equal(issued) || !st.ExpiresAt.Equal(exp) {
		t.Fatalf("fresh list: %+v %v", st, err)
	}
	otherSigner, _, otherStore, _ := transcriptFixture(t)
	foreign, _, _, _ := otherSigner.SignStatus(nil, time.Hour)
	transcript, _, _ := signer.Sign("acc", json.RawMessage(`{}`), time.Hour)
	parts := strings.Split(token, ".")
	edited := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"revokedOutcomes":[],"iss":"x","iat":1,"exp":9999999999}`)) + "." + parts[2]
	for name, tc := range map[string]struct {
		token string
		keys  PublicKeys
		at    time.Time
	}{
		"another bank's list":      {foreign, public, clock.Now()},
		"our list, other keys":     {token, StoredPublicKeys(otherStore.all()), clock.Now()},
		"edited list":              {edited, public, clock.Now()},
		"a transcript, not a list": {transcript, public, clock.Now()},
		"expired":                  {token, public, exp},
		"garbage":                  {"not-a-list", public, clock.Now()},
	} {
		if _, err := VerifyStatus(tc.token, tc.keys, tc.at); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A status list is no transcript either.
	if res := VerifyTranscriptWith(token, "", public, clock.Now()); res.Valid() {
		t.Error("a status list verified as a transcript")
	}
}
