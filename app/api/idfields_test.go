package api_test

import "testing"

// TestMalformedIDInBodyIsFieldError pins that an ID field holding
// something other than an ID is a 422 naming the field (as the client sent
// it), not a 400 about the JSON, while broken JSON stays a 400.
func TestMalformedIDInBodyIsFieldError(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 31)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "周敏", "password": "learner-pass-1"}})
	learner := e.login(id, "learner-pass-1")
	withCourse := outcomeBody(id, "周敏", "插花", 16)
	withCourse["courseId"] = "CC-01"
	cases := []struct {
		name, path, token string
		body              any
		status            int
		field             string
	}{
		{"word for an institution", "/api/v1/learners/me/grants", learner, map[string]any{"institutionId": "nope", "days": 7}, 422, "institutionId"},
		{"number for an institution", "/api/v1/learners/me/grants", learner, map[string]any{"institutionId": 5, "days": 7}, 422, "institutionId"},
		{"truncated ID", "/api/v1/learners/me/grants", learner, map[string]any{"institutionId": "01a24b6e-0000", "days": 7}, 422, "institutionId"},
		{"course code for a course ID", "/api/v1/outcomes", a.staff, withCourse, 422, "courseId"},
		{"broken JSON", "/api/v1/learners/me/grants", learner, `{"institutionId": "nope"`, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(req{method: "POST", path: tc.path, token: tc.token, body: tc.body})
			if res.status != tc.status {
				t.Fatalf("status %d %s, want %d", res.status, res.body, tc.status)
			}
			if tc.field != "" && !hasProblem(res.json(t), tc.field) {
				t.Fatalf("%s does not name %s", res.body, tc.field)
			}
		})
	}
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: learner})
	if g, _ := rec["grants"].([]any); len(g) != 0 {
		t.Fatalf("a refused grant was stored: %v", g)
	}
}

// TestSharingTwiceExtendsTheLiveGrant pins that a second share with the
// same institution extends the live grant (200, extended) instead of
// making a second one, and is audited as an extension.
func TestSharingTwiceExtendsTheLiveGrant(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 32)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "周敏", "password": "learner-pass-1"}})
	learner := e.login(id, "learner-pass-1")
	first := e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": a.id, "days": 7}})
	if first["extended"] != false {
		t.Fatalf("first share: %v", first)
	}
	again := e.must(200, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": a.id, "days": 30}})
	if again["id"] != first["id"] || again["extended"] != true || again["expiresAt"] == first["expiresAt"] {
		t.Fatalf("second share = %v, want the first grant %v extended", again, first["id"])
	}
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: learner})
	if g := rec["grants"].([]any); len(g) != 1 || g[0].(map[string]any)["expiresAt"] != again["expiresAt"] {
		t.Fatalf("grants = %v, want the one grant ending %v", g, again["expiresAt"])
	}
	audit := e.must(200, req{method: "GET", path: "/api/v1/audit?action=grant.extend", token: admin})
	if items := audit["items"].([]any); len(items) != 1 || items[0].(map[string]any)["objectId"] != first["id"] {
		t.Fatalf("audit of the extension = %v", items)
	}
}
