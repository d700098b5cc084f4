package api_test

import (
	"testing"
)

// TestNoticeHistoryAndRejectionReason: a rejection needs a reason (422 on
// note, nothing changes); the reason reaches the learner on the conversion
// and in the notice history, which still lists the decision after the
// alerts are marked seen.
func TestNoticeHistoryAndRejectionReason(t *testing.T) {
	w := newPathwayWorld(t)
	token, _ := w.learner(600, "历史学员", outcomeSpec{"community", "社区合唱", 72, 0})
	conv := w.e.must(201, req{method: "POST", path: "/api/v1/conversions", token: token, body: map[string]string{"ruleId": w.ruleID(t, "EXEMPT")}})
	id := conv["id"].(string)
	if conv["status"] != "pending" {
		t.Fatalf("conversion = %v, want pending for a reviewer", conv["status"])
	}
	for _, note := range []string{"", "   "} {
		res := w.e.must(422, req{method: "POST", path: "/api/v1/conversions/" + id + "/reject", token: w.rev, body: map[string]string{"note": note}})
		if f := fieldOf(res); f != "note" {
			t.Errorf("reject with note %q: error on %q, want note", note, f)
		}
	}
	conversion := func() map[string]any {
		for _, c := range w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: token})["conversions"].([]any) {
			if c := c.(map[string]any); c["id"] == id {
				return c
			}
		}
		t.Fatalf("conversion %s not on the record", id)
		return nil
	}
	if got := conversion(); got["status"] != "pending" {
		t.Fatalf("a refused rejection changed the conversion: %v", got["status"])
	}
	w.e.must(200, req{method: "POST", path: "/api/v1/conversions/" + id + "/reject", token: w.rev, body: map[string]string{"note": "  成果与课程内容不对应  "}})
	if got := conversion(); got["note"] != "成果与课程内容不对应" {
		t.Errorf("conversion note = %v", got["note"])
	}
	seen := w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/alerts", token: token})
	w.e.must(200, req{method: "POST", path: "/api/v1/learners/me/alerts/seen", token: token, body: map[string]string{"seenAt": seen["asOf"].(string)}})
	for _, a := range itemsOf(w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/alerts", token: token})) {
		if a["kind"] == "conversion_decided" {
			t.Fatalf("a seen decision is still an alert: %v", a)
		}
	}
	h := itemsOf(w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/alerts/history", token: token}))
	if len(h) != 1 || h[0]["kind"] != "conversion_decided" || h[0]["status"] != "rejected" || h[0]["note"] != "成果与课程内容不对应" || h[0]["new"] != false {
		t.Fatalf("history = %v, want the rejection with its reason, seen", h)
	}
	w.e.must(403, req{method: "GET", path: "/api/v1/learners/me/alerts/history", token: w.rev})
}

// fieldOf is the first field named in a validation error.
func fieldOf(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	ds, _ := e["details"].([]any)
	if len(ds) == 0 {
		return ""
	}
	d, _ := ds[0].(map[string]any)
	f, _ := d["field"].(string)
	return f
}
