package api_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"creditbank/app/api"
	"creditbank/domain"
)

// app.Test connects from 0.0.0.0; trusting it lets a test speak as many
// clients through X-Forwarded-For.
const testPeer = "0.0.0.0"

func loginAs(username, password, ip string) req {
	r := req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": username, "password": password}}
	if ip != "" {
		r.headers = map[string]string{"X-Forwarded-For": ip}
	}
	return r
}

func retryAfter(t *testing.T, res response) int {
	t.Helper()
	if res.status != 429 || res.errorCode(t) != "rate_limited" {
		t.Fatalf("want 429 rate_limited, got %d: %s", res.status, clip(res.body))
	}
	n, err := strconv.Atoi(res.header.Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("Retry-After = %q", res.header.Get("Retry-After"))
	}
	return n
}

func TestLoginRateLimitedPerIPAndPerUsername(t *testing.T) {
	clock := newFakeClock()
	e, _ := newTunedEnv(t, func(c *api.Config) {
		c.LoginBurst, c.LoginRate, c.Now, c.TrustedProxies = 3, 1.0/60, clock.Now, []string{testPeer}
	})

	t.Run("per username, across addresses", func(t *testing.T) {
		// Over all addresses a username's bucket is ten times deeper than
		// one address's (burst 3 here).
		for i := 1; i <= 30; i++ {
			e.must(401, loginAs("victim", "guess-"+itoa(i), "10.0.0."+itoa(i)))
		}
		if n := retryAfter(t, e.do(loginAs("victim", "guess-31", "10.0.0.31"))); n > 60 {
			t.Errorf("Retry-After %d, want at most a minute for one token", n)
		}
		// The address itself is not punished for another user's bucket.
		e.must(200, loginAs("admin", adminPassword, "10.0.0.31"))
	})

	t.Run("per address, across usernames", func(t *testing.T) {
		for i := 1; i <= 3; i++ {
			e.must(401, loginAs("user"+itoa(i), "whatever-pass", "10.0.1.1"))
		}
		retryAfter(t, e.do(loginAs("admin", adminPassword, "10.0.1.1")))
		clock.Advance(61 * time.Second)
		e.must(200, loginAs("admin", adminPassword, "10.0.1.1"))
	})

	t.Run("client credentials and refresh too", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			e.must(401, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": "c", "clientSecret": "s"},
				headers: map[string]string{"X-Forwarded-For": "10.0.2.1"}})
		}
		retryAfter(t, e.do(req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": "c", "clientSecret": "s"},
			headers: map[string]string{"X-Forwarded-For": "10.0.2.1"}}))
		for i := 0; i < 3; i++ {
			e.must(401, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": "nope"},
				headers: map[string]string{"X-Forwarded-For": "10.0.3.1"}})
		}
		retryAfter(t, e.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": "nope"},
			headers: map[string]string{"X-Forwarded-For": "10.0.3.1"}}))
	})
}

func TestRepeatedFailuresBackOffExponentially(t *testing.T) {
	clock := newFakeClock()
	e, _ := newTunedEnv(t, func(c *api.Config) { c.Now = clock.Now })
	// Five free failures, then each failure doubles the wait: 1 s, 2 s, 4 s.
	for i := 0; i < 5; i++ {
		e.must(401, loginAs("admin", "wrong-password", ""))
	}
	e.must(401, loginAs("admin", "wrong-password", ""))
	for _, wait := range []int{1, 2, 4} {
		// Even the right password waits: the attacker cannot tell a hit.
		if got := retryAfter(t, e.do(loginAs("admin", adminPassword, ""))); got != wait {
			t.Fatalf("Retry-After %d, want %d", got, wait)
		}
		clock.Advance(time.Duration(wait) * time.Second)
		e.must(401, loginAs("admin", "wrong-password", ""))
	}
	clock.Advance(8 * time.Second)
	e.must(200, loginAs("admin", adminPassword, ""))
	// Success clears the count.
	e.must(401, loginAs("admin", "wrong-password", ""))
	e.must(200, loginAs("admin", adminPassword, ""))
}

func TestClientIPComesFromTrustedProxiesOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trusted []string
		xff     string
		want    string
	}{
		{"no proxies: the header is ignored", nil, "203.0.113.9", testPeer},
		{"trusted proxy: the hop it appended", []string{testPeer}, "203.0.113.9", "203.0.113.9"},
		{"a client cannot prepend a fake hop", []string{testPeer}, "198.51.100.1, 203.0.113.9", "203.0.113.9"},
		{"own proxies are skipped", []string{testPeer, "10.9.0.0/16"}, "203.0.113.9, 10.9.1.1", "203.0.113.9"},
		{"garbage is not an address", []string{testPeer}, "not-an-ip", testPeer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newTunedEnv(t, func(c *api.Config) { c.TrustedProxies = tc.trusted })
			e.must(200, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": "admin", "password": adminPassword},
				headers: map[string]string{"X-Forwarded-For": tc.xff}})
			last, err := e.store.LastAudit(context.Background())
			if err != nil || last.Action != "auth.login" || last.ClientIP != tc.want {
				t.Fatalf("audit client IP = %q (%v), want %q", last.ClientIP, err, tc.want)
			}
		})
	}

	t.Run("without trusted proxies a rotating header does not escape the limit", func(t *testing.T) {
		e, _ := newTunedEnv(t, func(c *api.Config) { c.LoginBurst, c.LoginRate = 2, 1.0/60 })
		e.must(401, loginAs("u1", "whatever-pass", "192.0.2.1"))
		e.must(401, loginAs("u2", "whatever-pass", "192.0.2.2"))
		retryAfter(t, e.do(loginAs("u3", "whatever-pass", "192.0.2.3")))
	})
}

func TestBodiesAreCapped(t *testing.T) {
	e, _ := newTunedEnv(t, func(c *api.Config) { c.BodyLimit, c.JSONLimit = 64<<10, 8<<10 })
	admin := e.adminToken()
	// Over the JSON cap: refused before decoding, in the API's error shape.
	res := e.do(req{method: "POST", path: "/api/v1/institutions", token: admin,
		body: `{"name":"` + strings.Repeat("x", 9<<10) + `"}`})
	if res.status != 413 || res.errorCode(t) != "payload_too_large" {
		t.Fatalf("JSON over the cap: %d %s", res.status, clip(res.body))
	}
	// Over the transport cap: refused from Content-Length alone, unread.
	addr := listen(t, e)
	status, body := rawRequest(t, addr, "POST /api/v1/outcomes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
	if status != 413 || !strings.Contains(body, `"code":"payload_too_large"`) {
		t.Fatalf("body over the limit: %d %s", status, body)
	}
}

func TestPageSizeIsCapped(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := 0; i < 230; i++ {
		head, err := e.store.LastAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		entry := domain.AuditEntry{At: time.Now(), ActorID: "filler", Role: domain.RoleAdmin, Action: "test.fill", ObjectType: "none", ObjectID: itoa(i)}
		entry.Seal(head)
		if err := e.store.AppendAudit(ctx, &entry); err != nil {
			t.Fatal(err)
		}
	}
	page := e.must(200, req{method: "GET", path: "/api/v1/audit?limit=100000", token: e.adminToken()})
	if n := len(page["items"].([]any)); n != 200 || page["nextCursor"] == nil {
		t.Fatalf("limit=100000 gave %d items, nextCursor %v", n, page["nextCursor"])
	}
	e.must(400, req{method: "GET", path: "/api/v1/audit?limit=-1", token: e.adminToken()})
}

func TestSecurityHeaders(t *testing.T) {
	for _, tc := range []struct {
		name     string
		trusted  []string
		hsts     bool
		forwared string
	}{
		{"plain HTTP", nil, false, ""},
		{"a client claiming TLS is not believed", nil, false, "https"},
		{"TLS at a trusted proxy", []string{testPeer}, true, "https"},
		{"plain HTTP at a trusted proxy", []string{testPeer}, false, "http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := newTunedEnv(t, func(c *api.Config) { c.TrustedProxies = tc.trusted })
			h := map[string]string{}
			if tc.forwared != "" {
				h["X-Forwarded-Proto"] = tc.forwared
			}
			for _, path := range []string{"/healthz", "/api/v1/me", "/api/v1/nowhere"} {
				res := e.do(req{method: "GET", path: path, headers: h})
				csp := res.header.Get("Content-Security-Policy")
				for _, d := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'"} {
					if !strings.Contains(csp, d) {
						t.Errorf("%s: CSP %q lacks %q", path, csp, d)
					}
				}
				if res.header.Get("X-Content-Type-Options") != "nosniff" || res.header.Get("X-Frame-Options") != "DENY" {
					t.Errorf("%s: nosniff=%q frame=%q", path, res.header.Get("X-Content-Type-Options"), res.header.Get("X-Frame-Options"))
				}
				if got := res.header.Get("Strict-Transport-Security") != ""; got != tc.hsts {
					t.Errorf("%s: HSTS present=%v, want %v", path, got, tc.hsts)
				}
			}
		})
	}
}

func TestCORSOnlyForConfiguredOrigins(t *testing.T) {
	const allowed = "https://portal.district.example"
	e, _ := newTunedEnv(t, func(c *api.Config) { c.CORSOrigins = []string{allowed} })
	preflight := func(origin string) response {
		return e.do(req{method: "OPTIONS", path: "/api/v1/auth/login", headers: map[string]string{
			"Origin": origin, "Access-Control-Request-Method": "POST"}})
	}
	res := preflight(allowed)
	if res.status != 204 || res.header.Get("Access-Control-Allow-Origin") != allowed || !strings.Contains(res.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("allowed preflight: %d %v", res.status, res.header)
	}
	for _, origin := range []string{"https://evil.example", "null", allowed + ".evil.example"} {
		res := preflight(origin)
		if res.status != 403 || res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from %s: %d ACAO=%q", origin, res.status, res.header.Get("Access-Control-Allow-Origin"))
		}
		get := e.do(req{method: "GET", path: "/api/v1/institutions", headers: map[string]string{"Origin": origin}})
		if get.header.Get("Access-Control-Allow-Origin") != "" || get.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("GET from %s carries CORS headers: %v", origin, get.header)
		}
	}
	if get := e.do(req{method: "GET", path: "/api/v1/institutions", headers: map[string]string{"Origin": allowed}}); get.header.Get("Access-Control-Allow-Origin") != allowed {
		t.Errorf("GET from the allowed origin: ACAO=%q", get.header.Get("Access-Control-Allow-Origin"))
	}
}

// Back-off keys on the username at an address: guesses from a dozen
// addresses lock those addresses out of the user, not the user out of their
// own, while a username's failures over all addresses together still meet a
// ceiling far above one address's allowance.
func TestFailuresElsewhereDoNotLockAUserOut(t *testing.T) {
	t.Run("twelve addresses, the user signs in from a thirteenth", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := newTunedEnv(t, func(c *api.Config) { c.Now, c.TrustedProxies = clock.Now, []string{testPeer} })
		for ip := 1; ip <= 12; ip++ {
			for range 6 {
				e.must(401, loginAs("admin", "wrong-password", "10.1.0."+itoa(ip)))
			}
			retryAfter(t, e.do(loginAs("admin", adminPassword, "10.1.0."+itoa(ip))))
		}
		e.must(200, loginAs("admin", adminPassword, "10.1.0.13"))
	})

	t.Run("the ceiling over all addresses", func(t *testing.T) {
		clock := newFakeClock()
		e, _ := newTunedEnv(t, func(c *api.Config) { c.Now, c.TrustedProxies = clock.Now, []string{testPeer} })
		const ceiling = 100 // one address's allowance is 5
		for i := 0; i <= ceiling; i++ {
			e.must(401, loginAs("admin", "wrong-password", "10.2."+itoa(i/200)+"."+itoa(i%200+1)))
		}
		retryAfter(t, e.do(loginAs("admin", adminPassword, "10.3.0.1")))
		// Another user is not affected, and the wait ends.
		e.must(401, loginAs("someone.else", "wrong-password", "10.3.0.2"))
		clock.Advance(2 * time.Second)
		e.must(200, loginAs("admin", adminPassword, "10.3.0.1"))
	})
}

// The throttle and the lookup see one spelling of a name: the Kelvin sign
// (U+212A) is K, in the same bucket as K, and a dotted capital I (U+0130),
// which case mapping would fold into a different name, reaches no one.
func TestUsernameSpellingsShareOneBucket(t *testing.T) {
	clock := newFakeClock()
	e, _ := newTunedEnv(t, func(c *api.Config) {
		c.LoginBurst, c.LoginRate, c.Now, c.TrustedProxies = 3, 1.0/60, clock.Now, []string{testPeer}
	})
	admin := e.adminToken()
	inst := e.createInstitution(admin, "开放大学", []string{"issue"}, []string{"academic"})
	e.createStaff(admin, inst.id, "kate.li", "issue")
	e.createStaff(admin, inst.id, "instructor", "issue")
	clock.Advance(time.Hour)

	// Thirty failures (the depth of a username's bucket over all addresses)
	// spread over the three spellings empty one bucket.
	spellings := []string{"kate.li", "KATE.LI", "\u212Aate.li"}
	for i := range 30 {
		e.must(401, loginAs(spellings[i%3], "wrong-password", "10.4.0."+itoa(i+1)))
	}
	retryAfter(t, e.do(loginAs("\u212Aate.li", "staff-password-1", "10.4.3.9")))
	clock.Advance(time.Hour)
	e.must(200, loginAs("\u212Aate.li", "staff-password-1", "10.4.1.1"))

	for _, spelling := range []string{"\u0130nstructor", "\u0130NSTRUCTOR", "\u0131nstructor"} {
		if res := e.do(loginAs(spelling, "staff-password-1", "10.4.2.1")); res.status != 401 {
			t.Fatalf("%q reached a user: %d %s", spelling, res.status, clip(res.body))
		}
		clock.Advance(time.Minute)
	}
	e.must(200, loginAs("instructor", "staff-password-1", "10.4.2.2"))
	// Registering a spelling outside ASCII is refused, naming the field.
	res := e.do(req{method: "POST", path: "/api/v1/institutions/" + inst.id + "/staff", token: admin,
		body: map[string]any{"username": "\u0130nstructor2", "password": "staff-password-1", "perms": []string{"issue"}}})
	if res.status != 422 || !hasProblem(res.json(t), "username") {
		t.Fatalf("a non-ASCII username: %d %s", res.status, clip(res.body))
	}
}
