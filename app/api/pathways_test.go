package api_test

import (
	"strings"
	"testing"
	"time"
)

// pathwayWorld is a district with a catalogue and two published rules: the
// open university's exemption for ≥ 4 community credits and its elective
// credit for one senior course of ≥ 32 hours.
type pathwayWorld struct {
	e      *env
	admin  string
	issuer issuer
	conv   institution
	rev    string
}

func newPathwayWorld(t *testing.T) *pathwayWorld {
	t.Helper()
	e := newEnv(t)
	w := &pathwayWorld{e: e, admin: e.adminToken()}
	inst := e.createInstitution(w.admin, "社区学院", []string{"issue"}, []string{"community", "senior", "certificate"})
	w.issuer = issuer{inst, e.createStaff(w.admin, inst.id, "cc.staff", "issue")}
	w.conv = e.createInstitution(w.admin, "开放大学", []string{"convert"}, nil)
	w.rev = e.createStaff(w.admin, w.conv.id, "ou.reviewer", "review")
	for _, c := range []struct {
		code, title, cat string
		hours            float64
	}{
		{"CC-1", "硬笔书法入门", "community", 24},   // 1.5 credits
		{"CC-2", "社区英语", "community", 40},     // 2.5 credits
		{"CC-3", "社区志愿服务管理", "community", 72}, // 4.5 credits
		{"SU-1", "老年摄影", "senior", 32},
		{"SU-2", "太极拳", "senior", 48},
	} {
		e.createCourse(w.issuer.staff, c.code, c.title, c.cat, c.hours)
	}
	w.publish(map[string]any{
		"code": "EXEMPT", "name": "社区教育成果免修", "purpose": "exemption", "institutionId": w.conv.id,
		"target":    map[string]any{"courseCode": "CS101", "credits": 2},
		"condition": map[string]any{"op": "all", "items": []any{map[string]any{"category": "community"}}}, "minTotalCredits": 4,
		"award": map[string]any{"mode": "fixed", "credits": 2}, "exclusive": true, "approval": "manual", "effectiveFrom": "2020-01-01"})
	w.publish(map[string]any{
		"code": "ELECTIVE", "name": "老年大学课程认定选修学分", "purpose": "credit", "institutionId": w.conv.id,
		"target":    map[string]any{"credits": 1},
		"condition": map[string]any{"op": "all", "items": []any{map[string]any{"category": "senior", "minHours": 32}}},
		"award":     map[string]any{"mode": "fixed", "credits": 1}, "exclusive": true, "approval": "manual", "effectiveFrom": "2020-01-01"})
	return w
}

func (w *pathwayWorld) publish(rule map[string]any) string {
	w.e.t.Helper()
	id := w.e.must(201, req{method: "POST", path: "/api/v1/rules", token: w.admin, body: rule})["id"].(string)
	w.e.must(200, req{method: "POST", path: "/api/v1/rules/" + id + "/publish", token: w.admin})
	return id
}

// learner registers a learner and banks outcomes (category, hours, days ago).
func (w *pathwayWorld) learner(n int, name string, outcomes ...outcomeSpec) (token, nationalID string) {
	w.e.t.Helper()
	nationalID = nid(w.e.t, n)
	w.e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": nationalID, "name": name, "password": "learner-pass-1"}})
	for i, o := range outcomes {
		b := outcomeBody(nationalID, name, o.title, o.hours)
		b["category"] = o.category
		b["courseCode"] = "OWN-" + itoa(i)
		if o.expiresInDays > 0 {
			b["expiresOn"] = time.Now().AddDate(0, 0, o.expiresInDays).Format("2006-01-02")
		}
		w.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: w.issuer.staff, body: b})
	}
	return w.e.login(nationalID, "learner-pass-1"), nationalID
}

type outcomeSpec struct {
	category, title string
	hours           float64
	expiresInDays   int
}

func courseCodes(s map[string]any) string {
	var codes []string
	for _, c := range s["courses"].([]any) {
		codes = append(codes, c.(map[string]any)["code"].(string))
	}
	return strings.Join(codes, "+")
}

// TestPathwaySituations: learner situation → for each rule, ready or the
// shortfall and the top suggestion.
func TestPathwaySituations(t *testing.T) {
	w := newPathwayWorld(t)
	type expect struct {
		status, shortfall, top string
	}
	tests := []struct {
		name     string
		outcomes []outcomeSpec
		want     map[string]expect // by rule code
	}{
		{"new learner: two short courses beat one long one", nil, map[string]expect{
			"EXEMPT":   {"shortfall", "4 学分", "CC-1+CC-2"},
			"ELECTIVE": {"shortfall", "没有符合的成果", "SU-1"},
		}},
		{"2.5 community credits: the shortest course that closes 1.5", []outcomeSpec{{"community", "家庭理财", 40, 0}}, map[string]expect{
			"EXEMPT": {"shortfall", "需要再获得 1.5 学分", "CC-1"},
		}},
		{"enough community credits; a senior course too short", []outcomeSpec{{"community", "社区合唱", 72, 0}, {"senior", "老年书法", 24, 0}}, map[string]expect{
			"EXEMPT":   {"ready", "", ""},
			"ELECTIVE": {"shortfall", "学时 ≥ 32", "SU-1"},
		}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			token, _ := w.learner(500+i, "学员"+itoa(i), tc.outcomes...)
			res := w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/pathways", token: token})
			got := map[string]map[string]any{}
			for _, p := range itemsOf(res) {
				got[p["rule"].(map[string]any)["code"].(string)] = p
			}
			for code, want := range tc.want {
				p, ok := got[code]
				if !ok {
					t.Fatalf("no pathway for %s in %v", code, res)
				}
				if p["status"] != want.status {
					t.Fatalf("%s: status %v, want %s", code, p["status"], want.status)
				}
				sugg := p["suggestions"].([]any)
				if want.status == "ready" {
					if len(sugg) != 0 || p["shortfall"] != nil {
						t.Errorf("%s: ready but suggests %v / shortfall %v", code, sugg, p["shortfall"])
					}
					continue
				}
				msg, _ := p["shortfall"].(map[string]any)["message"].(string)
				if !strings.Contains(msg, want.shortfall) {
					t.Errorf("%s: shortfall %q does not mention %q", code, msg, want.shortfall)
				}
				if len(sugg) == 0 || courseCodes(sugg[0].(map[string]any)) != want.top {
					t.Errorf("%s: suggestions %v, want %s first", code, sugg, want.top)
				}
			}
		})
	}
	// A rule the learner has applied under is no longer a pathway.
	token, _ := w.learner(520, "已申请", outcomeSpec{"community", "社区合唱", 72, 0})
	w.e.must(201, req{method: "POST", path: "/api/v1/conversions", token: token, body: map[string]string{"ruleId": w.ruleID(t, "EXEMPT")}})
	for _, p := range itemsOf(w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/pathways", token: token})) {
		if p["rule"].(map[string]any)["code"] == "EXEMPT" {
			t.Errorf("applied rule still listed: %v", p)
		}
	}
}

func (w *pathwayWorld) ruleID(t *testing.T, code string) string {
	t.Helper()
	rs := itemsOf(w.e.must(200, req{method: "GET", path: "/api/v1/rules?status=published&code=" + code}))
	if len(rs) != 1 {
		t.Fatalf("rule %s: %v", code, rs)
	}
	return rs[0]["id"].(string)
}

func TestLearnerAlerts(t *testing.T) {
	w := newPathwayWorld(t)
	token, _ := w.learner(600, "提醒学员",
		outcomeSpec{"certificate", "育婴员证书", 96, 30}, outcomeSpec{"certificate", "远期证书", 96, 400},
		outcomeSpec{"community", "社区合唱", 72, 0})
	alerts := func() map[string]any {
		return w.e.must(200, req{method: "GET", path: "/api/v1/learners/me/alerts", token: token})
	}
	kinds := func(m map[string]any) string {
		var out []string
		for _, a := range itemsOf(m) {
			k := a["kind"].(string)
			if a["new"] == true {
				k += "*"
			}
			out = append(out, k)
		}
		return strings.Join(out, ",")
	}
	first := alerts()
	if kinds(first) != "certificate_expiring*" || first["unseen"] != 1.0 || itemsOf(first)[0]["title"] != "育婴员证书" {
		t.Fatalf("alerts = %v", first)
	}
	if d := itemsOf(first)[0]["daysLeft"].(float64); d < 29 || d > 30 {
		t.Errorf("daysLeft = %v, want 30 (or 29 across midnight)", d)
	}

	// A conversion whose outcome is revoked needs review.
	conv := w.e.must(201, req{method: "POST", path: "/api/v1/conversions", token: token, body: map[string]string{"ruleId": w.ruleID(t, "EXEMPT")}})
	used := conv["evaluation"].(map[string]any)["used"].([]any)[0].(map[string]any)["outcomeId"].(string)
	w.e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + used + "/revoke", token: w.issuer.staff, body: map[string]string{"reason": "录入错误"}})
	if got := kinds(alerts()); got != "conversion_needs_review*,certificate_expiring*" {
		t.Fatalf("after revocation: %s", got)
	}

	// Marking seen clears what is no longer news; the review stays open.
	seen := alerts()
	after := w.e.must(200, req{method: "POST", path: "/api/v1/learners/me/alerts/seen", token: token, body: map[string]string{"seenAt": seen["asOf"].(string)}})
	if kinds(after) != "conversion_needs_review*,certificate_expiring" || after["unseen"] != 1.0 {
		t.Fatalf("after marking seen: %v", after)
	}
	w.e.must(422, req{method: "POST", path: "/api/v1/learners/me/alerts/seen", token: token,
		body: map[string]string{"seenAt": time.Now().Add(time.Hour).Format(time.RFC3339)}})

	// The reviewer decides again: a decision after the last look is news.
	w.e.must(200, req{method: "POST", path: "/api/v1/conversions/" + conv["id"].(string) + "/reject", token: w.rev, body: map[string]string{"note": "成果已撤销"}})
	if got := kinds(alerts()); got != "conversion_decided*,certificate_expiring" {
		t.Fatalf("after the decision: %s", got)
	}
}
