package api_test

import (
	"strings"
	"testing"
)

// unitRule is a published manual rule of the district's converting
// institution (or another) over a condition; mods adjust the body.
func (d *district) unitRule(inst, code string, cond map[string]any, mods ...func(map[string]any)) string {
	d.e.t.Helper()
	b := map[string]any{
		"code": code, "name": "认证单元学分认定 " + code, "purpose": "credit", "institutionId": inst,
		"target": map[string]any{"credits": 2}, "condition": cond,
		"award": map[string]any{"mode": "fixed", "credits": 2}, "exclusive": false, "approval": "manual", "effectiveFrom": "2020-01-01",
	}
	for _, m := range mods {
		m(b)
	}
	if inst == d.otherConv.id {
		id := d.e.must(201, req{method: "POST", path: "/api/v1/rules", token: d.otherRev, body: b})["id"].(string)
		d.e.must(200, req{method: "POST", path: "/api/v1/rules/" + id + "/publish", token: d.admin})
		return id
	}
	return d.published(b)
}

func all(items ...map[string]any) map[string]any {
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return map[string]any{"op": "all", "items": list}
}

// depositWith banks a community outcome with extra fields (level, unitCode).
func (d *district) depositWith(title string, hours float64, extra map[string]any) map[string]any {
	d.e.t.Helper()
	b := outcomeBody(d.nationalID, "林静", title, hours)
	for k, v := range extra {
		b[k] = v
	}
	return d.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: b})
}

// traceText joins an evaluation's trace as "code: message" lines.
func traceText(ev map[string]any) string {
	var lines []string
	for _, s := range ev["trace"].([]any) {
		st := s.(map[string]any)
		lines = append(lines, st["code"].(string)+": "+st["message"].(string))
	}
	return strings.Join(lines, "\n")
}

func (d *district) preview(ruleID string) map[string]any {
	d.e.t.Helper()
	return d.e.must(200, req{method: "POST", path: "/api/v1/conversions/preview", token: d.learner, body: map[string]string{"ruleId": ruleID}})
}

func TestRuleMinLevelDecidesAndSaysSo(t *testing.T) {
	d := newDistrict(t)
	d.e.seedFramework(d.admin, 6)
	rule := d.unitRule(d.conv.id, "LEVEL-4", all(map[string]any{"category": "community", "minLevel": 4}))
	d.depositWith("社区讲师（三级）", 32, map[string]any{"level": 3})
	pv := d.preview(rule)
	if pv["eligible"] != false || !strings.Contains(traceText(pv), "等级 3 低于 4") {
		t.Fatalf("level 3 against minLevel 4: eligible=%v\n%s", pv["eligible"], traceText(pv))
	}
	d.depositWith("社区讲师（四级）", 32, map[string]any{"level": 4})
	pv = d.preview(rule)
	tr := traceText(pv)
	if pv["eligible"] != true || !strings.Contains(tr, "等级 ≥ 4") || !strings.Contains(tr, "「社区讲师（四级）」") {
		t.Fatalf("level 4 against minLevel 4: eligible=%v\n%s", pv["eligible"], tr)
	}
	used := pv["used"].([]any)
	if len(used) != 1 || used[0].(map[string]any)["title"] != "社区讲师（四级）" {
		t.Fatalf("used = %v", used)
	}
}

func TestRuleCapAndInstitutionCapBothBind(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	// An earlier conversion at the institution this year awarded 5 credits.
	d.deposit("旧课", 80) // 5 credits
	earlier := d.unitRule(d.conv.id, "EARLIER", all(map[string]any{"titleContains": "旧课"}), func(b map[string]any) {
		b["award"] = map[string]any{"mode": "sum", "ratio": 1}
	})
	c := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": earlier}})
	e.must(200, req{method: "POST", path: "/api/v1/conversions/" + c["id"].(string) + "/approve", token: d.reviewer})

	d.deposit("电工实训", 96) // 6 credits
	rule := d.unitRule(d.conv.id, "CAPPED", all(map[string]any{"titleContains": "电工"}), func(b map[string]any) {
		b["award"] = map[string]any{"mode": "sum", "ratio": 1}
		b["caps"] = []any{map[string]any{"scope": "per_year", "maxCredits": 10}}
		b["capPerYear"] = 4
	})
	got := e.must(200, req{method: "GET", path: "/api/v1/rules/" + rule, token: d.manager})
	if got["capPerYear"] != 4.0 {
		t.Fatalf("rule = %v", got)
	}
	pv := d.preview(rule)
	tr := traceText(pv)
	if pv["eligible"] != true || pv["awardedCredits"] != 4.0 {
		t.Fatalf("capped preview: %v\n%s", pv["awardedCredits"], tr)
	}
	for _, want := range []string{"cap.per_year: ", "在该机构已获转换 5 学分", "由 6 减为 5 学分", "cap.rule_per_year: ", "本规则年度上限 4 学分", "由 5 减为 4 学分"} {
		if !strings.Contains(tr, want) {
			t.Errorf("trace does not say %q:\n%s", want, tr)
		}
	}
}

func TestUnitCountedOnceAtAnInstitution(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	d.e.seedFramework(d.admin, 6)
	d.e.seedUnit(d.admin, "CE-101", "community", 2)
	d.depositWith("社区插花", 32, map[string]any{"unitCode": "CE-101"})
	cond := all(map[string]any{"unitCodes": []string{"ce-101"}})
	first := d.unitRule(d.conv.id, "UNIT-A", cond)
	c := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": first}})
	e.must(200, req{method: "POST", path: "/api/v1/conversions/" + c["id"].(string) + "/approve", token: d.reviewer})

	second := d.unitRule(d.conv.id, "UNIT-B", cond)
	res := e.do(req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": second}})
	if res.status != 422 || res.errorCode(t) != "not_eligible" {
		t.Fatalf("second conversion of the same unit: %d %s", res.status, res.body)
	}
	details := res.json(t)["error"].(map[string]any)["details"].(map[string]any)
	if tr := traceText(details); !strings.Contains(tr, "excluded.duplicate: ") || !strings.Contains(tr, "认证单元 CE-101") || !strings.Contains(tr, "UNIT-A") {
		t.Fatalf("the refusal does not give the reason:\n%s", tr)
	}
	// Another institution may count it.
	other := d.unitRule(d.otherConv.id, "UNIT-C", cond)
	e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": other}})
}
