package api_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func TestInstitutionsDirectoryAndStaff(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	var ids []string
	for _, name := range []string{"甲学院", "乙学院", "丙学院"} {
		ids = append(ids, e.createInstitution(admin, name, []string{"issue"}, []string{"community"}).id)
	}
	// Public, paged, in creation order.
	p1 := e.must(200, req{method: "GET", path: "/api/v1/institutions?limit=2"})
	items := p1["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != ids[0] || p1["nextCursor"] == nil {
		t.Fatalf("page 1 = %v", p1)
	}
	if items[0].(map[string]any)["clientSecret"] != nil {
		t.Fatal("directory leaks client secrets")
	}
	p2 := e.must(200, req{method: "GET", path: "/api/v1/institutions?limit=2&cursor=" + p1["nextCursor"].(string)})
	if items := p2["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != ids[2] || p2["nextCursor"] != nil {
		t.Fatalf("page 2 = %v", p2)
	}
	e.must(400, req{method: "GET", path: "/api/v1/institutions?limit=abc"})
	e.must(200, req{method: "GET", path: "/api/v1/institutions?limit=100000"})

	// Validation names each bad field.
	res := e.do(req{method: "POST", path: "/api/v1/institutions", token: admin, body: map[string]any{
		"name": "", "kind": "castle", "capabilities": []string{"fly"}, "categories": []string{}}})
	if res.status != 422 {
		t.Fatalf("bad institution: %d", res.status)
	}
	for _, f := range []string{"name", "kind", "capabilities[0]"} {
		if !hasProblem(res.json(t), f) {
			t.Errorf("details do not name %s: %s", f, res.body)
		}
	}

	manager := e.createStaff(admin, ids[0], "jia.manager", "issue", "manage")
	// A manager adds staff at their own institution only.
	e.must(201, req{method: "POST", path: "/api/v1/institutions/" + ids[0] + "/staff", token: manager,
		body: map[string]any{"username": "jia.clerk", "password": "staff-password-1", "perms": []string{"issue"}}})
	e.must(403, req{method: "POST", path: "/api/v1/institutions/" + ids[1] + "/staff", token: manager,
		body: map[string]any{"username": "yi.clerk", "password": "staff-password-1", "perms": []string{"issue"}}})
	// Without the manage permission, not even at home.
	clerk := e.login("jia.clerk", "staff-password-1")
	e.must(403, req{method: "POST", path: "/api/v1/institutions/" + ids[0] + "/staff", token: clerk,
		body: map[string]any{"username": "jia.clerk2", "password": "staff-password-1", "perms": []string{"manage"}}})
	// Usernames are unique.
	e.must(409, req{method: "POST", path: "/api/v1/institutions/" + ids[1] + "/staff", token: admin,
		body: map[string]any{"username": "jia.clerk", "password": "staff-password-1", "perms": []string{"issue"}}})
	// Only admins register institutions.
	e.must(403, req{method: "POST", path: "/api/v1/institutions", token: manager, body: map[string]any{
		"name": "x", "kind": "school", "capabilities": []string{"convert"}}})
	e.must(401, req{method: "POST", path: "/api/v1/institutions", body: map[string]any{
		"name": "x", "kind": "school", "capabilities": []string{"convert"}}})
}

func TestManagersGrantOnlyPermissionsTheyHold(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	inst := e.createInstitution(admin, "开放大学", []string{"issue", "convert"}, []string{"academic"})
	manager := e.createStaff(admin, inst.id, "ou.manager", "issue", "manage")
	create := func(token, username string, perms ...string) response {
		return e.do(req{method: "POST", path: "/api/v1/institutions/" + inst.id + "/staff", token: token,
			body: map[string]any{"username": username, "password": "staff-password-1", "perms": perms}})
	}
	before := fingerprint(t, e.store)
	for _, perms := range [][]string{{"review"}, {"issue", "review"}, {"issue", "manage", "review"}} {
		res := create(manager, "ou.colleague", perms...)
		if res.status != 403 || res.errorCode(t) != "forbidden" || !strings.Contains(string(res.body), "review") {
			t.Fatalf("manager granting %v: %d %s", perms, res.status, clip(res.body))
		}
	}
	if fingerprint(t, e.store) != before {
		t.Fatal("a refused staff creation changed stored data")
	}
	// What the manager holds, they may hand on; an admin may grant anything.
	if res := create(manager, "ou.deputy", "issue", "manage"); res.status != 201 {
		t.Fatalf("manager granting what they hold: %d %s", res.status, clip(res.body))
	}
	if res := create(admin, "ou.reviewer", "review"); res.status != 201 {
		t.Fatalf("admin granting review: %d %s", res.status, clip(res.body))
	}
}

func TestGrantsControlSharedRecords(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	other := e.issuer(admin, "别的学院")
	id := nid(t, 20)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "孙丽", "password": "learner-pass-1"}})
	learner := e.login(id, "learner-pass-1")
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "孙丽", "舞蹈", 32)})
	me := e.must(200, req{method: "GET", path: "/api/v1/me", token: learner})
	path := "/api/v1/learners/" + me["accountId"].(string) + "/record"

	e.must(404, req{method: "GET", path: path, token: a.staff})
	g := e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": a.id, "days": 30}})
	shared := e.must(200, req{method: "GET", path: path, token: a.staff})
	if shared["balance"].(map[string]any)["banked"] != 2.0 || shared["grants"] != nil || shared["sharedUntil"] != g["expiresAt"] {
		t.Errorf("shared record = %v", shared)
	}
	e.must(404, req{method: "GET", path: path, token: other.staff})
	e.must(200, req{method: "GET", path: path, token: admin})
	// The institution finds who shares with it; the other institution sees no one.
	list := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/shared", token: a.staff})["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["accountId"] != me["accountId"] || list[0].(map[string]any)["name"] != "孙丽" ||
		list[0].(map[string]any)["nationalId"] == id {
		t.Errorf("shared list = %v", list)
	}
	if n := len(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/shared", token: other.staff})["items"].([]any)); n != 0 {
		t.Errorf("other institution sees %d shared records", n)
	}
	e.must(422, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": a.id, "days": 0}})
	e.must(204, req{method: "DELETE", path: "/api/v1/learners/me/grants/" + g["id"].(string), token: learner})
	e.must(404, req{method: "GET", path: path, token: a.staff})
	if n := len(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/shared", token: a.staff})["items"].([]any)); n != 0 {
		t.Errorf("withdrawn grant still listed (%d)", n)
	}
	// Another learner cannot read this record.
	id2 := nid(t, 21)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id2, "name": "郑好", "password": "learner-pass-2"}})
	e.must(404, req{method: "GET", path: path, token: e.login(id2, "learner-pass-2")})
}

func TestDataSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 30)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "黄河", "phone": "13812345678", "password": "learner-pass-1"}})
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "黄河", "太极拳", 40)})

	e.restart()

	learner := e.login(id, "learner-pass-1")
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: learner})
	outs := rec["outcomes"].([]any)
	if len(outs) != 1 || outs[0].(map[string]any)["id"] != out["id"] || rec["balance"].(map[string]any)["banked"] != 2.5 {
		t.Fatalf("after restart: %v", rec)
	}
	if rec["ledgerValid"] != true || rec["account"].(map[string]any)["phone"] != "138****5678" {
		t.Errorf("after restart: ledgerValid=%v phone=%v", rec["ledgerValid"], rec["account"].(map[string]any)["phone"])
	}
	// Tokens signed before the restart still verify: the keys were persisted.
	e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})
	// The learner's own data export opens the sealed identifiers.
	data := e.must(200, req{method: "GET", path: "/api/v1/learners/me/data", token: learner})
	if data["nationalId"] != id || data["phone"] != "13812345678" {
		t.Errorf("my data = %v / %v", data["nationalId"], data["phone"])
	}
}
