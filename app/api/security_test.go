package api_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
)

// serverKey unseals the server's current signing key from the store, so
// that tests can sign tokens that are correct in every respect but one. The
// purpose string is the one auth uses to seal signing keys.
func serverKey(t *testing.T, e *env) (string, ed25519.PrivateKey) {
	t.Helper()
	all, err := e.store.ListSigningKeys(context.Background())
	var keys []storage.SigningKey
	for _, k := range all {
		if k.Use == storage.KeyUseAccess { // credential keys sign no tokens
			keys = append(keys, k)
		}
	}
	if err != nil || len(keys) == 0 {
		t.Fatalf("signing keys: %v (%d)", err, len(keys))
	}
	k := keys[len(keys)-1]
	enc, err := e.vault.Open("signing-key", k.PrivateSealed)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	return k.KID, ed25519.NewKeyFromSeed(seed)
}

// sign makes a JWT with any header and claims, signed by key with method.
func sign(t *testing.T, method jwt.SigningMethod, header map[string]any, claims jwt.MapClaims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func segment(v any) string {
	raw, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func TestForgedTokensAreRejected(t *testing.T) {
	e := newEnv(t)
	adminTok := e.adminToken()
	adminID := e.must(200, req{method: "GET", path: "/api/v1/me", token: adminTok})["userId"].(string)
	kid, priv := serverKey(t, e)
	pub := priv.Public().(ed25519.PublicKey)
	now := time.Now()
	claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{
			"iss": testIssuer, "aud": []string{testAudience}, "sub": adminID, "role": "admin", "perms": []string{},
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": uuid.NewString(),
		}
		if change != nil {
			change(c)
		}
		return c
	}
	header := map[string]any{"typ": "at+jwt", "kid": kid}
	ed := func(change func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodEdDSA, header, claims(change), priv)
	}

	// The control proves the forging works, so every refusal below is about
	// the one thing each token gets wrong.
	e.must(200, req{method: "GET", path: "/api/v1/audit", token: ed(nil)})

	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	valid := ed(nil)
	parts := strings.Split(valid, ".")
	refresh := e.must(200, req{method: "POST", path: "/api/v1/auth/login",
		body: map[string]string{"username": "admin", "password": adminPassword}})["refreshToken"].(string)

	cases := []struct{ name, header string }{
		{"alg none", "Bearer " + segment(map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + "."},
		{"alg none keeping the signature", "Bearer " + segment(map[string]any{"alg": "none", "typ": "at+jwt", "kid": kid}) + "." + parts[1] + "." + parts[2]},
		{"HS256 keyed with the public key", "Bearer " + sign(t, jwt.SigningMethodHS256, header, claims(nil), []byte(pub))},
		{"wrong issuer", "Bearer " + ed(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })},
		{"wrong audience", "Bearer " + ed(func(c jwt.MapClaims) { c["aud"] = []string{"another-service"} })},
		{"no exp", "Bearer " + ed(func(c jwt.MapClaims) { delete(c, "exp") })},
		{"expired beyond the leeway", "Bearer " + ed(func(c jwt.MapClaims) {
			c["iat"], c["nbf"], c["exp"] = now.Add(-20*time.Minute).Unix(), now.Add(-20*time.Minute).Unix(), now.Add(-5*time.Minute).Unix()
		})},
		{"nbf in the future", "Bearer " + ed(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() })},
		{"lifetime longer than an access token's", "Bearer " + ed(func(c jwt.MapClaims) { c["exp"] = now.Add(24 * time.Hour).Unix() })},
		{"typ JWT", "Bearer " + sign(t, jwt.SigningMethodEdDSA, map[string]any{"typ": "JWT", "kid": kid}, claims(nil), priv)},
		{"unknown kid", "Bearer " + sign(t, jwt.SigningMethodEdDSA, map[string]any{"typ": "at+jwt", "kid": auth.Thumbprint(otherKey.Public().(ed25519.PublicKey))}, claims(nil), otherKey)},
		{"kid with path characters", "Bearer " + sign(t, jwt.SigningMethodEdDSA, map[string]any{"typ": "at+jwt", "kid": "../../../etc/passwd"}, claims(nil), priv)},
		{"signed by another key under our kid", "Bearer " + sign(t, jwt.SigningMethodEdDSA, header, claims(nil), otherKey)},
		{"payload swapped under a valid signature", "Bearer " + parts[0] + "." + segment(claims(func(c jwt.MapClaims) { c["sub"] = uuid.NewString() })) + "." + parts[2]},
		{"unknown role", "Bearer " + ed(func(c jwt.MapClaims) { c["role"] = "superuser" })},
		{"admin carrying institution claims", "Bearer " + ed(func(c jwt.MapClaims) { c["inst"] = uuid.NewString() })},
		{"refresh token as access token", "Bearer " + refresh},
		{"4 000 dots", "Bearer " + strings.Repeat(".", 4000)},
		{"not a bearer token", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:"+adminPassword))},
		{"empty bearer", "Bearer "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(req{method: "GET", path: "/api/v1/audit", headers: map[string]string{"Authorization": tc.header}})
			if res.status != 401 || res.errorCode(t) != "unauthenticated" {
				t.Fatalf("status %d: %s", res.status, clip(res.body))
			}
			if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", res.header.Get("WWW-Authenticate"))
			}
			if tok := strings.TrimPrefix(tc.header, "Bearer "); len(tok) > 20 && strings.Contains(string(res.body), tok[len(tok)-20:]) {
				t.Errorf("the error echoes the token")
			}
		})
	}
}

// A header far beyond any real token is refused by the HTTP server before
// it is buffered: fasthttp reads headers into a fixed 4 KiB buffer and
// answers 431, so the cost of the attack is bounded by that buffer.
func TestHugeAuthorizationHeaderIsRefusedEarly(t *testing.T) {
	e := newEnv(t)
	addr := listen(t, e)
	status, body := rawRequest(t, addr, "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+strings.Repeat(".", 100_000)+"\r\n\r\n")
	if status != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(body, `"code":"headers_too_large"`) {
		t.Fatalf("100 000-dot token: %d %s", status, body)
	}
	// The server is still answering.
	if res := e.do(req{method: "GET", path: "/healthz"}); res.status != 200 {
		t.Fatalf("healthz after the attack: %d", res.status)
	}
}

// listen serves the app on a loopback port for tests that need real HTTP
// (limits enforced while reading the request).
func listen(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.Shutdown() })
	return ln.Addr().String()
}

// rawRequest writes a request head by hand (so that a huge body can be
// announced without being sent) and reads the answer. The write runs on its
// own because the server may answer and close before it has read it all.
func rawRequest(t *testing.T, addr, head string) (int, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() { _, _ = io.WriteString(c, head) }()
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestTokensOfVanishedOrSuspendedPrincipals(t *testing.T) {
	e := newEnv(t)
	adminTok := e.adminToken()
	a := e.createInstitution(adminTok, "甲学院", []string{"issue"}, []string{"community"})
	b := e.createInstitution(adminTok, "乙学院", []string{"issue"}, []string{"community"})
	manager := e.createStaff(adminTok, a.id, "a.manager", "manage")
	clerk := e.createStaff(adminTok, a.id, "a.clerk", "issue")
	bClerk := e.createStaff(adminTok, b.id, "b.clerk", "issue")
	userID := func(tok string) string {
		return e.must(200, req{method: "GET", path: "/api/v1/me", token: tok})["userId"].(string)
	}
	clerkID, bClerkID := userID(clerk), userID(bClerk)
	login := func(username string) req {
		return req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": username, "password": "staff-password-1"}}
	}
	clerkRefresh := e.must(200, login("a.clerk"))["refreshToken"].(string)
	status := func(inst, user, to string) req {
		return req{method: "POST", path: "/api/v1/institutions/" + inst + "/staff/" + user + "/status", body: map[string]string{"status": to}}
	}
	as := func(r req, tok string) req { r.token = tok; return r }

	t.Run("principal that no longer exists", func(t *testing.T) {
		for _, p := range []auth.Principal{
			{Role: domain.RoleStaff, Subject: uuid.New(), InstitutionID: uuid.MustParse(a.id), Perms: []domain.Perm{domain.PermIssue}},
			{Role: domain.RoleLearner, Subject: uuid.New()},
			{Role: domain.RoleAdmin, Subject: uuid.New()},
			{Role: domain.RoleClient, Subject: uuid.New(), InstitutionID: uuid.MustParse(a.id)},
		} {
			tok, _, err := e.tokens.Issue(p)
			if err != nil {
				t.Fatal(err)
			}
			if res := e.do(req{method: "GET", path: "/api/v1/me", token: tok}); res.status != 401 {
				t.Errorf("%s with a correctly signed token for a missing subject: %d", p.Role, res.status)
			}
		}
	})

	t.Run("suspended staff member", func(t *testing.T) {
		// A manager cannot reach another institution's staff by either path.
		e.must(404, as(status(a.id, bClerkID, "suspended"), manager))
		e.must(403, as(status(b.id, bClerkID, "suspended"), manager))
		e.must(403, as(status(a.id, clerkID, "suspended"), clerk))
		if m := e.must(200, as(status(a.id, clerkID, "suspended"), manager)); m["status"] != "suspended" {
			t.Fatalf("suspend = %v", m)
		}
		e.must(401, req{method: "GET", path: "/api/v1/me", token: clerk})
		e.must(401, req{method: "POST", path: "/api/v1/outcomes", token: clerk, body: outcomeBody(nid(t, 40), "钱进", "x", 16)})
		e.must(401, login("a.clerk"))
		e.must(401, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": clerkRefresh}})
		e.must(200, req{method: "GET", path: "/api/v1/me", token: bClerk})
		e.must(200, as(status(a.id, clerkID, "active"), adminTok))
		e.must(200, req{method: "GET", path: "/api/v1/me", token: e.login("a.clerk", "staff-password-1")})
	})

	t.Run("suspended institution", func(t *testing.T) {
		client := e.must(200, req{method: "POST", path: "/api/v1/auth/token",
			body: map[string]string{"clientId": b.clientID, "clientSecret": b.clientSecret}})["accessToken"].(string)
		e.must(200, req{method: "POST", path: "/api/v1/institutions/" + b.id + "/status", token: adminTok, body: map[string]string{"status": "suspended"}})
		e.must(401, req{method: "GET", path: "/api/v1/me", token: bClerk})
		e.must(401, req{method: "GET", path: "/api/v1/me", token: client})
		e.must(401, login("b.clerk"))
		e.must(401, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": b.clientID, "clientSecret": b.clientSecret}})
		e.must(200, req{method: "GET", path: "/api/v1/me", token: manager})
	})
}
