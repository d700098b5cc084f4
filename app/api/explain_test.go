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
