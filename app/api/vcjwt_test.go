package api_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// jwkKeys reads the JsonWebKey methods of the served DID document, as a
// verifier dereferencing a kid would.
func jwkKeys(t *testing.T, e *env) map[string]*ecdsa.PublicKey {
	t.Helper()
	var doc struct {
		VerificationMethod []struct {
			ID, Type     string
			PublicKeyJwk *struct{ Kty, Crv, X, Y string }
		}
		AssertionMethod []string
	}
	if err := json.Unmarshal(e.do(req{method: "GET", path: "/.well-known/did.json"}).body, &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]*ecdsa.PublicKey{}
	for _, m := range doc.VerificationMethod {
		if m.Type != "JsonWebKey" || m.PublicKeyJwk == nil || m.PublicKeyJwk.Crv != "P-256" {
			continue
		}
		x, _ := base64.RawURLEncoding.DecodeString(m.PublicKeyJwk.X)
		y, _ := base64.RawURLEncoding.DecodeString(m.PublicKeyJwk.Y)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			t.Fatal(err)
		}
		keys[m.ID] = pub
	}
	return keys
}

// TestVCJWTFollowsTheOB3JWTProofFormat: golang-jwt, not the code that
// signs, verifies each VC-JWT with the key its kid names in the DID
// document, and its claims are the credential's own.
func TestVCJWTFollowsTheOB3JWTProofFormat(t *testing.T) {
	d := newDistrict(t)
	d.deposit("插花", 32)
	body := outcomeBody(d.nationalID, "林静", "育婴员", 40)
	expires := time.Now().AddDate(2, 0, 0).Format("2006-01-02")
	body["expiresOn"] = expires
	d.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: body})
	out := d.e.must(200, req{method: "GET", path: "/api/v1/learners/me/transcript?format=clr", token: d.learner})
	keys := jwkKeys(t, d.e)
	tokens := []string{out["transcript"].(string)}
	for _, a := range out["achievements"].([]any) {
		tokens = append(tokens, a.(string))
	}
	if len(tokens) != 3 {
		t.Fatalf("%d tokens", len(tokens))
	}
	expiring := 0
	for _, tok := range tokens {
		claims := jwt.MapClaims{}
		parsed, err := jwt.ParseWithClaims(tok, claims, func(tk *jwt.Token) (any, error) {
			kid, _ := tk.Header["kid"].(string)
			if !strings.HasPrefix(kid, testDID+"#") {
				t.Errorf("kid %q is not a DID URL of the issuer", kid)
			}
			return keys[kid], nil
		}, jwt.WithValidMethods([]string{"ES256"}))
		if err != nil || !parsed.Valid {
			t.Fatalf("golang-jwt rejects the VC-JWT: %v", err)
		}
		if parsed.Header["typ"] != "JWT" {
			t.Errorf("typ %v", parsed.Header["typ"])
		}
		if _, has := claims["vc"]; has {
			t.Error("credential wrapped in a vc claim")
		}
		subj := claims["credentialSubject"].(map[string]any)
		from, _ := time.Parse(time.RFC3339, claims["validFrom"].(string))
		if claims["jti"] != claims["id"] || claims["sub"] != subj["id"] || claims["iss"] != claims["issuer"].(map[string]any)["id"] ||
			claims["iss"] != testDID || int64(claims["nbf"].(float64)) != from.Unix() {
			t.Errorf("claims disagree with the credential: jti=%v id=%v sub=%v iss=%v nbf=%v validFrom=%v",
				claims["jti"], claims["id"], claims["sub"], claims["iss"], claims["nbf"], claims["validFrom"])
		}
		if until, ok := claims["validUntil"].(string); ok {
			expiring++
			u, _ := time.Parse(time.RFC3339, until)
			if exp, _ := claims.GetExpirationTime(); exp == nil || !exp.Time.Equal(u) {
				t.Errorf("exp %v, validUntil %v", exp, until)
			}
		} else if _, has := claims["exp"]; has {
			t.Error("exp without validUntil")
		}
		// A credential never passes as an access token.
		if _, err := d.e.tokens.Verify(tok); err == nil {
			t.Error("a VC-JWT was accepted as an access token")
		}
		// The bank's /verify takes it.
		if v := d.e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": tok}}); v["valid"] != true {
			t.Errorf("/verify: %v", v)
		}
	}
	if expiring != 1 {
		t.Errorf("%d credentials with validUntil, want the expiring outcome's only", expiring)
	}
	// Altered payload: golang-jwt and /verify both refuse it.
	parts := strings.Split(tokens[1], ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"creditsEarned":2`, `"creditsEarned":9`, 1))) + "." + parts[2]
	if forged == tokens[1] {
		t.Fatal("nothing altered")
	}
	if _, err := jwt.Parse(forged, func(tk *jwt.Token) (any, error) { return keys[tk.Header["kid"].(string)], nil }, jwt.WithValidMethods([]string{"ES256"})); err == nil {
		t.Error("golang-jwt accepted an altered VC-JWT")
	}
	if v := d.e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": forged}}); v["valid"] != false {
		t.Errorf("/verify accepted an altered VC-JWT: %v", v)
	}
	// An access token is not a credential.
	if v := d.e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": d.learner}}); v["valid"] != false {
		t.Errorf("/verify accepted an access token: %v", v)
	}
}
