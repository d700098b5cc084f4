package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminReadsAuditLogByName: the registrar issues and revokes an
// outcome; the admin's audit page lists it newest first, naming the staff
// member, the institution, the outcome and its learner (masked ID only)
// and the reason, with the full IDs behind a disclosure; the action filter
// is a picker of translated labels.
func TestBrowserAdminReadsAuditLogByName(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner := demoLearnerID(t)
	clerk := apiToken(t, base, "cc.registrar", demoStaffPassword)
	body, _ := json.Marshal(map[string]any{
		"learner":  map[string]string{"nationalId": learner, "name": "王秀兰"},
		"category": "community", "title": "审计示例课程", "courseCode": "AUD-01", "hours": 16,
		"result": map[string]any{"score": 90}, "completedOn": time.Now().AddDate(0, -1, 0).Format(time.DateOnly),
	})
	var out struct {
		ID string `json:"id"`
	}
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes", clerk, "application/json", body, http.StatusCreated, &out)
	reason, _ := json.Marshal(map[string]string{"reason": "课程名称登记错误"})
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes/"+out.ID+"/revoke", clerk, "application/json", reason, http.StatusOK, nil)

	policy, _ := json.Marshal(map[string]any{"hoursPerCredit": map[string]float64{"community": 20}})
	apiJSON(t, http.MethodPut, base+"/api/v1/policy", apiToken(t, base, "admin", demoAdminPassword), "application/json", policy, http.StatusOK, nil)

	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.do("audit page", chromedp.Click(chromedp.CSS(`#nav a[href="#/audit"]`)), chromedp.WaitVisible(chromedp.CSS(`main table`)))

	rowsJS := `[...document.querySelectorAll('main table tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))`
	rows := func() [][]string { return browserRun(b, "audit rows", chromedp.Evaluate[[][]string](rowsJS)) }
	seqOf := regexp.MustCompile(`#(\d+)`)
	got := rows()
	last := int64(-1)
	for i, r := range got {
		m := seqOf.FindStringSubmatch(r[0])
		if m == nil {
			t.Fatalf("row %d time cell %q has no entry number", i, r[0])
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if last >= 0 && n >= last {
			t.Fatalf("row %d is entry %d after %d: not newest first", i, n, last)
		}
		last = n
	}
	masked := learner[:6] + "********" + learner[14:]
	var revoke []string
	for _, r := range got {
		if strings.Contains(r[1], "撤销成果") && strings.Contains(r[3], "审计示例课程") {
			revoke = r
			break
		}
	}
	if revoke == nil {
		t.Fatalf("no revocation of 审计示例课程 among %d rows: %q", len(got), got[:min(len(got), 3)])
	}
	if !strings.Contains(revoke[2], "cc.registrar") || !strings.Contains(revoke[3], "王秀兰") || !strings.Contains(revoke[3], masked) ||
		!strings.Contains(revoke[4], "课程名称登记错误") {
		t.Errorf("revocation row = %q, want cc.registrar, 王秀兰 %s and the reason", revoke, masked)
	}
	var policyRow []string
	for _, r := range got {
		if strings.Contains(r[1], "修改学分折算标准") {
			policyRow = r
			break
		}
	}
	if policyRow == nil || !strings.Contains(policyRow[4], "社区教育每学分学时") || !strings.Contains(policyRow[4], "→ 20") {
		t.Errorf("policy change row = %q, want the community rate's before and after", policyRow)
	}
	table := b.text(`main table`)
	if strings.Contains(table, learner) {
		t.Error("the audit page shows a national ID in clear")
	}
	if uuidish := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}|\b[0-9a-f]{8}\b`); uuidish.MatchString(table) {
		t.Errorf("the audit table shows IDs or ID prefixes: %q", uuidish.FindString(table))
	}
	codes := browserRun(b, "action codes", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#audit-filter select[name="action"] option')].map(o => o.value).filter(Boolean)`))
	for _, c := range append(codes, "outcome", "institution", "staff") {
		if regexp.MustCompile(`(^|[^a-z.])` + regexp.QuoteMeta(c) + `($|[^a-z_])`).MatchString(table) {
			t.Errorf("the audit table shows the code %q", c)
		}
	}
	// Full IDs are there on demand.
	b.do("show IDs", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('main table tbody tr')].find(r => r.innerText.includes('审计示例课程') && r.innerText.includes('撤销成果')).querySelector('details summary')`)))
	b.waitJS("full ID shown", `[...document.querySelectorAll('main table details[open] code')].some(c => c.innerText === '`+out.ID+`')`)

	// The action filter is a picker of labels, not codes.
	labels := browserRun(b, "action labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#audit-filter select[name="action"] option')].map(o => o.textContent)`))
	if len(labels) < 10 || !strings.Contains(strings.Join(labels, "|"), "撤销成果") {
		t.Fatalf("action picker offers %q", labels)
	}
	for _, l := range labels {
		if regexp.MustCompile(`[a-z]+\.[a-z_]+`).MatchString(l) {
			t.Errorf("action picker shows a code: %q", l)
		}
	}
	b.do("filter by action",
		chromedp.SetValue(chromedp.CSS(`#audit-filter select[name="action"]`), "outcome.issue"),
		chromedp.Click(chromedp.CSS(`#audit-filter button[type="submit"]`)))
	b.waitJS("only issues listed", `[...document.querySelectorAll('main table tbody tr')].length > 0 && [...document.querySelectorAll('main table tbody tr')].every(r => r.cells[1].innerText.includes('登记成果'))`)

	// In English the same entry reads in English.
	b.do("english", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("english labels", `[...document.querySelectorAll('main table tbody tr')].every(r => r.cells[1].innerText.includes('Outcome issued'))`)
}

// TestBrowserSuspendInstitutionAsksFirst: suspending an institution opens a
// confirmation naming it and what stops working; cancelling changes
// nothing, confirming suspends it and its staff can no longer sign in.
func TestBrowserSuspendInstitutionAsksFirst(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.do("institutions", chromedp.Click(chromedp.CSS(`#nav a[href="#/institutions"]`)), chromedp.WaitVisible(chromedp.CSS(`main table`)))
	const name = "示范区开放大学"
	row := `[...document.querySelectorAll('main table tbody tr')].find(r => r.innerText.includes('` + name + `'))`
	suspend := chromedp.JSPath(row + `.querySelector('button')`)
	b.do("suspend asks", chromedp.Click(suspend), chromedp.WaitVisible(chromedp.CSS(`dialog[open] #suspend-effects`)))
	if title := b.text(`dialog[open] h2`); !strings.Contains(title, name) {
		t.Errorf("confirmation title %q does not name %s", title, name)
	}
	if effects := b.text(`dialog[open] #suspend-effects`); !strings.Contains(effects, "无法再登录") || !strings.Contains(effects, "审核") {
		t.Errorf("confirmation says %q, want what stops working (sign-in, reviews)", effects)
	}
	b.do("cancel", chromedp.Click(chromedp.CSS(`dialog[open] button.btn-ghost, dialog[open] button[type="button"]`)))
	b.waitJS("dialog closed", `!document.querySelector('dialog[open]')`)
	if state := browserRun(b, "state", chromedp.Evaluate[string](row+`.innerText`)); !strings.Contains(state, "有效") {
		t.Fatalf("after cancelling the row reads %q, want it still active", state)
	}
	apiToken(t, base, "ou.reviewer", demoStaffPassword)

	b.do("suspend for real", chromedp.Click(suspend), chromedp.WaitVisible(chromedp.CSS(`dialog[open] #suspend-effects`)),
		chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)))
	b.waitJS("suspended", `!document.querySelector('dialog[open]') && !`+row+`.innerText.includes('有效')`)
	body, _ := json.Marshal(map[string]string{"username": "ou.reviewer", "password": demoStaffPassword})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Error("a suspended institution's staff can still sign in")
	}
}

// TestBrowserManagerSuspendsStaffAfterConfirming: a manager's team page
// lists the institution's staff (not other institutions'); suspending a
// colleague asks first, naming them and what stops working, and then they
// cannot sign in.
func TestBrowserManagerSuspendsStaffAfterConfirming(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	b.do("team page", chromedp.Click(chromedp.CSS(`#nav a[href="#/team"]`)), chromedp.WaitVisible(chromedp.CSS(`#staff-list table`)))
	list := b.text(`#staff-list table`)
	if !strings.Contains(list, "ou.registrar") || !strings.Contains(list, "ou.reviewer") || strings.Contains(list, "cc.registrar") {
		t.Fatalf("staff list = %q, want the open university's two accounts only", list)
	}
	row := `[...document.querySelectorAll('#staff-list tbody tr')].find(r => r.innerText.includes('ou.registrar'))`
	b.do("suspend asks", chromedp.Click(chromedp.JSPath(row+`.querySelector('button')`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #staff-suspend-effects`)))
	if title := b.text(`dialog[open] h2`); !strings.Contains(title, "ou.registrar") {
		t.Errorf("confirmation title %q does not name ou.registrar", title)
	}
	if effects := b.text(`dialog[open] #staff-suspend-effects`); !strings.Contains(effects, "无法再登录") || !strings.Contains(effects, "登记") {
		t.Errorf("confirmation says %q, want sign-in and issuing named", effects)
	}
	b.do("confirm", chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)))
	b.waitJS("suspended", `!document.querySelector('dialog[open]') && `+row+`.innerText.includes('已暂停')`)
	body, _ := json.Marshal(map[string]string{"username": "ou.registrar", "password": demoStaffPassword})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusOK {
		t.Error("a suspended staff member can still sign in")
	}
}
