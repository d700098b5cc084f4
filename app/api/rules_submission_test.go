package api_test

import (
	"testing"
)

// TestRuleSubmissionQueue: a converting institution's manager submits a
// draft; it waits in the admin's queue; the admin returns it with a note the
// manager reads, or publishes it, which empties the queue. Each step is
// audited, and nobody else may take it.
func TestRuleSubmissionQueue(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	id := e.must(201, req{method: "POST", path: "/api/v1/rules", token: d.manager, body: d.exemptionRule("manual")})["id"].(string)
	rulePath := "/api/v1/rules/" + id
	queue := func() []any {
		t.Helper()
		return e.must(200, req{method: "GET", path: "/api/v1/rules/submitted", token: d.admin})["items"].([]any)
	}
	state := func(r map[string]any) any {
		s, _ := r["submission"].(map[string]any)
		return s["state"]
	}

	if n := len(queue()); n != 0 {
		t.Fatalf("queue before any submission has %d drafts", n)
	}
	// Only the institution's own managers submit; only the admin sees the
	// queue and returns.
	e.must(403, req{method: "POST", path: rulePath + "/submit", token: d.reviewer})
	e.must(404, req{method: "POST", path: rulePath + "/submit", token: d.otherRev})
	e.must(403, req{method: "GET", path: "/api/v1/rules/submitted", token: d.manager})

	if got := e.must(200, req{method: "POST", path: rulePath + "/submit", token: d.manager}); state(got) != "submitted" || got["status"] != "draft" {
		t.Fatalf("submitted rule = %v", got)
	}
	if res := e.do(req{method: "POST", path: rulePath + "/submit", token: d.manager}); res.status != 409 {
		t.Errorf("second submission: %d %s", res.status, res.body)
	}
	if q := queue(); len(q) != 1 || q[0].(map[string]any)["id"] != id {
		t.Fatalf("queue = %v, want the submitted draft", q)
	}

	e.must(403, req{method: "POST", path: rulePath + "/return", token: d.manager, body: map[string]string{"note": "改"}})
	res := e.do(req{method: "POST", path: rulePath + "/return", token: d.admin, body: map[string]string{"note": "  "}})
	if res.status != 422 || !hasProblem(res.json(t), "note") {
		t.Errorf("return without a note: %d %s", res.status, res.body)
	}
	e.must(200, req{method: "POST", path: rulePath + "/return", token: d.admin, body: map[string]string{"note": "请写明免修课程的学分"}})
	got := e.must(200, req{method: "GET", path: rulePath, token: d.manager})
	if sub, _ := got["submission"].(map[string]any); sub["state"] != "returned" || sub["note"] != "请写明免修课程的学分" {
		t.Errorf("manager reads the returned draft as %v", got["submission"])
	}
	if n := len(queue()); n != 0 {
		t.Errorf("a returned draft stays in the queue (%d)", n)
	}

	e.must(200, req{method: "POST", path: rulePath + "/submit", token: d.manager})
	published := e.must(200, req{method: "POST", path: rulePath + "/publish", token: d.admin})
	if published["status"] != "published" || published["submission"] != nil {
		t.Errorf("published rule = %v", published)
	}
	if n := len(queue()); n != 0 {
		t.Errorf("a published rule stays in the queue (%d)", n)
	}

	for _, action := range []string{"rule.submit", "rule.return"} {
		page := e.must(200, req{method: "GET", path: "/api/v1/audit?limit=200&action=" + action, token: d.admin})
		if items, _ := page["items"].([]any); len(items) == 0 {
			t.Errorf("no %s in the audit log", action)
		}
	}
}
