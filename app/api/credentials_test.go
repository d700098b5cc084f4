package api_test

import (
	"testing"
	"time"
)

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	id := nid(t, 500)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "周到", "password": "learner-pass-1"}})
	old := e.must(200, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": id, "password": "learner-pass-1"}})
	access, refresh := old["accessToken"].(string), old["refreshToken"].(string)

	cases := []struct {
		name, current, next, field string
	}{
		{"wrong current password", "not-my-password", "learner-pass-2", "currentPassword"},
		{"new password too short", "learner-pass-1", "short", "newPassword"},
		{"new equals current", "learner-pass-1", "learner-pass-1", "newPassword"},
	}
	for _, tc := range cases {
		res := e.do(req{method: "POST", path: "/api/v1/me/password", token: access, body: map[string]string{"currentPassword": tc.current, "newPassword": tc.next}})
		if res.status != 422 || !hasProblem(res.json(t), tc.field) {
			t.Errorf("%s: %d %s", tc.name, res.status, res.body)
		}
	}
	// Token times have second precision: let the old session's second pass.
	time.Sleep(1100 * time.Millisecond)
	fresh := e.must(200, req{method: "POST", path: "/api/v1/me/password", token: access,
		body: map[string]string{"currentPassword": "learner-pass-1", "newPassword": "learner-pass-2"}})

	e.must(401, req{method: "GET", path: "/api/v1/me", token: access})
	e.must(401, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": refresh}})
	e.must(200, req{method: "GET", path: "/api/v1/me", token: fresh["accessToken"].(string)})
	e.must(200, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": fresh["refreshToken"].(string)}})
	e.must(401, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": id, "password": "learner-pass-1"}})
	e.login(id, "learner-pass-2")

	// Staff change theirs the same way; API clients have no password.
	admin := e.adminToken()
	inst := e.createInstitution(admin, "社区学院", []string{"issue"}, []string{"community"})
	staff := e.createStaff(admin, inst.id, "cc.clerk", "issue")
	e.must(200, req{method: "POST", path: "/api/v1/me/password", token: staff,
		body: map[string]string{"currentPassword": "staff-password-1", "newPassword": "staff-password-2"}})
	e.login("cc.clerk", "staff-password-2")
	client := e.must(200, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": inst.clientID, "clientSecret": inst.clientSecret}})
	e.must(403, req{method: "POST", path: "/api/v1/me/password", token: client["accessToken"].(string),
		body: map[string]string{"currentPassword": "x", "newPassword": "client-pass-22"}})
}

func TestFrontDeskResetLetsTheResidentClaimAgain(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 501)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "忘记了", "password": "learner-pass-1"}})
	learner := e.login(id, "learner-pass-1")
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "忘记了", "园艺", 32)})

	e.must(403, req{method: "POST", path: "/api/v1/learners/lookup", token: a.staff, body: map[string]string{"nationalId": id}})
	e.must(404, req{method: "POST", path: "/api/v1/learners/lookup", token: admin, body: map[string]string{"nationalId": nid(t, 502)}})
	found := e.must(200, req{method: "POST", path: "/api/v1/learners/lookup", token: admin, body: map[string]string{"nationalId": id}})
	if found["name"] != "忘记了" || found["claimed"] != true || found["nationalId"] == id {
		t.Fatalf("lookup = %v", found)
	}
	time.Sleep(1100 * time.Millisecond)
	reset := e.must(200, req{method: "POST", path: "/api/v1/learners/" + found["id"].(string) + "/reset", token: admin})
	if reset["claimed"] != false {
		t.Fatalf("reset = %v", reset)
	}
	e.must(422, req{method: "POST", path: "/api/v1/learners/" + found["id"].(string) + "/reset", token: admin})
	e.must(401, req{method: "GET", path: "/api/v1/me", token: learner})
	e.must(401, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": id, "password": "learner-pass-1"}})

	// The resident registers again (claims) with a new password; the outcome is still there.
	e.must(200, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "忘记了", "password": "learner-pass-9"}})
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: e.login(id, "learner-pass-9")})
	if len(rec["outcomes"].([]any)) != 1 || rec["balance"].(map[string]any)["banked"] != 2.0 {
		t.Errorf("record after reset = %v", rec["balance"])
	}
}
