package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"creditbank/domain"
)

const (
	time1Second = time.Second
	time1Minute = time.Minute
)

var (
	learnerID = uuid.MustParse("0195a1b2-0000-7000-8000-000000000001")
	staffID   = uuid.MustParse("0195a1b2-0000-7000-8000-000000000002")
	instID    = uuid.MustParse("0195a1b2-0000-7000-8000-0000000000aa")
)

func learner() Principal { return Principal{Role: domain.RoleLearner, Subject: learnerID} }

func staff() Principal {
	return Principal{Role: domain.RoleStaff, Subject: staffID, InstitutionID: instID,
		Perms: []domain.Perm{domain.PermIssue, domain.PermReview}}
}

func isUnauthenticated(err error) bool { return errors.Is(err, domain.ErrUnauthenticated) }

func headerKID(t *testing.T, tok string) string {
	t.Helper()
	h := decodeSegment(t, strings.Split(tok, ".")[0])
	kid, _ := h["kid"].(string)
	return kid
}

func decodeSegment(t *testing.T, seg string) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeSegment(t *testing.T, m map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// headerWith is a correct access-token header with the given changes; a nil
// value removes the member.
func headerWith(kv ...any) map[string]any {
	h := map[string]any{"alg": "EdDSA", "typ": "at+jwt"}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(h, kv[i].(string))
		} else {
			h[kv[i].(string)] = kv[i+1]
		}
	}
	return h
}

// validClaims are correct learner claims at the fixture's current time.
func validClaims(f *fixture) map[string]any {
	now := f.clock.Now().Unix()
	return map[string]any{
		"iss": testIssuer, "aud": []string{testAudience}, "sub": learnerID.String(),
		"role": "learner", "perms": []string{},
		"iat": now, "nbf": now, "exp": now + int64(AccessTokenLifetime/time.Second), "jti": "j1",
	}
}

func claimsWith(f *fixture, kv ...any) map[string]any {
	c := validClaims(f)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(c, kv[i].(string))
		} else {
			c[kv[i].(string)] = kv[i+1]
		}
	}
	return c
}

type rawSigner struct {
	method jwt.SigningMethod
	key    any
}

// signRaw signs arbitrary header and claims. With a nil signer it uses the
// key set's real signing key and fills in its kid unless the header names one,
// so a case fails only for the defect it is about.
func signRaw(t *testing.T, f *fixture, header, claims map[string]any, s *rawSigner) string {
	t.Helper()
	if s == nil {
		kid, key, err := f.keys.signingKey()
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := header["kid"]; !ok {
			header["kid"] = kid
		}
		s = &rawSigner{method: jwt.SigningMethodEdDSA, key: key}
	}
	tok := &jwt.Token{Header: header, Claims: jwt.MapClaims(claims), Method: s.method}
	signed, err := tok.SignedString(s.key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return signed
}

func TestIssueAndVerify(t *testing.T) {
	inst2 := uuid.MustParse("0195a1b2-0000-7000-8000-0000000000bb")
	tests := []struct {
		name string
		p    Principal
	}{
		{"learner", learner()},
		{"staff", staff()},
		{"client", Principal{Role: domain.RoleClient, Subject: uuid.New(), InstitutionID: inst2, Perms: []domain.Perm{domain.PermIssue}}},
		{"admin", Principal{Role: domain.RoleAdmin, Subject: uuid.New()}},
		{"a later session generation", Principal{Role: domain.RoleLearner, Subject: learnerID, Gen: 7}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tok, expiresIn, err := f.svc.Issue(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if expiresIn != 900 {
				t.Fatalf("expiresIn = %d, want 900", expiresIn)
			}
			h := decodeSegment(t, strings.Split(tok, ".")[0])
			if h["typ"] != "at+jwt" || h["alg"] != "EdDSA" || h["kid"] != f.keys.CurrentKID() {
				t.Fatalf("header = %v", h)
			}
			c := decodeSegment(t, strings.Split(tok, ".")[1])
			if _, has := c["inst"]; has != (tc.p.InstitutionID != uuid.Nil) {
				t.Fatalf("inst claim presence wrong: %v", c)
			}
			for _, k := range []string{"iss", "aud", "sub", "role", "perms", "iat", "nbf", "exp", "jti"} {
				if _, ok := c[k]; !ok {
					t.Fatalf("claim %s missing: %v", k, c)
				}
			}
			got, err := f.svc.Verify(tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if got.Role != tc.p.Role || got.Subject != tc.p.Subject || got.InstitutionID != tc.p.InstitutionID ||
				!slices.Equal(got.Perms, tc.p.Perms) || got.Gen != tc.p.Gen {
				t.Fatalf("principal = %+v, want %+v", got, tc.p)
			}
			if got.TokenID == "" || !got.ExpiresAt.Equal(f.clock.Now().Add(AccessTokenLifetime)) {
				t.Fatalf("jti %q exp %v", got.TokenID, got.ExpiresAt)
			}
		})
	}
}

func TestTokenIDsAreUnique(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		p, err := f.svc.Verify(f.issue(t, learner()))
		if err != nil {
			t.Fatal(err)
		}
		if seen[p.TokenID] {
			t.Fatal("duplicate jti")
		}
		seen[p.TokenID] = true
	}
}

func TestVerifyWithinLeeway(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		ok      bool
	}{
		{"just before exp", AccessTokenLifetime - time1Second, true},
		{"after exp within leeway", AccessTokenLifetime + Leeway - time1Second, true},
		{"after exp beyond leeway", AccessTokenLifetime + Leeway + time1Second, false},
	}
	// Verified once already (the cached path) or first seen late.
	for _, cached := range []bool{false, true} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%s/cached=%v", tc.name, cached), func(t *testing.T) {
				f := newFixture(t)
				tok := f.issue(t, learner())
				if cached {
					if _, err := f.svc.Verify(tok); err != nil {
						t.Fatalf("fresh token rejected: %v", err)
					}
				}
				f.clock.Advance(tc.advance)
				_, err := f.svc.Verify(tok)
				if tc.ok && err != nil {
					t.Fatalf("rejected: %v", err)
				}
				if !tc.ok && !isUnauthenticated(err) {
					t.Fatalf("err = %v, want ErrUnauthenticated", err)
				}
			})
		}
	}
}

func TestIssueRefusesInconsistentPrincipals(t *testing.T) {
	f := newFixture(t)
	for name, p := range map[string]Principal{
		"staff without institution":  {Role: domain.RoleStaff, Subject: staffID},
		"client without institution": {Role: domain.RoleClient, Subject: staffID},
		"learner with institution":   {Role: domain.RoleLearner, Subject: learnerID, InstitutionID: instID},
		"unknown role":               {Role: "root", Subject: staffID},
		"no subject":                 {Role: domain.RoleAdmin},
		"unknown perm":               {Role: domain.RoleStaff, Subject: staffID, InstitutionID: instID, Perms: []domain.Perm{"sudo"}},
	} {
		if tok, _, err := f.svc.Issue(p); err == nil {
			t.Errorf("%s: issued %s", name, tok)
		}
	}
}

// Every forged or malformed token must fail with ErrUnauthenticated.
func TestForgedTokensAreRejected(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		build func(t *testing.T, f *fixture) string
	}{
		{"alg none", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("alg", "none", "kid", f.keys.CurrentKID()), validClaims(f),
				&rawSigner{jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType})
		}},
		{"HS256 with public key bytes as secret", func(t *testing.T, f *fixture) string {
			pub, _ := f.keys.publicKey(f.keys.CurrentKID())
			return signRaw(t, f, headerWith("alg", "HS256", "kid", f.keys.CurrentKID()), validClaims(f),
				&rawSigner{jwt.SigningMethodHS256, []byte(pub)})
		}},
		{"HS256 with the JWKS x value as secret", func(t *testing.T, f *fixture) string {
			x := decodeJWKS(t, f.keys).Keys[0].X
			return signRaw(t, f, headerWith("alg", "HS256", "kid", f.keys.CurrentKID()), validClaims(f),
				&rawSigner{jwt.SigningMethodHS256, []byte(x)})
		}},
		{"RS256", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("alg", "RS256", "kid", f.keys.CurrentKID()), validClaims(f),
				&rawSigner{jwt.SigningMethodRS256, rsaKey})
		}},
		{"wrong iss", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "iss", "https://evil.example"), nil)
		}},
		{"no iss", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "iss", nil), nil)
		}},
		{"wrong aud", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "aud", []string{"other-api"}), nil)
		}},
		{"no aud", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "aud", nil), nil)
		}},
		{"no exp", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "exp", nil), nil)
		}},
		{"expired beyond leeway", func(t *testing.T, f *fixture) string {
			tok := f.issue(t, learner())
			f.clock.Advance(AccessTokenLifetime + Leeway + time1Second)
			return tok
		}},
		{"nbf in the future", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "nbf", f.clock.Now().Add(5*time.Minute).Unix()), nil)
		}},
		{"no nbf", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "nbf", nil), nil)
		}},
		{"iat missing", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "iat", nil), nil)
		}},
		{"iat in the future", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "iat", f.clock.Now().Add(5*time.Minute).Unix()), nil)
		}},
		{"lifetime longer than ours", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "exp", f.clock.Now().Add(24*time.Hour).Unix()), nil)
		}},
		{"typ missing", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("typ", nil), validClaims(f), nil)
		}},
		{"typ JWT", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("typ", "JWT"), validClaims(f), nil)
		}},
		{"typ in other case", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("typ", "AT+JWT"), validClaims(f), nil)
		}},
		{"typ application/at+jwt", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("typ", "application/at+jwt"), validClaims(f), nil)
		}},
		{"crit header", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("crit", []string{"exp"}), validClaims(f), nil)
		}},
		{"refresh token as access token", func(t *testing.T, f *fixture) string {
			tok, _ := NewRefreshToken()
			return tok
		}},
		{"refresh token hash as access token", func(t *testing.T, f *fixture) string {
			_, h := NewRefreshToken()
			return h
		}},
		{"unknown kid", func(t *testing.T, f *fixture) string {
			pub, _, _ := ed25519.GenerateKey(nil)
			return signRaw(t, f, headerWith("kid", Thumbprint(pub)), validClaims(f), nil)
		}},
		{"kid path traversal", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", "../../etc/passwd"), validClaims(f), nil)
		}},
		{"kid with slash", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", f.keys.CurrentKID()+"/x"), validClaims(f), nil)
		}},
		{"kid with NUL", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", f.keys.CurrentKID()+"\x00"), validClaims(f), nil)
		}},
		{"kid URL", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", "http://169.254.169.254/latest"), validClaims(f), nil)
		}},
		{"kid SQL", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", "x' OR '1'='1"), validClaims(f), nil)
		}},
		{"kid too long", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", strings.Repeat("a", 65)), validClaims(f), nil)
		}},
		{"kid empty", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", ""), validClaims(f), nil)
		}},
		{"kid not a string", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith("kid", 1), validClaims(f), nil)
		}},
		{"payload tampered to admin, original signature", func(t *testing.T, f *fixture) string {
			parts := strings.Split(f.issue(t, learner()), ".")
			c := decodeSegment(t, parts[1])
			c["role"] = "admin"
			return parts[0] + "." + encodeSegment(t, c) + "." + parts[2]
		}},
		{"header tampered, original signature", func(t *testing.T, f *fixture) string {
			parts := strings.Split(f.issue(t, learner()), ".")
			h := decodeSegment(t, parts[0])
			h["x"] = "y"
			return encodeSegment(t, h) + "." + parts[1] + "." + parts[2]
		}},
		{"signature stripped", func(t *testing.T, f *fixture) string {
			parts := strings.Split(f.issue(t, learner()), ".")
			return parts[0] + "." + parts[1] + "."
		}},
		{"signature non-canonical base64", func(t *testing.T, f *fixture) string {
			tok := f.issue(t, learner())
			const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
			last := strings.IndexByte(alpha, tok[len(tok)-1])
			// The final character of a 64-byte signature carries unused low
			// bits; flipping one keeps the bytes but changes the encoding.
			return tok[:len(tok)-1] + string(alpha[last^1])
		}},
		{"signed by another Ed25519 key with a valid kid", func(t *testing.T, f *fixture) string {
			_, other, _ := ed25519.GenerateKey(nil)
			return signRaw(t, f, headerWith("kid", f.keys.CurrentKID()), validClaims(f),
				&rawSigner{jwt.SigningMethodEdDSA, other})
		}},
		{"staff without institution", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "role", "staff", "perms", []string{"issue"}), nil)
		}},
		{"unknown role", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "role", "superuser"), nil)
		}},
		{"no role", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "role", nil), nil)
		}},
		{"unknown perm", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "role", "staff", "inst", instID.String(), "perms", []string{"root"}), nil)
		}},
		{"learner with institution", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "inst", instID.String()), nil)
		}},
		{"institution not a uuid", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "role", "staff", "inst", "inst-a"), nil)
		}},
		{"subject not a uuid", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "sub", "admin"), nil)
		}},
		{"role of the wrong type", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "role", []string{"admin"}), nil)
		}},
		{"oversized but otherwise valid", func(t *testing.T, f *fixture) string {
			return signRaw(t, f, headerWith(), claimsWith(f, "pad", strings.Repeat("p", maxTokenLen)), nil)
		}},
		{"100 000 dots", func(t *testing.T, f *fixture) string { return strings.Repeat(".", 100_000) }},
		{"four segments", func(t *testing.T, f *fixture) string { return f.issue(t, learner()) + ".x" }},
		{"empty string", func(t *testing.T, f *fixture) string { return "" }},
		{"garbage", func(t *testing.T, f *fixture) string { return "not a token at all" }},
		{"garbage with dots", func(t *testing.T, f *fixture) string { return "a.b.c" }},
		{"only dots", func(t *testing.T, f *fixture) string { return ".." }},
		{"bearer prefix left on", func(t *testing.T, f *fixture) string { return "Bearer " + f.issue(t, learner()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tok := tc.build(t, f)
			p, err := f.svc.Verify(tok)
			if !isUnauthenticated(err) {
				t.Fatalf("Verify = %+v, %v; want ErrUnauthenticated", p, err)
			}
			t.Log(err)
			if p.Role != "" || p.Subject != uuid.Nil || p.TokenID != "" {
				t.Fatalf("a principal leaked out of a failed verification: %+v", p)
			}
			if len(tok) > 8 && strings.Contains(err.Error(), tok) {
				t.Fatal("error echoes the token")
			}
		})
	}
}

// The dot-stuffed token is refused before parsing, so the memory it costs
// does not grow with its size. Bytes allocated are measured (deterministic,
// unlike time); the bound is far below any token's size, and loose enough
// for the race detector's own bookkeeping.
func TestHugeTokenIsRefusedWithBoundedMemory(t *testing.T) {
	f := newFixture(t)
	for _, tok := range []string{strings.Repeat(".", 100_000), strings.Repeat("a", 1<<20), strings.Repeat("a.", 50_000)} {
		const runs = 20
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := 0; i < runs; i++ {
			if _, err := f.svc.Verify(tok); !isUnauthenticated(err) {
				t.Fatalf("accepted: %v", err)
			}
		}
		runtime.ReadMemStats(&after)
		if perRun := (after.TotalAlloc - before.TotalAlloc) / runs; perRun > 4096 {
			t.Fatalf("rejecting a %d-byte token allocated %d bytes", len(tok), perRun)
		}
	}
}

// The forged-token cases change one thing each from this baseline, which must
// verify; otherwise they could all be failing for a reason of their own.
func TestHandBuiltBaselineVerifies(t *testing.T) {
	f := newFixture(t)
	p, err := f.svc.Verify(signRaw(t, f, headerWith(), validClaims(f), nil))
	if err != nil {
		t.Fatalf("baseline rejected: %v", err)
	}
	if p.Role != domain.RoleLearner || p.Subject != learnerID || p.TokenID != "j1" {
		t.Fatalf("principal = %+v", p)
	}
	staffClaims := claimsWith(f, "role", "staff", "inst", instID.String(), "perms", []string{"review"}, "aud", testAudience)
	p, err = f.svc.Verify(signRaw(t, f, headerWith(), staffClaims, nil))
	if err != nil || p.InstitutionID != instID || !slices.Equal(p.Perms, []domain.Perm{domain.PermReview}) {
		t.Fatalf("staff baseline = %+v, %v", p, err)
	}
}
