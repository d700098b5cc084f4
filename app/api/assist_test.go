package api_test

import (
	"reflect"
	"strings"
	"testing"
)

// accessLog reads every page of the learner's access log, newest first.
func accessLog(t *testing.T, e *env, token string) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for page := 0; page < 20; page++ {
		p := e.must(200, req{method: "GET", path: "/api/v1/learners/me/access-log?limit=2&cursor=" + cursor, token: token})
		for _, it := range p["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		next, _ := p["nextCursor"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
	t.Fatal("access log paging did not end")
	return nil
}

func summary(entries []map[string]any) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e["kind"].(string)+" "+e["name"].(string)+" "+e["action"].(string))
	}
	return out
}

func TestAccessLogRecordsReadsByOthersOnly(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	d.deposit("插花", 32)
	e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: d.learner, body: map[string]any{"institutionId": d.conv.id, "days": 30}})
	record := "/api/v1/learners/" + d.learnerID + "/record"

	// The learner's own reads are not logged.
	for i := 0; i < 3; i++ {
		e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: d.learner})
		e.must(200, req{method: "GET", path: record, token: d.learner})
	}
	if got := accessLog(t, e, d.learner); len(got) != 0 {
		t.Fatalf("own reads were logged: %v", summary(got))
	}

	// The institution reading through its grant is logged once, however
	// often it reloads within the coalescing window; an institution without
	// a grant gets 404 and leaves no entry.
	for i := 0; i < 3; i++ {
		e.must(200, req{method: "GET", path: record, token: d.reviewer})
	}
	e.must(404, req{method: "GET", path: record, token: d.otherRev})
	// The centre's front desk: a lookup and a read.
	e.must(200, req{method: "POST", path: "/api/v1/learners/lookup", token: d.admin, body: map[string]string{"nationalId": d.nationalID}})
	e.must(200, req{method: "GET", path: record, token: d.admin})

	got := accessLog(t, e, d.learner)
	want := []string{"centre admin record.read", "centre admin learner.lookup", "institution 开放大学 record.read"}
	if strings.Join(summary(got), "|") != strings.Join(want, "|") {
		t.Fatalf("access log = %v, want newest first %v", summary(got), want)
	}
	if got[2]["institutionId"] != d.conv.id || got[2]["at"] == "" {
		t.Errorf("institution entry = %v", got[2])
	}
	res := e.do(req{method: "GET", path: "/api/v1/learners/me/access-log?cursor=nonsense", token: d.learner})
	if res.status != 422 || res.errorCode(t) == "" {
		t.Errorf("bad cursor: %d %s", res.status, res.body)
	}
}

func TestAssistedAccess(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("manual"))
	d.deposit("插花", 32)
	d.deposit("合唱", 16)
	d.deposit("太极", 24)
	helperNID := nid(t, 101)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": helperNID, "name": "林建国", "password": "helper-pass-1"}})
	helper := e.login(helperNID, "helper-pass-1")
	// An account an institution opened but nobody claimed cannot help.
	unclaimedNID := nid(t, 102)
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: outcomeBody(unclaimedNID, "林小妹", "书法", 16)})

	record := "/api/v1/learners/" + d.learnerID + "/record"
	apply := "/api/v1/learners/" + d.learnerID + "/conversions"
	e.must(404, req{method: "GET", path: record, token: helper})
	e.must(404, req{method: "POST", path: apply, token: helper, body: map[string]string{"ruleId": ruleID}})

	before := fingerprint(t, e.store)
	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"wrong name", map[string]any{"nationalId": helperNID, "name": "林建军", "days": 30}, 422, "nationalId"},
		{"unknown ID", map[string]any{"nationalId": nid(t, 103), "name": "林建国", "days": 30}, 422, "nationalId"},
		{"malformed ID", map[string]any{"nationalId": "12345", "name": "林建国", "days": 30}, 422, "nationalId"},
		{"oneself", map[string]any{"nationalId": d.nationalID, "name": "林静", "days": 30}, 422, "nationalId"},
		{"unclaimed account", map[string]any{"nationalId": unclaimedNID, "name": "林小妹", "days": 30}, 422, "nationalId"},
		{"zero days", map[string]any{"nationalId": helperNID, "name": "林建国", "days": 0}, 422, "days"},
		{"too many days", map[string]any{"nationalId": helperNID, "name": "林建国", "days": 91}, 422, "days"},
		{"unknown field", map[string]any{"nationalId": helperNID, "name": "林建国", "days": 30, "admin": true}, 400, ""},
	} {
		res := e.do(req{method: "POST", path: "/api/v1/learners/me/helpers", token: d.learner, body: tc.body})
		if res.status != tc.status {
			t.Errorf("%s: status %d, want %d: %s", tc.name, res.status, tc.status, res.body)
			continue
		}
		if tc.field != "" && !strings.Contains(string(res.body), `"field":"`+tc.field+`"`) {
			t.Errorf("%s: error does not name %s: %s", tc.name, tc.field, res.body)
		}
	}
	if fingerprint(t, e.store) != before {
		t.Fatal("a refused helper request changed stored data")
	}

	g := e.must(201, req{method: "POST", path: "/api/v1/learners/me/helpers", token: d.learner, body: map[string]any{"nationalId": helperNID, "name": "林建国", "days": 30}})
	if g["helperName"] != "林建国" || g["nationalId"] != helperNID[:6]+"********"+helperNID[14:] || g["live"] != true {
		t.Fatalf("helper grant = %v", g)
	}
	e.must(409, req{method: "POST", path: "/api/v1/learners/me/helpers", token: d.learner, body: map[string]any{"nationalId": helperNID, "name": "林建国", "days": 10}})
	if items := e.must(200, req{method: "GET", path: "/api/v1/learners/me/helpers", token: d.learner})["items"].([]any); len(items) != 1 {
		t.Fatalf("helpers = %v", items)
	}

	assisting := e.must(200, req{method: "GET", path: "/api/v1/learners/me/assisting", token: helper})["items"].([]any)
	if len(assisting) != 1 || assisting[0].(map[string]any)["accountId"] != d.learnerID || assisting[0].(map[string]any)["nationalId"] != d.nationalID[:6]+"********"+d.nationalID[14:] {
		t.Fatalf("assisting = %v", assisting)
	}

	// The helper reads the record and applies, never seeing the clear ID.
	res := e.do(req{method: "GET", path: record, token: helper})
	if res.status != 200 || strings.Contains(string(res.body), d.nationalID) || strings.Contains(string(res.body), `"grants"`) {
		t.Fatalf("helper's view: %d, clear ID or grants shown: %s", res.status, clip(res.body))
	}
	if own := e.do(req{method: "GET", path: "/api/v1/learners/me/data", token: helper}); strings.Contains(string(own.body), d.nationalID) {
		t.Fatal("the helper's own data export carries the assisted learner's ID")
	}
	pv := e.must(200, req{method: "POST", path: apply + "/preview", token: helper, body: map[string]string{"ruleId": ruleID}})
	if pv["eligible"] != true {
		t.Fatalf("preview for = %v", pv)
	}
	conv := e.must(201, req{method: "POST", path: apply, token: helper, body: map[string]string{"ruleId": ruleID}})
	if conv["accountId"] != d.learnerID || conv["status"] != "pending" {
		t.Fatalf("conversion = %v", conv)
	}
	if convs := d.record()["conversions"].([]any); len(convs) != 1 || convs[0].(map[string]any)["id"] != conv["id"] {
		t.Fatalf("the learner's record lacks the helper's application: %v", convs)
	}

	// Every helper action is in the learner's access log and the audit log.
	got := summary(accessLog(t, e, d.learner))
	want := []string{"helper 林建国 conversion.apply", "helper 林建国 conversion.preview", "helper 林建国 record.read"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("access log = %v, want %v", got, want)
	}
	applied := auditPage(t, e, d.admin, "&action=conversion.apply")
	if len(applied) != 1 || !strings.Contains(applied[0]["detail"].(string), "onBehalfOf="+d.learnerID) || applied[0]["role"] != "learner" {
		t.Errorf("audit of the helper's application = %v", applied)
	}

	// Withdrawal ends access at once; withdrawing again is a no-op.
	e.must(204, req{method: "DELETE", path: "/api/v1/learners/me/helpers/" + g["id"].(string), token: d.learner})
	e.must(204, req{method: "DELETE", path: "/api/v1/learners/me/helpers/" + g["id"].(string), token: d.learner})
	e.must(404, req{method: "GET", path: record, token: helper})
	e.must(404, req{method: "POST", path: apply + "/preview", token: helper, body: map[string]string{"ruleId": ruleID}})
	e.must(404, req{method: "POST", path: apply, token: helper, body: map[string]string{"ruleId": ruleID}})
	if items := e.must(200, req{method: "GET", path: "/api/v1/learners/me/assisting", token: helper})["items"].([]any); len(items) != 0 {
		t.Fatalf("assisting after withdrawal = %v", items)
	}
	// The helper cannot withdraw or see the learner's helper grants.
	e.must(404, req{method: "DELETE", path: "/api/v1/learners/me/helpers/" + g["id"].(string), token: helper})
}

// SECURITY.md promises that naming a helper tells nothing about who holds an
// account: an account an institution opened but nobody claimed answers
// exactly as an ID that matches no one.
func TestNamingAHelperAnswersUnclaimedLikeNoMatch(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	unclaimed := nid(t, 104)
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: outcomeBody(unclaimed, "林小妹", "插花", 16)})
	answer := func(nationalID string) (int, any) {
		res := e.do(req{method: "POST", path: "/api/v1/learners/me/helpers", token: d.learner,
			body: map[string]any{"nationalId": nationalID, "name": "林小妹", "days": 30}})
		body := res.json(t)["error"].(map[string]any)
		return res.status, []any{body["code"], body["message"], body["details"]}
	}
	gotStatus, got := answer(unclaimed)
	wantStatus, want := answer(nid(t, 105))
	if gotStatus != wantStatus || !reflect.DeepEqual(got, want) {
		t.Fatalf("unclaimed account answers %d %v, no match %d %v", gotStatus, got, wantStatus, want)
	}
}
