package api_test

import (
	"testing"
)

func TestRuleLifecycleAndVersions(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	rule := d.exemptionRule("manual")

	// Who may write: the converting institution's manager, not its reviewer, not another institution.
	e.must(403, req{method: "POST", path: "/api/v1/rules", token: d.reviewer, body: rule})
	e.must(403, req{method: "POST", path: "/api/v1/rules", token: d.otherRev, body: rule})
	e.must(403, req{method: "POST", path: "/api/v1/rules", token: d.learner, body: rule})
	notConverter := d.exemptionRule("manual")
	notConverter["institutionId"] = d.issuer.id
	if res := e.do(req{method: "POST", path: "/api/v1/rules", token: d.admin, body: notConverter}); res.status != 422 || !hasProblem(res.json(t), "institutionId") {
		t.Errorf("rule for a non-converting institution: %d %s", res.status, res.body)
	}

	draft := e.must(201, req{method: "POST", path: "/api/v1/rules", token: d.manager, body: rule})
	id := draft["id"].(string)
	if draft["status"] != "draft" || draft["version"] != 1.0 {
		t.Fatalf("draft = %v", draft)
	}
	// Drafts are invisible outside the institution.
	e.must(404, req{method: "GET", path: "/api/v1/rules/" + id})
	e.must(404, req{method: "GET", path: "/api/v1/rules/" + id, token: d.learner})
	e.must(200, req{method: "GET", path: "/api/v1/rules/" + id, token: d.reviewer})
	e.must(404, req{method: "POST", path: "/api/v1/conversions/preview", token: d.learner, body: map[string]string{"ruleId": id}})

	// Drafts are edited in place.
	rule["name"] = "免修（修订）"
	edited := e.must(200, req{method: "PUT", path: "/api/v1/rules/" + id, token: d.manager, body: rule})
	if edited["name"] != "免修（修订）" || edited["version"] != 1.0 || edited["id"] != id {
		t.Errorf("edited draft = %v", edited)
	}
	// Only admins publish.
	e.must(403, req{method: "POST", path: "/api/v1/rules/" + id + "/publish", token: d.manager})
	pub := e.must(200, req{method: "POST", path: "/api/v1/rules/" + id + "/publish", token: d.admin})
	if pub["status"] != "published" || pub["publishedAt"] == nil {
		t.Fatalf("published = %v", pub)
	}
	e.must(409, req{method: "POST", path: "/api/v1/rules/" + id + "/publish", token: d.admin})
	if list := e.must(200, req{method: "GET", path: "/api/v1/rules"}); len(list["items"].([]any)) != 1 {
		t.Errorf("public rule list = %v", list)
	}

	// A conversion decided under version 1 keeps it.
	d.deposit("插花", 64)
	conv := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": id}})

	// Editing a published rule creates version 2 as a new draft; version 1 is untouched.
	rule["minTotalCredits"] = 6
	v2 := e.must(201, req{method: "PUT", path: "/api/v1/rules/" + id, token: d.manager, body: rule})
	if v2["version"] != 2.0 || v2["status"] != "draft" || v2["id"] == id || v2["code"] != "EXEMPT-CS101" {
		t.Fatalf("v2 = %v", v2)
	}
	if v1 := e.must(200, req{method: "GET", path: "/api/v1/rules/" + id}); v1["minTotalCredits"] != 4.0 || v1["status"] != "published" {
		t.Errorf("v1 changed: %v", v1)
	}
	e.must(409, req{method: "PUT", path: "/api/v1/rules/" + id, token: d.manager, body: rule})
	e.must(200, req{method: "POST", path: "/api/v1/rules/" + v2["id"].(string) + "/publish", token: d.admin})
	if v1 := e.must(200, req{method: "GET", path: "/api/v1/rules/" + id}); v1["status"] != "retired" {
		t.Errorf("publishing v2 should retire v1: %v", v1["status"])
	}
	// The pending conversion still approves under version 1.
	ok := e.must(200, req{method: "POST", path: "/api/v1/conversions/" + conv["id"].(string) + "/approve", token: d.reviewer, body: map[string]string{"note": "ok"}})
	if ok["ruleVersion"] != 1.0 || ok["status"] != "approved" {
		t.Errorf("approved under = %v", ok)
	}
	e.must(200, req{method: "POST", path: "/api/v1/rules/" + v2["id"].(string) + "/retire", token: d.manager})
	e.must(403, req{method: "POST", path: "/api/v1/rules/" + v2["id"].(string) + "/retire", token: d.otherRev})
}

func TestRuleValidationNamesJSONPaths(t *testing.T) {
	d := newDistrict(t)
	rule := d.exemptionRule("manual")
	rule["condition"] = map[string]any{"op": "all", "items": []any{
		map[string]any{"category": "community"},
		map[string]any{"category": "astrology"},
		map[string]any{"op": "n_of", "n": 3, "items": []any{map[string]any{"category": "senior"}, map[string]any{"minScore": 80}}},
	}}
	rule["award"] = map[string]any{"mode": "fixed", "credits": 0.3}
	rule["caps"] = []any{map[string]any{"scope": "per_week", "maxCredits": 2}}
	res := d.e.do(req{method: "POST", path: "/api/v1/rules", token: d.manager, body: rule})
	if res.status != 422 {
		t.Fatalf("bad rule: %d %s", res.status, res.body)
	}
	body := res.json(t)
	for _, field := range []string{"condition.items[1].category", "condition.items[2].n", "award.credits", "caps[0].scope"} {
		if !hasProblem(body, field) {
			t.Errorf("no problem reported at %s: %s", field, res.body)
		}
	}
	// A node cannot be both a group and a match.
	rule = d.exemptionRule("manual")
	rule["condition"] = map[string]any{"op": "all", "items": []any{map[string]any{"op": "any", "category": "community", "items": []any{}}}}
	if res := d.e.do(req{method: "POST", path: "/api/v1/rules", token: d.manager, body: rule}); res.status != 422 || !hasProblem(res.json(t), "condition.items[0]") {
		t.Errorf("mixed node: %d %s", res.status, res.body)
	}
}

// TestRuleValidationGivesProblemCodes: beside the English reason, each rule
// problem carries a stable code and its numbers, which the UI words in its
// reader's language.
func TestRuleValidationGivesProblemCodes(t *testing.T) {
	d := newDistrict(t)
	rule := d.exemptionRule("manual")
	rule["award"] = map[string]any{"mode": "fixed", "credits": 0.3}
	rule["noticeDays"] = 99
	rule["condition"] = map[string]any{"op": "all", "items": []any{map[string]any{"category": "community", "minScore": 150}}}
	res := d.e.do(req{method: "POST", path: "/api/v1/rules", token: d.manager, body: rule})
	if res.status != 422 {
		t.Fatalf("bad rule: %d %s", res.status, res.body)
	}
	body := res.json(t)
	tests := []struct {
		field, code string
		params      map[string]any
	}{
		{"award.credits", "half_step", nil},
		{"noticeDays", "between", map[string]any{"min": 0.0, "max": 60.0}},
		{"condition.items[0].minScore", "at_most", map[string]any{"max": 100.0}},
	}
	details, _ := body["error"].(map[string]any)["details"].([]any)
	for _, tc := range tests {
		var got map[string]any
		for _, d := range details {
			if m, ok := d.(map[string]any); ok && m["field"] == tc.field {
				got = m
			}
		}
		if got == nil {
			t.Errorf("no problem at %s: %s", tc.field, res.body)
			continue
		}
		if got["code"] != tc.code || got["reason"] == "" {
			t.Errorf("%s: code %v reason %v, want code %s and a reason", tc.field, got["code"], got["reason"], tc.code)
		}
		params, _ := got["params"].(map[string]any)
		for k, v := range tc.params {
			if params[k] != v {
				t.Errorf("%s: params %v, want %s=%v", tc.field, params, k, v)
			}
		}
	}
}
