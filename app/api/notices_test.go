package api_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// testClock is the service's clock in a test: real time plus an offset the
// test moves forward.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// newDistrictWithClock is the conversion district on a service whose clock
// the test controls.
func newDistrictWithClock(t *testing.T) (*district, *testClock) {
	t.Helper()
	e := newEnv(t)
	clock := &testClock{}
	e.now = clock.now
	e.build(e.store)
	return newDistrictOn(t, e), clock
}

func (d *district) noticeRule() string {
	d.e.t.Helper()
	return d.unitRule(d.conv.id, "ADMIT-NOTICE", all(map[string]any{"category": "community"}), func(b map[string]any) {
		b["exclusive"] = true
		b["noticeDays"] = 5
	})
}

func (d *district) conversion(id string) map[string]any {
	d.e.t.Helper()
	for _, c := range d.record()["conversions"].([]any) {
		if m := c.(map[string]any); m["id"] == id {
			return m
		}
	}
	d.e.t.Fatalf("conversion %s not on the record", id)
	return nil
}

func alertKinds(e *env, token string) []string {
	e.t.Helper()
	var kinds []string
	for _, a := range itemsOf(e.must(200, req{method: "GET", path: "/api/v1/learners/me/alerts", token: token})) {
		kinds = append(kinds, a["kind"].(string))
	}
	return kinds
}

func TestNoticeObjectionReviewFinal(t *testing.T) {
	d, clock := newDistrictWithClock(t)
	e := d.e
	rule := d.noticeRule()
	d.deposit("社区插花", 32) // 2 credits
	c := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": rule}})
	id := c["id"].(string)
	path := "/api/v1/conversions/" + id
	ok := e.must(200, req{method: "POST", path: path + "/approve", token: d.reviewer, body: map[string]string{"note": "拟同意，公示五天"}})
	if ok["status"] != "in_notice" || ok["noticeEndsAt"] == nil {
		t.Fatalf("approved under notice = %v", ok)
	}
	if rec := d.record(); balance(rec, "earmarked") != 2 || balance(rec, "spent") != 0 {
		t.Fatalf("credits during notice: %v", rec["balance"])
	}

	// Anyone sees the notice, the learner's name masked.
	notices := itemsOf(e.must(200, req{method: "GET", path: "/api/v1/notices"}))
	if len(notices) != 1 || notices[0]["learner"] != "林*" || notices[0]["ruleCode"] != "ADMIT-NOTICE" ||
		notices[0]["institutionName"] != "开放大学" || notices[0]["recognised"].([]any)[0].(map[string]any)["title"] != "社区插花" {
		t.Fatalf("notices = %v", notices)
	}
	if strings.Contains(string(e.do(req{method: "GET", path: "/api/v1/notices"}).body), d.nationalID[:6]) {
		t.Fatal("the public notice shows the national ID")
	}

	// An objection by a signed-in person; anonymous ones are refused.
	e.must(401, req{method: "POST", path: path + "/objections", body: map[string]string{"reason": "匿名"}})
	objector := e.createStaff(d.admin, d.otherConv.id, "objector", "review")
	if res := e.do(req{method: "POST", path: path + "/objections", token: objector, body: map[string]string{"reason": " "}}); res.status != 422 {
		t.Fatalf("objection without a reason: %d %s", res.status, res.body)
	}
	clock.advance(2 * 24 * time.Hour)
	e.must(201, req{method: "POST", path: path + "/objections", token: objector, body: map[string]string{"reason": "该成果与另一次认定重复"}})
	conv := d.conversion(id)
	if conv["status"] != "pending" || conv["noticeEndsAt"] != nil {
		t.Fatalf("after the objection: %v", conv)
	}
	objs := conv["objections"].([]any)
	if len(objs) != 1 || objs[0].(map[string]any)["reason"] != "该成果与另一次认定重复" {
		t.Fatalf("objections on the record = %v", objs)
	}
	if raw := string(e.do(req{method: "GET", path: "/api/v1/learners/me/record", token: d.learner}).body); strings.Contains(raw, "objector") ||
		strings.Contains(raw, e.must(200, req{method: "GET", path: "/api/v1/me", token: objector})["userId"].(string)) {
		t.Fatal("the learner's record names the objector")
	}
	if kinds := alertKinds(e, d.learner); !strings.Contains(strings.Join(kinds, ","), "conversion_objection") {
		t.Fatalf("alerts %v do not tell of the objection", kinds)
	}
	if n := len(itemsOf(e.must(200, req{method: "GET", path: "/api/v1/notices"}))); n != 0 {
		t.Fatalf("%d notices while the objection is reviewed", n)
	}
	queue := itemsOf(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=pending", token: d.reviewer}))
	if len(queue) != 1 || len(queue[0]["objections"].([]any)) != 1 {
		t.Fatalf("review queue = %v", queue)
	}

	// Reviewed and approved again: a new notice period.
	again := e.must(200, req{method: "POST", path: path + "/approve", token: d.reviewer, body: map[string]string{"note": "复核：异议不成立"}})
	if again["status"] != "in_notice" || again["objections"].([]any)[0].(map[string]any)["resolution"] != "dismissed" {
		t.Fatalf("re-approved = %v", again)
	}
	clock.advance(4 * 24 * time.Hour)
	if n := len(itemsOf(e.must(200, req{method: "GET", path: "/api/v1/notices"}))); n != 1 {
		t.Fatalf("notice before the period ended: %d", n)
	}
	clock.advance(24*time.Hour + time.Minute)
	if n := len(itemsOf(e.must(200, req{method: "GET", path: "/api/v1/notices"}))); n != 0 {
		t.Fatalf("notice after the period ended: %d", n)
	}
	rec := d.record()
	if got := d.conversion(id); got["status"] != "final" {
		t.Fatalf("after the period: %v", got)
	}
	if balance(rec, "earmarked") != 0 || balance(rec, "spent") != 2 || rec["ledgerValid"] != true {
		t.Fatalf("credits after the notice: %v", rec["balance"])
	}
	kinds := ledgerKinds(rec)
	if got := strings.Join(kinds[len(kinds)-3:], ","); got != "earmark,release,spend" {
		t.Fatalf("ledger tail = %v", got)
	}
	// Too late to object now.
	e.must(409, req{method: "POST", path: path + "/objections", token: d.learner, body: map[string]string{"reason": "太晚"}})

	var actions []string
	for _, a := range itemsOf(e.must(200, req{method: "GET", path: "/api/v1/audit?limit=200", token: d.admin})) {
		if act := a["action"].(string); strings.HasPrefix(act, "conversion.") {
			actions = append(actions, act)
		}
	}
	if got := strings.Join(actions, ","); got != "conversion.apply,conversion.notice,conversion.objection,conversion.notice,conversion.final" {
		t.Fatalf("audited = %s", got)
	}
}

func TestRejectAppealAnotherReviewerDecides(t *testing.T) {
	for _, tc := range []struct {
		name     string
		decision string
		status   string
		spent    float64
	}{
		{"upheld", "approve", "final", 2},
		{"dismissed", "reject", "rejected", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, clock := newDistrictWithClock(t)
			e := d.e
			second := e.createStaff(d.admin, d.conv.id, "ou.reviewer2", "review")
			rule := d.noticeRule()
			d.deposit("社区插花", 32)
			id := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": rule}})["id"].(string)
			path := "/api/v1/conversions/" + id
			e.must(200, req{method: "POST", path: path + "/reject", token: d.reviewer, body: map[string]string{"note": "材料不全"}})

			// Only the learner appeals, with a reason, within 30 days.
			e.must(403, req{method: "POST", path: path + "/appeal", token: d.reviewer, body: map[string]string{"reason": "x"}})
			if res := e.do(req{method: "POST", path: path + "/appeal", token: d.learner, body: map[string]string{"reason": ""}}); res.status != 422 {
				t.Fatalf("appeal without a reason: %d", res.status)
			}
			clock.advance(10 * 24 * time.Hour)
			ap := e.must(201, req{method: "POST", path: path + "/appeal", token: d.learner, body: map[string]string{"reason": "已补交结业证书"}})
			if ap["status"] != "appealed" || ap["appeal"].(map[string]any)["reason"] != "已补交结业证书" {
				t.Fatalf("appeal = %v", ap)
			}
			queue := itemsOf(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/conversions?status=appealed", token: second}))
			if len(queue) != 1 {
				t.Fatalf("appeal queue = %v", queue)
			}
			// The reviewer who rejected may not decide the appeal.
			res := e.do(req{method: "POST", path: path + "/" + tc.decision, token: d.reviewer, body: map[string]string{"note": "维持原决定"}})
			if res.status != 403 {
				t.Fatalf("the rejecting reviewer: %d %s", res.status, res.body)
			}
			if res := e.do(req{method: "POST", path: path + "/" + tc.decision, token: second}); res.status != 422 {
				t.Fatalf("an unexplained appeal decision: %d %s", res.status, res.body)
			}
			dec := e.must(200, req{method: "POST", path: path + "/" + tc.decision, token: second, body: map[string]string{"note": "经复议：" + tc.name}})
			want := map[string]string{"approve": "upheld", "reject": "dismissed"}[tc.decision]
			if dec["status"] != tc.status || dec["appeal"].(map[string]any)["resolution"] != want || dec["appeal"].(map[string]any)["note"] != "经复议："+tc.name {
				t.Fatalf("appeal decided = %v", dec)
			}
			// Final: no second appeal, no other decision.
			e.must(409, req{method: "POST", path: path + "/appeal", token: d.learner, body: map[string]string{"reason": "再次申诉"}})
			e.must(409, req{method: "POST", path: path + "/approve", token: second, body: map[string]string{"note": "x"}})
			rec := d.record()
			if balance(rec, "spent") != tc.spent || balance(rec, "earmarked") != 0 || rec["ledgerValid"] != true {
				t.Fatalf("balance = %v", rec["balance"])
			}
			conv := d.conversion(id)
			if conv["appeal"].(map[string]any)["resolution"] != want {
				t.Fatalf("the record's conversion = %v", conv)
			}
			var actions []string
			for _, a := range itemsOf(e.must(200, req{method: "GET", path: "/api/v1/audit?limit=200", token: d.admin})) {
				if act := a["action"].(string); strings.HasPrefix(act, "conversion.") {
					actions = append(actions, act)
				}
			}
			if got := strings.Join(actions, ","); got != "conversion.apply,conversion.reject,conversion.appeal,conversion.appeal."+map[string]string{"approve": "uphold", "reject": "dismiss"}[tc.decision] {
				t.Fatalf("audited = %s", got)
			}
		})
	}
}

func TestAppealAfterThirtyDaysRefused(t *testing.T) {
	d, clock := newDistrictWithClock(t)
	e := d.e
	rule := d.noticeRule()
	d.deposit("社区插花", 32)
	id := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": rule}})["id"].(string)
	e.must(200, req{method: "POST", path: "/api/v1/conversions/" + id + "/reject", token: d.reviewer, body: map[string]string{"note": "不符合"}})
	clock.advance(31 * 24 * time.Hour)
	res := e.do(req{method: "POST", path: "/api/v1/conversions/" + id + "/appeal", token: d.learner, body: map[string]string{"reason": "迟到的申诉"}})
	if res.status != 422 || !strings.Contains(string(res.body), "30 days") {
		t.Fatalf("late appeal: %d %s", res.status, res.body)
	}
	if got := d.conversion(id); got["status"] != "rejected" || got["appeal"] != nil {
		t.Fatalf("after a refused appeal: %v", got)
	}
}
