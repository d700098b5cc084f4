package api_test

import (
	"strings"
	"testing"
)

// TestAuditListNamesWhoAndWhatNewestFirst pins the admin's audit list:
// ?order=newest pages by descending seq; each entry names its actor (the
// staff username, the learner by name and masked ID), institution and
// object (an outcome by title and learner), a revocation carries its
// reason and an extension its before/after; no national ID appears in
// clear.
func TestAuditListNamesWhoAndWhatNewestFirst(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	inst := e.createInstitution(admin, "渝北社区学院", []string{"issue"}, []string{"community"})
	clerk := e.createStaff(admin, inst.id, "yb.clerk", "issue")
	id := nid(t, 41)
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: clerk, body: outcomeBody(id, "钱秀英", "老年书法", 32)})
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + out["id"].(string) + "/revoke", token: clerk, body: map[string]string{"reason": "课时登记错误"}})
	e.must(200, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "钱秀英", "password": "learner-pass-1"}})
	learner := e.login(id, "learner-pass-1")
	e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": inst.id, "days": 7}})
	e.must(200, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": inst.id, "days": 30}})

	e.must(200, req{method: "PUT", path: "/api/v1/policy", token: admin, body: map[string]any{"hoursPerCredit": map[string]float64{"community": 20}}})

	var entries []map[string]any
	cursor := ""
	for {
		path := "/api/v1/audit?order=newest&limit=3"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		res := e.do(req{method: "GET", path: path, token: admin})
		if res.status != 200 {
			t.Fatalf("audit: %d %s", res.status, res.body)
		}
		if strings.Contains(string(res.body), id) {
			t.Fatalf("the audit list shows a national ID in clear: %s", res.body)
		}
		page := res.json(t)
		for _, it := range page["items"].([]any) {
			entries = append(entries, it.(map[string]any))
		}
		next, _ := page["nextCursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	for i := 1; i < len(entries); i++ {
		if entries[i]["seq"].(float64) >= entries[i-1]["seq"].(float64) {
			t.Fatalf("entry %d has seq %v after %v: not newest first", i, entries[i]["seq"], entries[i-1]["seq"])
		}
	}
	byAction := map[string]map[string]any{}
	for _, en := range entries {
		if _, seen := byAction[en["action"].(string)]; !seen {
			byAction[en["action"].(string)] = en
		}
	}
	masked := id[:6] + "********" + id[14:]
	tests := []struct {
		action                          string
		actorName, instName, objectName string
		reason                          string
	}{
		{"institution.create", "admin", "", "渝北社区学院", ""},
		{"staff.create", "admin", "", "yb.clerk", ""},
		{"outcome.issue", "yb.clerk", "渝北社区学院", "「老年书法」 钱秀英（" + masked + "）", ""},
		{"outcome.revoke", "yb.clerk", "渝北社区学院", "「老年书法」 钱秀英（" + masked + "）", "课时登记错误"},
		{"grant.create", "钱秀英（" + masked + "）", "", "渝北社区学院", ""},
	}
	for _, tt := range tests {
		en := byAction[tt.action]
		if en == nil {
			t.Fatalf("no %s entry among %d", tt.action, len(entries))
		}
		got := [4]any{en["actorName"], en["institutionName"], en["objectName"], en["reason"]}
		want := [4]any{tt.actorName, tt.instName, tt.objectName, tt.reason}
		for i := range want {
			if want[i] == "" {
				want[i] = nil
			}
		}
		if got != want {
			t.Errorf("%s: names %q, want %q", tt.action, got, want)
		}
	}
	ext := byAction["grant.extend"]
	changes, _ := ext["changes"].([]any)
	if len(changes) != 1 || changes[0].(map[string]any)["field"] != "expiresAt" ||
		changes[0].(map[string]any)["before"] == changes[0].(map[string]any)["after"] {
		t.Fatalf("grant.extend changes = %v, want expiresAt before and after", ext["changes"])
	}
	pol, _ := byAction["policy.update"]["changes"].([]any)
	if len(pol) != 1 || pol[0].(map[string]any)["field"] != "community" || pol[0].(map[string]any)["after"] != "20" ||
		pol[0].(map[string]any)["before"] == "20" {
		t.Fatalf("policy.update changes = %v, want community's rate before and 20 after", byAction["policy.update"])
	}
	res := e.do(req{method: "GET", path: "/api/v1/audit?order=sideways", token: admin})
	if res.status != 422 || !hasProblem(res.json(t), "order") {
		t.Fatalf("order=sideways: %d %s", res.status, res.body)
	}
}
