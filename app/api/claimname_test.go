package api_test

import (
	"testing"
)

// TestClaimWithMistypedNameSaysTheNameDiffers: an account an institution
// opened is claimed with the name on record only. A mistyped name answers
// name_mismatch (not "already registered, sign in", which a resident who
// never had a password cannot follow) and changes nothing; a claimed
// account still answers conflict.
func TestClaimWithMistypedNameSaysTheNameDiffers(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 31)
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "王秀兰", "社区插花", 24)})

	res := e.must(409, req{method: "POST", path: "/api/v1/learners", body: map[string]string{
		"nationalId": id, "name": "王秀南", "password": "learner-pass-1"}})
	if code := res["error"].(map[string]any)["code"]; code != "name_mismatch" {
		t.Fatalf("mistyped name: code %v, want name_mismatch", code)
	}
	e.must(401, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": id, "password": "learner-pass-1"}})

	e.must(200, req{method: "POST", path: "/api/v1/learners", body: map[string]string{
		"nationalId": id, "name": "王秀兰", "password": "learner-pass-1"}})
	res = e.must(409, req{method: "POST", path: "/api/v1/learners", body: map[string]string{
		"nationalId": id, "name": "王秀南", "password": "learner-pass-2"}})
	if code := res["error"].(map[string]any)["code"]; code != "conflict" {
		t.Errorf("claimed account: code %v, want conflict", code)
	}
}
