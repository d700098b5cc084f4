package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestHealthAndJWKS(t *testing.T) {
	e := newEnv(t)
	if m := e.must(200, req{method: "GET", path: "/healthz"}); m["status"] != "ok" {
		t.Errorf("healthz = %v", m)
	}
	res := e.do(req{method: "GET", path: "/.well-known/jwks.json"})
	var set struct {
		Keys []struct{ Kty, Crv, Kid, Alg, X string }
	}
	if err := json.Unmarshal(res.body, &set); err != nil || res.status != 200 {
		t.Fatalf("jwks: %d %s", res.status, res.body)
	}
	if len(set.Keys) != 1 || set.Keys[0].Kty != "OKP" || set.Keys[0].Crv != "Ed25519" || set.Keys[0].Alg != "EdDSA" || set.Keys[0].Kid == "" {
		t.Errorf("jwks keys = %+v", set.Keys)
	}
	// The access token's kid is the published key.
	token := e.adminToken()
	header, _ := decodeSegment(t, strings.Split(token, ".")[0])
	if header["kid"] != set.Keys[0].Kid || header["typ"] != "at+jwt" || header["alg"] != "EdDSA" {
		t.Errorf("token header = %v", header)
	}
}

func decodeSegment(t *testing.T, seg string) (map[string]any, error) {
	t.Helper()
	raw, err := base64URL(seg)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	return m, json.Unmarshal(raw, &m)
}

func TestLoginAndMe(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	inst := e.createInstitution(admin, "开放大学", []string{"issue", "convert"}, []string{"academic"})
	staff := e.createStaff(admin, inst.id, "ou.reviewer", "review", "manage")
	id := nid(t, 10)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "刘洋", "password": "learner-pass-1"}})
	// A lowercase x, spaces: the learner's ID is normalised on login too.
	learner := e.login(" "+strings.ToLower(id)+" ", "learner-pass-1")

	cases := []struct {
		name, token, role string
		check             func(m map[string]any) bool
	}{
		{"admin", admin, "admin", func(m map[string]any) bool { return m["userId"] != nil }},
		{"staff", staff, "staff", func(m map[string]any) bool {
			return m["institutionId"] == inst.id && len(m["perms"].([]any)) == 2 && m["name"] == "开放大学"
		}},
		{"learner", learner, "learner", func(m map[string]any) bool { return m["accountId"] != nil && m["name"] == "刘洋" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := e.must(200, req{method: "GET", path: "/api/v1/me", token: tc.token})
			if m["role"] != tc.role || !tc.check(m) {
				t.Errorf("me = %v", m)
			}
		})
	}
	if res := e.do(req{method: "GET", path: "/api/v1/me"}); res.status != 401 || res.errorCode(t) != "unauthenticated" {
		t.Errorf("me without token: %d %s", res.status, res.body)
	}
	for _, bad := range []map[string]string{
		{"username": "admin", "password": "wrong-password"},
		{"username": "nobody", "password": "whatever-pass"},
		{"username": id, "password": "wrong-password"},
		{"username": "", "password": ""},
	} {
		res := e.do(req{method: "POST", path: "/api/v1/auth/login", body: bad})
		if res.status != 401 {
			t.Errorf("login %v: %d", bad["username"], res.status)
		}
		// The same message whatever was wrong, so usernames cannot be probed.
		if msg := res.json(t)["error"].(map[string]any)["message"]; !strings.Contains(msg.(string), "invalid username or password") {
			t.Errorf("login %v message = %v", bad["username"], msg)
		}
	}
}

func TestUnclaimedAccountCannotLogIn(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 11)
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "周强", "摄影", 16)})
	if res := e.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": id, "password": ""}}); res.status != 401 {
		t.Errorf("unclaimed login: %d", res.status)
	}
	// Claiming with the wrong name is refused and does not take the account.
	e.must(409, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "冒名者", "password": "attacker-pass"}})
	e.must(200, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "周强", "password": "learner-pass-1"}})
	// Once claimed, registering again is a conflict.
	e.must(409, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "周强", "password": "another-pass-1"}})
	e.login(id, "learner-pass-1")
}

func TestRefreshRotationAndReuse(t *testing.T) {
	e := newEnv(t)
	first := e.must(200, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": "admin", "password": adminPassword}})
	r1 := first["refreshToken"].(string)
	if first["tokenType"] != "Bearer" || first["expiresIn"].(float64) != 900 || len(r1) < 40 {
		t.Fatalf("login = %v", first)
	}
	second := e.must(200, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": r1}})
	r2 := second["refreshToken"].(string)
	if r2 == r1 {
		t.Fatal("refresh token not rotated")
	}
	e.must(200, req{method: "GET", path: "/api/v1/me", token: second["accessToken"].(string)})
	// Replaying r1 is theft: 401, and the whole family (r2 too) dies.
	e.must(401, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": r1}})
	e.must(401, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": r2}})
	e.must(401, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": "not-a-token"}})
	// A refresh token is not an access token.
	e.must(401, req{method: "GET", path: "/api/v1/me", token: r2})
}

func TestClientCredentials(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	inst := e.createInstitution(admin, "职教中心", []string{"issue"}, []string{"vocational"})
	tok := e.must(200, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": inst.clientID, "clientSecret": inst.clientSecret}})
	if tok["refreshToken"] != nil {
		t.Errorf("client credentials must not get a refresh token")
	}
	client := tok["accessToken"].(string)
	body := outcomeBody(nid(t, 12), "吴芳", "电工", 32)
	body["category"] = "vocational"
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: client, body: body})
	if out["issuerId"] != inst.id || out["credits"] != 2.0 {
		t.Errorf("client-issued outcome = %v", out)
	}
	e.must(401, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": inst.clientID, "clientSecret": "wrong"}})
	// A client cannot manage staff.
	e.must(403, req{method: "POST", path: "/api/v1/institutions/" + inst.id + "/staff", token: client,
		body: map[string]any{"username": "sneaky", "password": "staff-password-1", "perms": []string{"issue"}}})
}

func TestSuspendedInstitutionLosesAccess(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	e.must(200, req{method: "POST", path: "/api/v1/institutions/" + a.id + "/status", token: admin, body: map[string]string{"status": "suspended"}})
	// The staff token is still unexpired, but the institution behind it is suspended.
	e.must(401, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(nid(t, 13), "钱进", "x", 16)})
	e.must(401, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": a.clientID, "clientSecret": a.clientSecret}})
}
