package api_test

import "testing"

func TestDistrictStats(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("auto"))
	d.deposit("插花", 64)                               // 4 credits
	revoked := d.deposit("合唱", 16)                    // 1 credit, revoked below
	other := outcomeBody(nid(t, 400), "路人", "舞蹈", 32) // 2 credits, a second (unclaimed) account
	other["completedOn"] = "2024-02-10"
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: other})
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + revoked + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "重复录入"}})
	e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})

	e.must(403, req{method: "GET", path: "/api/v1/stats", token: d.manager})
	e.must(403, req{method: "GET", path: "/api/v1/stats", token: d.learner})
	e.must(401, req{method: "GET", path: "/api/v1/stats"})
	st := e.must(200, req{method: "GET", path: "/api/v1/stats", token: d.admin})
	checks := map[string]any{"accounts": 2.0, "claimedAccounts": 1.0, "outcomes": 2.0, "revokedOutcomes": 1.0, "credits": 6.0, "convertedCredits": 2.0}
	for k, v := range checks {
		if st[k] != v {
			t.Errorf("%s = %v, want %v", k, st[k], v)
		}
	}
	if c := st["byCategory"].(map[string]any)["community"].(map[string]any); c["outcomes"] != 2.0 || c["credits"] != 6.0 {
		t.Errorf("byCategory = %v", st["byCategory"])
	}
	byInst := st["byInstitution"].([]any)
	if len(byInst) != 1 || byInst[0].(map[string]any)["name"] != "社区学院" || byInst[0].(map[string]any)["credits"] != 6.0 {
		t.Errorf("byInstitution = %v", byInst)
	}
	if r := st["byRegion"].(map[string]any)["示范区"].(map[string]any); r["credits"] != 6.0 {
		t.Errorf("byRegion = %v", st["byRegion"])
	}
	months := st["byMonth"].([]any)
	if len(months) != 2 || months[0].(map[string]any)["month"] != "2024-02" {
		t.Errorf("byMonth = %v", months)
	}
	// Only the learner has an outcome in the last twelve months; the other
	// account's last one is from 2024.
	if st["activeLearners"] != 1.0 {
		t.Errorf("activeLearners = %v, want 1", st["activeLearners"])
	}
	bands, total := st["learnersByAgeBand"].(map[string]any), 0.0
	for _, n := range bands {
		total += n.(float64)
	}
	if total != 2 {
		t.Errorf("learnersByAgeBand = %v, want 2 learners in all", bands)
	}
	if st["conversions"].(map[string]any)["approved"] != 1.0 {
		t.Errorf("conversions = %v", st["conversions"])
	}
}
