package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestPathwayExplainsAsData: what is missing and each step come as data a
// client can word in any language — the reason, the categories that would
// help, the item by its number in the rule and what it asks — beside the
// Chinese message the API always had; suggested courses say what they bank.
func TestPathwayExplainsAsData(t *testing.T) {
	w := newPathwayWorld(t)
	token, _ := w.learner(700, "数据学员", outcomeSpec{"community", "家庭理财", 40, 0}, outcomeSpec{"senior", "老年书法", 24, 0})
	res := w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/pathways", token: token})
	got := map[string]map[string]any{}
	for _, p := range itemsOf(res) {
		got[p["rule"].(map[string]any)["code"].(string)] = p
	}
	asJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }

	sf := got["EXEMPT"]["shortfall"].(map[string]any)
	if sf["reason"] != "credits" || sf["credits"] != 1.5 || asJSON(sf["categories"]) != `["community"]` || !strings.Contains(sf["message"].(string), "1.5 学分") {
		t.Errorf("EXEMPT shortfall = %s", asJSON(sf))
	}
	if c := got["EXEMPT"]["suggestions"].([]any)[0].(map[string]any)["courses"].([]any)[0].(map[string]any); c["bankCredits"] != 1.5 {
		t.Errorf("suggested course = %s, want bankCredits 1.5", asJSON(c))
	}

	sf = got["ELECTIVE"]["shortfall"].(map[string]any)
	missing := sf["missing"].([]any)
	if sf["reason"] != "items" || len(missing) != 1 {
		t.Fatalf("ELECTIVE shortfall = %s", asJSON(sf))
	}
	item := missing[0].(map[string]any)["item"].(map[string]any)
	match := item["match"].(map[string]any)
	if item["number"] != "1" || item["path"] != "condition.items[0]" || match["category"] != "senior" || match["minHours"] != 32.0 {
		t.Errorf("missing item = %s", asJSON(item))
	}
	var fail map[string]any
	for _, s := range got["ELECTIVE"]["evaluation"].(map[string]any)["trace"].([]any) {
		if s := s.(map[string]any); s["code"] == "match.fail" {
			fail = s
		}
	}
	if fail == nil {
		t.Fatal("no match.fail step")
	}
	misses := fail["facts"].(map[string]any)["misses"].([]any)
	if m := misses[0].(map[string]any); len(misses) != 1 || m["title"] != "老年书法" || m["field"] != "hours" || m["have"] != "24" || m["want"] != "32" {
		t.Errorf("near misses = %s", asJSON(misses))
	}
}

// TestSavedConversionExplainsAsData: a conversion keeps its evaluation's
// data, so after a restart (nothing cached) the learner's record and the
// reviewers' queue give each step's facts as the fresh evaluation did, and
// a client words a saved conversion in its reader's language too.
func TestSavedConversionExplainsAsData(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("manual"))
	d.deposit("插花", 64) // 4 credits
	conv := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	fresh := conv["evaluation"].(map[string]any)["trace"].([]any)
	asJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	var eligible map[string]any
	for _, s := range fresh {
		if s := s.(map[string]any); s["code"] == "eligible" {
			eligible, _ = s["facts"].(map[string]any)
		}
	}
	if eligible == nil || eligible["form"] != "awarded" || eligible["credits"] != 2.0 || eligible["from"] != 4.0 {
		t.Fatalf("the fresh evaluation's eligible step = %s", asJSON(eligible))
	}

	e.restart()
	var saved []any
	for _, c := range d.record()["conversions"].([]any) {
		if c := c.(map[string]any); c["id"] == conv["id"] {
			saved = c["evaluation"].(map[string]any)["trace"].([]any)
		}
	}
	if asJSON(saved) != asJSON(fresh) {
		t.Errorf("the learner's record words the saved conversion otherwise than the fresh evaluation:\n got %s\nwant %s", asJSON(saved), asJSON(fresh))
	}
	queue := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=pending", token: d.reviewer})["items"].([]any)
	if len(queue) != 1 {
		t.Fatalf("review queue = %s", asJSON(queue))
	}
	if got := queue[0].(map[string]any)["evaluation"].(map[string]any)["trace"]; asJSON(got) != asJSON(fresh) {
		t.Errorf("the review queue words the saved conversion otherwise than the fresh evaluation:\n got %s\nwant %s", asJSON(got), asJSON(fresh))
	}
}
