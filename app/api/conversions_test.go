package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"creditbank/domain"
)

// district is a small world for conversion tests: an issuer, a converting
// institution with a reviewer and a manager, another converter, a learner.
type district struct {
	e          *env
	admin      string
	issuer     issuer
	conv       institution
	manager    string
	reviewer   string
	otherConv  institution
	otherRev   string
	learner    string
	learnerID  string
	nationalID string
}

func newDistrict(t *testing.T) *district {
	t.Helper()
	return newDistrictOn(t, newEnv(t))
}

// newDistrictOn builds the district on a prepared env.
func newDistrictOn(t *testing.T, e *env) *district {
	t.Helper()
	d := &district{e: e, admin: e.adminToken()}
	d.issuer = e.issuer(d.admin, "社区学院")
	d.conv = e.createInstitution(d.admin, "开放大学", []string{"convert"}, nil)
	d.manager = e.createStaff(d.admin, d.conv.id, "ou.manager", "manage")
	d.reviewer = e.createStaff(d.admin, d.conv.id, "ou.reviewer", "review")
	d.otherConv = e.createInstitution(d.admin, "别的高职", []string{"convert"}, nil)
	d.otherRev = e.createStaff(d.admin, d.otherConv.id, "hv.reviewer", "review", "manage")
	d.nationalID = nid(t, 100)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": d.nationalID, "name": "林静", "password": "learner-pass-1"}})
	d.learner = e.login(d.nationalID, "learner-pass-1")
	d.learnerID = e.must(200, req{method: "GET", path: "/api/v1/me", token: d.learner})["accountId"].(string)
	return d
}

// deposit banks a community outcome of the given hours for the learner.
func (d *district) deposit(title string, hours float64) string {
	d.e.t.Helper()
	return d.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: outcomeBody(d.nationalID, "林静", title, hours)})["id"].(string)
}

// exemptionRule: community outcomes worth ≥ 4 credits → exemption (2 credits).
func (d *district) exemptionRule(approval string) map[string]any {
	return map[string]any{
		"code": "EXEMPT-CS101", "name": "社区教育成果免修计算机应用基础", "purpose": "exemption",
		"institutionId": d.conv.id, "target": map[string]any{"courseCode": "CS101", "credits": 2},
		"condition":       map[string]any{"op": "all", "items": []any{map[string]any{"category": "community"}}},
		"minTotalCredits": 4, "award": map[string]any{"mode": "fixed", "credits": 2},
		"exclusive": true, "approval": approval, "effectiveFrom": "2020-01-01",
	}
}

// published creates a rule as the manager and has the admin publish it.
func (d *district) published(rule map[string]any) string {
	d.e.t.Helper()
	id := d.e.must(201, req{method: "POST", path: "/api/v1/rules", token: d.manager, body: rule})["id"].(string)
	d.e.must(200, req{method: "POST", path: "/api/v1/rules/" + id + "/publish", token: d.admin})
	return id
}

func (d *district) record() map[string]any {
	d.e.t.Helper()
	return d.e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: d.learner})
}

func balance(rec map[string]any, field string) float64 {
	return rec["balance"].(map[string]any)[field].(float64)
}

func ledgerKinds(rec map[string]any) []string {
	var kinds []string
	for _, e := range rec["ledger"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	return kinds
}

func TestConversionWorkflowManualApproval(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("manual"))
	d.deposit("插花", 32) // 2 credits

	// Not yet eligible: 422 with the trace and a shortfall naming what is missing.
	res := e.do(req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	if res.status != 422 || res.errorCode(t) != "not_eligible" {
		t.Fatalf("ineligible apply: %d %s", res.status, res.body)
	}
	details := res.json(t)["error"].(map[string]any)["details"].(map[string]any)
	if details["eligible"] != false || details["shortfall"].(map[string]any)["credits"] != 2.0 || len(details["trace"].([]any)) == 0 {
		t.Errorf("details = %v", details)
	}

	d.deposit("合唱", 16) // 1 credit
	d.deposit("太极", 24) // 1.5 credits
	d.deposit("摄影", 8)  // 0.5 credits
	before := d.record()
	// Preview stores nothing.
	pv := e.must(200, req{method: "POST", path: "/api/v1/conversions/preview", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	if pv["eligible"] != true || pv["awardedCredits"] != 2.0 {
		t.Fatalf("preview = %v", pv)
	}
	if after := d.record(); after["account"].(map[string]any)["version"] != before["account"].(map[string]any)["version"] {
		t.Error("preview changed the account")
	}

	conv := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	if conv["status"] != "pending" || conv["ruleVersion"] != 1.0 {
		t.Fatalf("conversion = %v", conv)
	}
	used := conv["evaluation"].(map[string]any)["usedCredits"].(float64)
	if used < 4 || used > 4.5 {
		t.Errorf("used %v credits; the fewest reaching 4 is 4", used)
	}
	rec := d.record()
	if balance(rec, "earmarked") != used || balance(rec, "available") != 5-used {
		t.Errorf("balance after apply = %v", rec["balance"])
	}
	// A second live application of the same rule is a conflict.
	e.must(409, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})

	// The rule's reviewers see it; the other institution's do not and cannot decide it.
	queue := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=pending", token: d.reviewer})
	if items := queue["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != conv["id"] {
		t.Fatalf("queue = %v", queue)
	}
	item := queue["items"].([]any)[0].(map[string]any)
	if item["learnerName"] != "林静" || item["learnerNationalId"] != d.nationalID[:6]+"********"+d.nationalID[14:] {
		t.Errorf("reviewers see the applicant by name with a masked ID: %v / %v", item["learnerName"], item["learnerNationalId"])
	}
	other := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions", token: d.otherRev})
	if len(other["items"].([]any)) != 0 {
		t.Errorf("other institution sees %v", other)
	}
	convPath := "/api/v1/conversions/" + conv["id"].(string)
	e.must(404, req{method: "POST", path: convPath + "/approve", token: d.otherRev, body: map[string]string{"note": "x"}})
	e.must(403, req{method: "POST", path: convPath + "/approve", token: d.learner, body: map[string]string{"note": "x"}})
	e.must(403, req{method: "POST", path: convPath + "/approve", token: d.manager, body: map[string]string{"note": "x"}})
	e.must(404, req{method: "POST", path: "/api/v1/conversions/" + uuid.NewString() + "/approve", token: d.reviewer})

	ok := e.must(200, req{method: "POST", path: convPath + "/approve", token: d.reviewer, body: map[string]string{"note": "同意免修"}})
	if ok["status"] != "approved" || ok["note"] != "同意免修" || ok["decidedAt"] == nil {
		t.Fatalf("approved = %v", ok)
	}
	rec = d.record()
	if balance(rec, "spent") != used || balance(rec, "earmarked") != 0 || balance(rec, "available") != 5-used || rec["ledgerValid"] != true {
		t.Errorf("balance after approval = %v", rec["balance"])
	}
	kinds := ledgerKinds(rec)
	if got := kinds[len(kinds)-3:]; got[0] != "earmark" || got[1] != "release" || got[2] != "spend" {
		t.Errorf("ledger tail = %v", got)
	}
	// Decided conversions cannot be decided again.
	e.must(409, req{method: "POST", path: convPath + "/reject", token: d.reviewer, body: map[string]string{"note": "x"}})
	if n := len(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=pending", token: d.reviewer})["items"].([]any)); n != 0 {
		t.Errorf("pending queue still has %d", n)
	}
}

func TestConversionRejectReleasesCredits(t *testing.T) {
	d := newDistrict(t)
	ruleID := d.published(d.exemptionRule("manual"))
	d.deposit("插花", 64) // 4 credits
	conv := d.e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	d.e.must(200, req{method: "POST", path: "/api/v1/conversions/" + conv["id"].(string) + "/reject", token: d.reviewer, body: map[string]string{"note": "材料不全"}})
	rec := d.record()
	if balance(rec, "available") != 4 || balance(rec, "earmarked") != 0 {
		t.Errorf("balance after rejection = %v", rec["balance"])
	}
	// After a rejection the learner may apply again.
	d.e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
}

func TestAutoApprovalAndRevocationCascade(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("auto"))
	first := d.deposit("插花", 64) // 4 credits
	conv := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	if conv["status"] != "approved" || conv["decidedBy"] != "auto" {
		t.Fatalf("auto conversion = %v", conv)
	}
	if rec := d.record(); balance(rec, "spent") != 4 || balance(rec, "available") != 0 {
		t.Fatalf("balance = %v", rec["balance"])
	}

	// The issuer revokes the outcome the conversion relied on.
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + first + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "录入错误"}})
	rec := d.record()
	c := rec["conversions"].([]any)[0].(map[string]any)
	if c["status"] != "needs_review" {
		t.Fatalf("conversion after revocation = %v", c["status"])
	}
	kinds := ledgerKinds(rec)
	if got := kinds[len(kinds)-2:]; got[0] != "reverse" || got[1] != "revoke" {
		t.Errorf("ledger tail = %v", kinds)
	}
	if balance(rec, "spent") != 0 || balance(rec, "available") != 0 || balance(rec, "banked") != 0 || rec["ledgerValid"] != true {
		t.Errorf("balance after revocation = %v", rec["balance"])
	}
	queue := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=needs_review", token: d.reviewer})
	if len(queue["items"].([]any)) != 1 {
		t.Fatalf("needs_review queue = %v", queue)
	}
	convPath := "/api/v1/conversions/" + conv["id"].(string)
	// Re-approval re-evaluates: nothing left to use, so it is refused with the trace.
	res := e.do(req{method: "POST", path: convPath + "/approve", token: d.reviewer, body: map[string]string{"note": "复核"}})
	if res.status != 422 || res.errorCode(t) != "not_eligible" {
		t.Fatalf("re-approve without outcomes: %d %s", res.status, res.body)
	}
	// With a new qualifying outcome the reviewer can approve again.
	d.deposit("书法", 80) // 5 credits
	again := e.must(200, req{method: "POST", path: convPath + "/approve", token: d.reviewer, body: map[string]string{"note": "复核通过"}})
	if again["status"] != "approved" || again["spent"] != 5.0 {
		t.Fatalf("re-approved = %v", again)
	}
	if rec := d.record(); balance(rec, "available") != 0 || balance(rec, "spent") != 5 || rec["ledgerValid"] != true {
		t.Errorf("balance after re-approval = %v", rec["balance"])
	}
}

func TestConcurrentApplicationsOfOneExclusiveRule(t *testing.T) {
	d := newDistrict(t)
	ruleID := d.published(d.exemptionRule("manual"))
	d.deposit("插花", 64)
	d.deposit("书法", 64)
	const n = 100
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i] = d.e.do(req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}}).status
		}(i)
	}
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	if counts[201] != 1 || counts[201]+counts[409]+counts[422] != n {
		t.Fatalf("statuses = %v, want one 201 and the rest 409/422", counts)
	}
	acc, err := d.e.store.GetAccount(context.Background(), uuid.MustParse(d.learnerID))
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Conversions) != 1 {
		t.Errorf("%d conversions stored, want 1", len(acc.Conversions))
	}
	if err := acc.VerifyLedger(); err != nil {
		t.Error(err)
	}
}

// idFrom makes a valid national ID with the given address code and birth
// date (YYYYMMDD).
func idFrom(t *testing.T, region, birth string, seq int) string {
	t.Helper()
	id, err := domain.CompleteNationalID(region + birth + pad3(seq))
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}

// cells indexes a simulation breakdown by key.
func cells(t *testing.T, sim map[string]any, name string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	list, ok := sim[name].([]any)
	if !ok {
		t.Fatalf("simulation has no %s: %v", name, sim)
	}
	for _, c := range list {
		m := c.(map[string]any)
		out[m["key"].(string)] = m
	}
	return out
}

func TestSimulationReportsSuppressedAggregates(t *testing.T) {
	d := newDistrict(t)
	ruleID := d.e.must(201, req{method: "POST", path: "/api/v1/rules", token: d.manager, body: d.exemptionRule("manual")})["id"].(string)
	deposit := func(id string, hours float64) {
		t.Helper()
		d.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: outcomeBody(id, "学员", "课", hours)})
	}
	// Six eligible in 110105 born 1985 (40s), five in 310101 born 1950
	// (70+), one in 440103 born 2000 (20s), and one short of credits.
	for i := 0; i < 6; i++ {
		deposit(nid(t, 200+i), 64)
	}
	for i := 0; i < 5; i++ {
		deposit(idFrom(t, "310101", "19500601", i), 64)
	}
	deposit(idFrom(t, "440103", "20000101", 1), 80)
	deposit(nid(t, 300), 16)
	for _, token := range []string{d.manager, d.reviewer, d.admin} {
		sim := d.e.must(200, req{method: "POST", path: "/api/v1/rules/" + ruleID + "/simulate", token: token})
		if sim["evaluated"] != 14.0 || sim["eligible"] != 12.0 || sim["credits"] != 24.0 || sim["suppressed"] != false {
			t.Errorf("simulation = evaluated %v eligible %v credits %v suppressed %v", sim["evaluated"], sim["eligible"], sim["credits"], sim["suppressed"])
		}
		if _, ok := sim["samples"]; ok {
			t.Error("a simulation returned samples")
		}
		shown := func(name, key string, eligible, credits float64) {
			t.Helper()
			c := cells(t, sim, name)[key]
			if c == nil || c["suppressed"] != false || c["eligible"] != eligible || c["credits"] != credits {
				t.Errorf("%s[%s] = %v, want %v eligible, %v credits", name, key, c, eligible, credits)
			}
		}
		hidden := func(name, key string) {
			t.Helper()
			c := cells(t, sim, name)[key]
			if c == nil || c["suppressed"] != true || c["eligible"] != nil || c["credits"] != nil {
				t.Errorf("%s[%s] = %v, want it listed as suppressed", name, key, c)
			}
		}
		shown("byCategory", "community", 12, 24)
		hidden("byCategory", "senior") // zero is as telling as one
		shown("byRegion", "110105", 6, 12)
		// 440103 has one account: folded into other, which is suppressed,
		// and so is the smallest shown region, or 12 − 6 − 5 would give it away.
		hidden("byRegion", "other")
		hidden("byRegion", "310101")
		if _, named := cells(t, sim, "byRegion")["440103"]; named {
			t.Error("a region of one account is named")
		}
		shown("byAgeBand", "40-49", 6, 12)
		hidden("byAgeBand", "18-29")
		hidden("byAgeBand", "70+")
	}
	// A draft does not exist for other institutions or learners.
	d.e.must(404, req{method: "POST", path: "/api/v1/rules/" + ruleID + "/simulate", token: d.otherRev})
	d.e.must(404, req{method: "POST", path: "/api/v1/rules/" + ruleID + "/simulate", token: d.learner})
}

// A converting institution writes a draft that matches a course another
// institution issued to one learner: the simulation must not tell it the
// outcome, the learner or why they qualify, and not even that one does.
func TestSimulationOfOneLearnersCourseLeaksNothing(t *testing.T) {
	d := newDistrict(t)
	outcomeID := d.deposit("心理咨询个案督导", 64)
	rule := d.exemptionRule("manual")
	rule["condition"] = map[string]any{"op": "all", "items": []any{map[string]any{"courseCode": "C-心理咨询个案督导"}}}
	delete(rule, "minTotalCredits")
	rule["award"] = map[string]any{"mode": "sum", "ratio": 1}
	ruleID := d.e.must(201, req{method: "POST", path: "/api/v1/rules", token: d.manager, body: rule})["id"].(string)
	res := d.e.do(req{method: "POST", path: "/api/v1/rules/" + ruleID + "/simulate", token: d.manager})
	if res.status != 200 {
		t.Fatalf("simulate = %d %s", res.status, res.body)
	}
	body := string(res.body)
	for _, secret := range []string{"心理咨询", outcomeID, d.learnerID, "林静", "trace", "samples", "used", d.nationalID[:6] + "*"} {
		if strings.Contains(body, secret) {
			t.Errorf("simulation body contains %q: %s", secret, body)
		}
	}
	var sim map[string]any
	if err := json.Unmarshal(res.body, &sim); err != nil {
		t.Fatal(err)
	}
	if sim["evaluated"] != 1.0 || sim["eligible"] != nil || sim["credits"] != nil || sim["suppressed"] != true || sim["minCellSize"] != 5.0 {
		t.Errorf("simulation of one learner = %v, want eligible and credits suppressed", sim)
	}
	for _, name := range []string{"byCategory", "byRegion", "byAgeBand"} {
		for key, c := range cells(t, sim, name) {
			if c["suppressed"] != true || c["eligible"] != nil || c["credits"] != nil {
				t.Errorf("%s[%s] = %v, want suppressed", name, key, c)
			}
		}
	}
	// The learner's region has one account: it is not named.
	if _, named := cells(t, sim, "byRegion")[d.nationalID[:6]]; named {
		t.Error("the lone learner's region is named")
	}
	if _, ok := cells(t, sim, "byRegion")["other"]; !ok {
		t.Error("the lone learner's region is not folded into other")
	}
}

// TestReviewQueueShowsEachUsedOutcomeInFull: the reviewer reads the used
// outcome's score, hours, completion date and issuer, and after its
// revocation when and why it was revoked, and by which institution.
func TestReviewQueueShowsEachUsedOutcomeInFull(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("auto"))
	used := d.deposit("插花", 64)
	e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + used + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "录入错误"}})

	queue := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=needs_review", token: d.reviewer})
	items := queue["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("needs_review queue = %v", queue)
	}
	evidence, _ := items[0].(map[string]any)["evidence"].([]any)
	if len(evidence) != 1 {
		t.Fatalf("evidence = %v, want the one used outcome", evidence)
	}
	ev := evidence[0].(map[string]any)
	result, _ := ev["result"].(map[string]any)
	var recorded map[string]any
	for _, o := range d.record()["outcomes"].([]any) {
		if o.(map[string]any)["id"] == used {
			recorded = o.(map[string]any)
		}
	}
	if recorded == nil || recorded["completedOn"] == "" {
		t.Fatalf("the learner's record lacks outcome %s", used)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"id", ev["id"], used},
		{"title", ev["title"], "插花"},
		{"hours", ev["hours"], 64.0},
		{"score", result["score"], 88.0},
		{"completedOn", ev["completedOn"], recorded["completedOn"]},
		{"issuerName", ev["issuerName"], "社区学院"},
		{"status", ev["status"], "revoked"},
		{"revokedReason", ev["revokedReason"], "录入错误"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("evidence %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if ev["revokedAt"] == nil {
		t.Error("evidence does not say when the outcome was revoked")
	}
}
