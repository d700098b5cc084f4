package api_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

// issuer is an issuing institution with a staff member allowed to issue.
type issuer struct {
	institution
	staff string
}

func (e *env) issuer(admin, name string) issuer {
	e.t.Helper()
	inst := e.createInstitution(admin, name, []string{"issue"}, []string{"community", "senior", "academic"})
	return issuer{inst, e.createStaff(admin, inst.id, "staff"+uuid.NewString()[:8], "issue")}
}

func TestIssueOutcomeHappyPathCreatesAccountAndComputesCredits(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 1)

	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "王秀兰", "社区插花", 24)})
	if out["credits"] != 1.5 {
		t.Errorf("credits = %v, want 1.5 (24 h at 16 h/credit, half-credit floor)", out["credits"])
	}
	if out["status"] != "active" || out["issuerId"] != a.id || out["accountCreated"] != true {
		t.Errorf("unexpected outcome: %v", out)
	}

	// The learner claims the account the institution opened and sees the outcome.
	claimed := e.must(200, req{method: "POST", path: "/api/v1/learners", body: map[string]string{
		"nationalId": id, "name": "王秀兰", "phone": "13800138000", "password": "learner-pass-1"}})
	if claimed["nationalId"] == id || claimed["phone"] == "13800138000" {
		t.Fatalf("identifiers must be masked: %v", claimed)
	}
	learner := e.login(id, "learner-pass-1")
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: learner})
	bal := rec["balance"].(map[string]any)
	if bal["banked"] != 1.5 || bal["available"] != 1.5 {
		t.Errorf("balance = %v", bal)
	}
	if n := len(rec["outcomes"].([]any)); n != 1 {
		t.Errorf("outcomes = %d, want 1", n)
	}
	if rec["account"].(map[string]any)["nationalId"] != id[:6]+"********"+id[14:] {
		t.Errorf("masked id = %v", rec["account"].(map[string]any)["nationalId"])
	}
	if rec["ledgerValid"] != true || len(rec["ledger"].([]any)) != 1 {
		t.Errorf("ledger: valid=%v entries=%d", rec["ledgerValid"], len(rec["ledger"].([]any)))
	}

	// The issuer lists it.
	list := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})
	if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != out["id"] {
		t.Errorf("issued list = %v", list)
	}
}

func TestIssueOutcomeRefusals(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 2)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{
		"nationalId": id, "name": "李建国", "password": "learner-pass-1"}})
	learner := e.login(id, "learner-pass-1")

	bad := outcomeBody(id, "李建国", "x", 24)
	bad["learner"] = map[string]string{"nationalId": id[:17] + "0", "name": "李建国"}
	if id[17] == '0' {
		bad["learner"] = map[string]string{"nationalId": id[:17] + "1", "name": "李建国"}
	}
	vocational := outcomeBody(id, "李建国", "电工", 24)
	vocational["category"] = "vocational"
	withUnknown := outcomeBody(id, "李建国", "x", 24)
	withUnknown["colour"] = "red"
	wrongName := outcomeBody(id, "张三", "x", 24)
	failed := outcomeBody(id, "李建国", "x", 24)
	failed["result"] = map[string]any{"score": 40}
	inflated := outcomeBody(id, "李建国", "x", 1)
	inflated["credits"] = 60
	beforeBirth := outcomeBody(id, "李建国", "x", 24) // born 1985-03-01
	beforeBirth["completedOn"] = "1985-02-28"

	cases := []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"no token", "", outcomeBody(id, "李建国", "x", 24), 401, ""},
		{"learner token", learner, outcomeBody(id, "李建国", "x", 24), 403, ""},
		{"admin token", admin, outcomeBody(id, "李建国", "x", 24), 403, ""},
		{"bad national id checksum", a.staff, bad, 422, "learner.nationalId"},
		{"category not registered", a.staff, vocational, 422, "category"},
		{"unknown JSON field", a.staff, withUnknown, 400, ""},
		{"malformed JSON", a.staff, `{"learner": `, 400, ""},
		{"name does not match the account", a.staff, wrongName, 422, "learner.name"},
		{"failed result", a.staff, failed, 422, "result.score"},
		{"completed before the learner was born", a.staff, beforeBirth, 422, "completedOn"},
		{"60 credits for a 1-hour course", a.staff, inflated, 422, "credits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: tc.token, body: tc.body})
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.field != "" && !hasProblem(res.json(t), tc.field) {
				t.Errorf("error.details does not name %s: %s", tc.field, res.body)
			}
		})
	}
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: learner})
	if n := len(rec["outcomes"].([]any)); n != 0 {
		t.Errorf("refused requests banked %d outcomes", n)
	}
}

// The birth date comes from the national ID, also for a learner the bank
// does not know yet, and also for a CSV row.
func TestOutcomeBeforeBirthRefused(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	fresh := nid(t, 3) // born 1985-03-01
	early := outcomeBody(fresh, "新学员", "x", 24)
	early["completedOn"] = "1984-12-31"
	res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: early})
	if res.status != 422 || !hasProblem(res.json(t), "completedOn") {
		t.Fatalf("deposit dated before birth: %d %s", res.status, res.body)
	}
	onBirthday := outcomeBody(fresh, "新学员", "x", 24)
	onBirthday["completedOn"] = "1985-03-01"
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: onBirthday})

	csv := "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n" +
		fresh + ",新学员,community,社区合唱,CC-01,32,90,1985/2/28\n" +
		nid(t, 4) + ",另一位,community,社区合唱,CC-01,32,90,1980-01-01\n" +
		fresh + ",新学员,community,社区合唱,CC-01,32,90,2025-03-01\n"
	up := csvUpload([]byte(csv))
	up.token = a.staff
	job := e.waitImport(a.staff, e.must(202, up)["id"].(string))
	if job["ok"] != 1.0 || job["failed"] != 2.0 {
		t.Fatalf("import = %v, want 1 banked and 2 refused", job)
	}
	for i, want := range []float64{2, 3} {
		row := job["errors"].([]any)[i].(map[string]any)
		if row["line"] != want || row["column"] != "完成日期" || !strings.Contains(row["reason"].(string), "birth") {
			t.Errorf("row error %d = %v, want line %v at 完成日期", i, row, want)
		}
	}
	list := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})
	if n := len(list["items"].([]any)); n != 2 {
		t.Errorf("banked %d outcomes, want the birthday one and the 2025 row", n)
	}
}

// Neither the admin's rate nor an issuer's stated credits may mint credits:
// rates outside 4–64 hours per credit and stated credits above one per 4
// hours answer 422 naming the field, and change nothing.
func TestCreditPolicyBoundsRatesAndStatedCredits(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	for _, tc := range []struct {
		name, category string
		rate           float64
	}{{"0.0001 hours per credit", "community", 0.0001}, {"3 hours per credit", "senior", 3}, {"65 hours per credit", "online", 65}} {
		res := e.do(req{method: "PUT", path: "/api/v1/policy", token: admin, body: map[string]any{"hoursPerCredit": map[string]float64{tc.category: tc.rate}}})
		if res.status != 422 || !hasProblem(res.json(t), "hoursPerCredit."+tc.category) {
			t.Errorf("%s: %d %s", tc.name, res.status, res.body)
		}
	}
	policy := e.must(200, req{method: "GET", path: "/api/v1/policy"})["hoursPerCredit"].(map[string]any)
	if policy["community"] != 16.0 || policy["senior"] != 16.0 || policy["online"] != 16.0 {
		t.Errorf("refused rates changed the policy: %v", policy)
	}
	e.must(200, req{method: "PUT", path: "/api/v1/policy", token: admin, body: map[string]any{"hoursPerCredit": map[string]float64{"community": 4}}})

	body := outcomeBody(nid(t, 5), "王芳", "讲座", 1)
	body["credits"] = 60
	res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})
	if res.status != 422 || !hasProblem(res.json(t), "credits") || !strings.Contains(string(res.body), "one credit per 4 study hours") {
		t.Fatalf("60 credits for 1 hour: %d %s", res.status, res.body)
	}
	// At the fastest rate the policy allows, 10 hours earn 2.5 credits
	// whether derived or stated.
	body = outcomeBody(nid(t, 5), "王芳", "讲座", 10)
	if got := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})["credits"]; got != 2.5 {
		t.Errorf("10 hours at 4 h/credit = %v credits", got)
	}
	body = outcomeBody(nid(t, 5), "王芳", "讲座二", 10)
	body["credits"] = 2.5
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})
}

func hasProblem(body map[string]any, field string) bool {
	e, _ := body["error"].(map[string]any)
	details, _ := e["details"].([]any)
	for _, d := range details {
		if m, ok := d.(map[string]any); ok && m["field"] == field {
			return true
		}
	}
	return false
}

func TestRevokeOnlyByIssuer(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "A 学院")
	b := e.issuer(admin, "B 学院")
	id := nid(t, 3)
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: outcomeBody(id, "张敏", "亲子沟通", 32)})
	path := "/api/v1/outcomes/" + out["id"].(string) + "/revoke"

	res := e.do(req{method: "POST", path: path, token: b.staff, body: map[string]string{"reason": "not ours"}})
	if res.status != 404 {
		t.Fatalf("B revoking A's outcome: %d, want 404: %s", res.status, res.body)
	}
	res = e.do(req{method: "POST", path: "/api/v1/outcomes/" + uuid.NewString() + "/revoke", token: a.staff, body: map[string]string{"reason": "x"}})
	if res.status != 404 {
		t.Fatalf("unknown outcome: %d", res.status)
	}
	e.must(422, req{method: "POST", path: path, token: a.staff, body: map[string]string{"reason": ""}})

	rev := e.must(200, req{method: "POST", path: path, token: a.staff, body: map[string]string{"reason": "录入错误"}})
	if rev["status"] != "revoked" || rev["revokedReason"] != "录入错误" {
		t.Errorf("revoked outcome = %v", rev)
	}
	e.must(409, req{method: "POST", path: path, token: a.staff, body: map[string]string{"reason": "again"}})

	acc, err := e.store.GetAccountByOutcomeID(context.Background(), uuid.MustParse(out["id"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if got := acc.Balance(acc.CreatedAt).Banked; got != 0 {
		t.Errorf("banked after revoke = %v", got)
	}
	if n := len(acc.Ledger); n != 2 || acc.Ledger[1].Kind != "revoke" || acc.Ledger[1].Credits != -2 {
		t.Errorf("ledger = %+v", acc.Ledger)
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 4)
	body := outcomeBody(id, "陈志强", "应急救护", 20)
	headers := map[string]string{"Idempotency-Key": "batch-7-row-1"}

	first := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
	replay := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body, headers: headers})
	if replay.status != 201 || replay.json(t)["id"] != first["id"] {
		t.Fatalf("replay: %d %s, want the first outcome %v", replay.status, replay.body, first["id"])
	}
	if replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay not marked")
	}
	other := outcomeBody(id, "陈志强", "另一门课", 20)
	res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: other, headers: headers})
	if res.status != 409 || res.errorCode(t) != "idempotency_mismatch" {
		t.Fatalf("same key, other body: %d %s", res.status, res.body)
	}
	acc, err := e.store.GetAccountByOutcomeID(context.Background(), uuid.MustParse(first["id"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	if len(acc.Outcomes) != 1 {
		t.Errorf("stored %d outcomes, want exactly 1", len(acc.Outcomes))
	}
}

func TestConcurrentIssuesToOneLearner(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 5)
	const n = 50
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// hours 8·(i%4+1): credits 0.5, 1, 1.5 or 2
			res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff,
				body: outcomeBody(id, "赵磊", fmt.Sprintf("课程 %02d", i), float64(8*(i%4+1)))})
			statuses[i] = res.status
		}(i)
	}
	wg.Wait()
	want := 0.0
	for i := 0; i < n; i++ {
		if statuses[i] != 201 {
			t.Errorf("request %d: status %d", i, statuses[i])
		}
		want += 0.5 * float64(i%4+1)
	}
	list := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes?limit=200", token: a.staff})
	items := list["items"].([]any)
	if len(items) != n {
		t.Fatalf("issued %d outcomes, want %d", len(items), n)
	}
	acc, err := e.store.GetAccount(context.Background(), uuid.MustParse(items[0].(map[string]any)["accountId"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, o := range acc.Outcomes {
		if titles[o.Title] {
			t.Errorf("outcome %q stored twice", o.Title)
		}
		titles[o.Title] = true
	}
	if len(acc.Outcomes) != n {
		t.Errorf("account holds %d outcomes, want %d", len(acc.Outcomes), n)
	}
	if got := acc.Balance(acc.CreatedAt).Banked; got != want {
		t.Errorf("banked = %v, want %v", got, want)
	}
	if err := acc.VerifyLedger(); err != nil {
		t.Errorf("ledger: %v", err)
	}
	if acc.LedgerBalance() != want {
		t.Errorf("ledger balance = %v, want %v", acc.LedgerBalance(), want)
	}
}

func TestIssueOutcomeReportsAllProblemsAtOnce(t *testing.T) {
	e := newEnv(t)
	a := e.issuer(e.adminToken(), "社区学院")
	body := outcomeBody(nid(t, 6), "", "", -3)
	body["completedOn"] = "30/06/2025"
	body["result"] = map[string]any{"grade": "F"}
	res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})
	if res.status != 422 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	m := res.json(t)
	for _, f := range []string{"completedOn", "hours", "title", "learner.name", "result.grade"} {
		if !hasProblem(m, f) {
			t.Errorf("problem at %s not reported: %s", f, res.body)
		}
	}
	// The unparseable date is reported once, as unparseable, not also as missing.
	n := 0
	for _, d := range m["error"].(map[string]any)["details"].([]any) {
		if d.(map[string]any)["field"] == "completedOn" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("completedOn reported %d times", n)
	}
}
