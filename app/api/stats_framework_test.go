package api_test

import (
	"testing"
	"time"
)

func TestStatsByLevelUnitNoticeObjectionAppeal(t *testing.T) {
	d, clock := newDistrictWithClock(t)
	e := d.e
	e.seedFramework(d.admin, 6)
	e.seedUnit(d.admin, "CE-201", "community", 2)
	d.depositWith("社区插花", 0, map[string]any{"unitCode": "CE-201", "hours": nil}) // 2 credits, level 2
	d.depositWith("社区讲师", 48, map[string]any{"level": 4})                        // 3 credits, level 4

	// One conversion through notice, objected to and approved again, final.
	rule := d.noticeRule()
	id := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": rule}})["id"].(string)
	path := "/api/v1/conversions/" + id
	clock.advance(2 * 24 * time.Hour)
	e.must(200, req{method: "POST", path: path + "/approve", token: d.reviewer, body: map[string]string{"note": "同意"}})
	e.must(201, req{method: "POST", path: path + "/objections", token: d.otherRev, body: map[string]string{"reason": "存疑"}})
	e.must(200, req{method: "POST", path: path + "/approve", token: d.reviewer, body: map[string]string{"note": "异议不成立"}})
	clock.advance(6 * 24 * time.Hour)
	e.must(200, req{method: "GET", path: "/api/v1/notices"})

	// Another learner's conversion rejected, appealed and upheld.
	other := e.createStaff(d.admin, d.conv.id, "ou.reviewer2", "review")
	rule2 := d.unitRule(d.conv.id, "LEVEL4", all(map[string]any{"minLevel": 4}))
	id2 := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": rule2}})["id"].(string)
	e.must(200, req{method: "POST", path: "/api/v1/conversions/" + id2 + "/reject", token: d.reviewer, body: map[string]string{"note": "不符合"}})
	e.must(201, req{method: "POST", path: "/api/v1/conversions/" + id2 + "/appeal", token: d.learner, body: map[string]string{"reason": "符合"}})
	clock.advance(3 * 24 * time.Hour)
	e.must(200, req{method: "POST", path: "/api/v1/conversions/" + id2 + "/approve", token: other, body: map[string]string{"note": "复议同意"}})

	st := e.must(200, req{method: "GET", path: "/api/v1/stats", token: d.admin})
	levels := st["byLevel"].([]any)
	if len(levels) != 2 || levels[0].(map[string]any)["level"] != 2.0 || levels[0].(map[string]any)["credits"] != 2.0 ||
		levels[1].(map[string]any)["level"] != 4.0 || levels[1].(map[string]any)["credits"] != 3.0 {
		t.Fatalf("byLevel = %v", levels)
	}
	units := st["byUnit"].([]any)
	if len(units) != 1 || units[0].(map[string]any)["unitCode"] != "CE-201" || units[0].(map[string]any)["outcomes"] != 1.0 {
		t.Fatalf("byUnit = %v", units)
	}
	if n := st["notices"].(map[string]any); n["final"] != 1.0 || n["open"] != nil {
		t.Fatalf("notices = %v", n)
	}
	if o := st["objections"].(map[string]any); o["dismissed"] != 1.0 || len(o) != 1 {
		t.Fatalf("objections = %v", o)
	}
	if a := st["appeals"].(map[string]any); a["upheld"] != 1.0 || len(a) != 1 {
		t.Fatalf("appeals = %v", a)
	}
	// Decided: the first after 2 days (its latest decision came then too),
	// the appealed one 3 days after it was applied for.
	if st["decisions"] != 2.0 || st["meanDecisionDays"] != 2.5 || st["meanAppealDays"] != 3.0 {
		t.Fatalf("decisions %v, mean days %v, appeal days %v", st["decisions"], st["meanDecisionDays"], st["meanAppealDays"])
	}
	if st["conversions"].(map[string]any)["final"] != 2.0 {
		t.Fatalf("conversions by status = %v", st["conversions"])
	}
}
