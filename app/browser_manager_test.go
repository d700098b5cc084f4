package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

func TestBrowserRuleEditorVersionsSimulatesAndPublishes(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	b.do("rules list", chromedp.Click(chromedp.CSS(`#nav a[href="#/rules"]`)), chromedp.WaitVisible(chromedp.CSS(`#rules-list table`)))
	list := b.text(`#rules-list`)
	if !strings.Contains(list, "OU-EXEMPT-CS101") || strings.Contains(list, "HV-ADMIT-ECE") {
		t.Errorf("open university's rule list = %q, want its own rules only", list)
	}
	rowLink := func(code string, version int) chromedp.JSPath {
		return chromedp.JSPath(fmt.Sprintf(`[...document.querySelectorAll('#rules-list tbody tr')].find(r => r.cells[0].innerText.trim() === %q && r.cells[2].innerText.trim() === '%d').querySelector('a')`, code, version))
	}
	b.do("open a published rule", chromedp.Click(rowLink("OU-EXEMPT-CS101", 1)), chromedp.WaitVisible(chromedp.CSS(`#rule-form`)))
	if got := b.text(`#rule-version-note`); !strings.Contains(got, "第 2 版草稿") {
		t.Errorf("published rule note = %q, want it to say saving makes version 2", got)
	}
	if got := b.text(`#rule-form button[type="submit"]`); got != "保存为新版本" {
		t.Errorf("submit reads %q", got)
	}
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#rule-form [name="` + name + `"]`) }
	set := func(name, value string) chromedp.Action[chromedp.Void] {
		return setValue(`#rule-form [name="`+name+`"]`, value)
	}
	if got := browserRun(b, "condition row", chromedp.Evaluate[string](`document.querySelector('#rule-form [name="condition.items[0].category"]').value`)); got != "community" {
		t.Errorf("structured condition shows category %q, want community", got)
	}

	// An exemption without the course it exempts: the server's problem is
	// shown at that input.
	b.do("save without a course code",
		set("target.courseCode", ""),
		chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-form [data-field="target.courseCode"] .field-error`)))
	if got := b.text(`#rule-form [data-field="target.courseCode"] .field-error`); !strings.Contains(got, "免修规则必须填写") {
		t.Errorf("course code error = %q", got)
	}
	b.screenshot("rule-editor")

	b.do("save a new version",
		chromedp.SendKeys(f("target.courseCode"), "OU-CS-101"),
		set("minTotalCredits", "3"),
		chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .alert-success`)))
	if got := b.text(`#flash`); !strings.Contains(got, "已创建第 2 版草稿") {
		t.Errorf("after saving a published rule the page says %q", got)
	}
	b.waitJS("version 2 opened", `document.querySelector('main .tags') && document.querySelector('main .tags').innerText.includes('第 2 版')`)
	if got := b.text(`main .tags`); !strings.Contains(got, "草稿") {
		t.Errorf("new version badges = %q, want a draft", got)
	}
	if got := browserRun(b, "min total", chromedp.Evaluate[string](`document.querySelector('#rule-form [name="minTotalCredits"]').value`)); got != "3" {
		t.Errorf("new version minTotalCredits = %q, want 3", got)
	}

	b.do("simulate", chromedp.Click(chromedp.CSS(`#rule-simulate`)), chromedp.WaitVisible(chromedp.CSS(`#simulation`)))
	if got := b.text(`#simulation [data-sim="evaluated"] dd`); got != strconv.Itoa(len(demoLearners)) {
		t.Errorf("simulation evaluated %q accounts, want the %d demo accounts", got, len(demoLearners))
	}
	// Four accounts are fewer than the smallest group a simulation describes.
	if got := b.text(`#simulation [data-sim="eligible"] dd`); got != "少于 5 人" {
		t.Errorf("simulation eligible shows %q, want it suppressed", got)
	}
	if got := b.text(`#simulation [data-sim-breakdown="byAgeBand"]`); !strings.Contains(got, "按年龄段") || !strings.Contains(got, "少于 5 人") {
		t.Errorf("age band breakdown = %q", got)
	}
	if n := browserRun(b, "samples", chromedp.Evaluate[int](`document.querySelectorAll('#simulation .sample').length`)); n != 0 {
		t.Errorf("simulation shows %d individual evaluations", n)
	}
	if exists := browserRun(b, "publish button", chromedp.Evaluate[bool](`!!document.getElementById('rule-publish')`)); exists {
		t.Error("staff are offered publish; only admins publish")
	}
	b.signOut()

	b.signIn("admin", demoAdminPassword)
	b.do("admin rules", chromedp.Click(chromedp.CSS(`#nav a[href="#/rules"]`)), chromedp.WaitVisible(chromedp.CSS(`#rules-list table`)),
		chromedp.Click(rowLink("OU-EXEMPT-CS101", 2)), chromedp.WaitVisible(chromedp.CSS(`#rule-publish`)),
		chromedp.Click(chromedp.CSS(`#rule-publish`)), chromedp.WaitVisible(chromedp.CSS(`#publish-dialog[open]`)),
		chromedp.Click(chromedp.CSS(`#publish-dialog button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#flash .alert-success`)))
	b.waitJS("published badge", `document.querySelector('main .tags') && document.querySelector('main .tags').innerText.includes('已发布')`)

	// JSON mode: a nested condition, and JSON that does not parse is caught
	// at the textarea.
	b.do("new rule in JSON mode", chromedp.Click(chromedp.CSS(`a[href="#/rules"]`)), chromedp.WaitVisible(chromedp.CSS(`#rule-new`)),
		chromedp.Click(chromedp.CSS(`#rule-new`)), chromedp.WaitVisible(chromedp.CSS(`#rule-mode`)),
		chromedp.Click(chromedp.CSS(`#rule-mode`)), chromedp.WaitVisible(chromedp.CSS(`#rule-form textarea[name="condition"]`)),
		set("condition", `{"op": "all", "items": [`),
		chromedp.SendKeys(f("code"), "OU-NEST-1"),
		chromedp.SendKeys(f("name"), "嵌套条件测试"),
		chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-form [data-field="condition"] .field-error`)))
	if got := b.text(`#rule-form [data-field="condition"] .field-error`); !strings.Contains(got, "JSON 格式不正确") {
		t.Errorf("bad JSON error = %q", got)
	}
	b.do("nested condition with a bad match",
		chromedp.SetValue(chromedp.CSS(`#rule-form textarea[name="condition"]`),
			`{"op": "any", "items": [{"category": "community"}, {"op": "all", "items": [{"category": "senior"}, {"minScore": -5}]}]}`),
		set("target.courseCode", "OU-X-1"),
		set("award.credits", "1"),
		chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-form [data-field="condition"] .field-error`)))
	if got := b.text(`#rule-form [data-field="condition"] .field-error`); !strings.Contains(got, "condition.items[1].items[1].minScore") {
		t.Errorf("nested problem shown as %q, want its JSON path", got)
	}
	b.screenshot("rule-json")
}

func TestBrowserInstitutionReadsRecordsSharedWithIt(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	wangID := demoLearnerID(t)
	wangToken := apiToken(t, base, wangID, demoLearnerPassword)
	want := apiRecord(t, base, wangToken)
	if len(want.Outcomes) == 0 || want.Balance.Banked == 0 {
		t.Fatal("demo learner has no banked outcomes; the test would prove nothing")
	}
	ou := demoInstitutionID(t, base, "示范区开放大学")
	// A second learner shares for only a few days, so the list has a grant
	// that is about to end next to one that is not.
	li, _ := domain.CompleteNationalID("11010519880722432")
	apiGrant(t, base, apiToken(t, base, string(li), demoLearnerPassword), ou, 3)

	b := openBrowser(t, base)
	b.signIn(wangID, demoLearnerPassword)
	b.do("grant on the sharing page", chromedp.Click(chromedp.CSS(`#nav a[href="#/sharing"]`)), chromedp.WaitVisible(chromedp.CSS(`#grant-form`)),
		chromedp.SetValue(chromedp.CSS(`#grant-form select[name="institutionId"]`), ou),
		setValue(`#grant-form input[name="days"]`, "30"),
		chromedp.Click(chromedp.CSS(`#grant-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main .alert-success`)))
	b.waitJS("grant listed", `document.querySelector('main table') && document.querySelector('main table').innerText.includes('示范区开放大学')`)
	// Sharing again with the same institution extends the grant and says so.
	b.do("share again",
		chromedp.SetValue(chromedp.CSS(`#grant-form select[name="institutionId"]`), ou),
		setValue(`#grant-form input[name="days"]`, "60"),
		chromedp.Click(chromedp.CSS(`#grant-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#grant-extended`)))
	if msg := b.text(`#grant-extended`); !strings.Contains(msg, "示范区开放大学") || !strings.Contains(msg, "延长") {
		t.Errorf("second share says %q, want the institution and that the grant was extended", msg)
	}
	if n := browserRun(b, "live grants", chromedp.Evaluate[int](`[...document.querySelectorAll('main table tbody tr')].filter(r => r.innerText.includes('示范区开放大学') && r.innerText.includes('生效中')).length`)); n != 1 {
		t.Errorf("live grants to 示范区开放大学 listed: %d, want 1", n)
	}
	b.signOut()

	b.signIn("ou.reviewer", demoStaffPassword)
	b.do("shared records", chromedp.Click(chromedp.CSS(`#nav a[href="#/shared"]`)), chromedp.WaitVisible(chromedp.CSS(`#shared-list table`)))
	if cur := b.text(`#nav a[aria-current="page"]`); cur != "共享档案" {
		t.Errorf("current navigation entry = %q, want 共享档案", cur)
	}
	rows := b.sharedRows()
	byName := map[string]sharedRow{}
	for _, r := range rows {
		byName[r.Name] = r
	}
	if len(rows) != 2 {
		t.Fatalf("shared list = %+v, want 王秀兰 and 李建国", rows)
	}
	wang, ok := byName["王秀兰"]
	if !ok {
		t.Fatalf("王秀兰 not listed: %+v", rows)
	}
	if wang.ID != want.Account.NationalID || !strings.Contains(wang.ID, "*") || strings.Contains(b.text(`main`), wangID) {
		t.Errorf("王秀兰's national ID shown as %q, want the masked %q and never the full number", wang.ID, want.Account.NationalID)
	}
	if wang.Soon {
		t.Errorf("a 30-day grant is flagged as ending soon: %+v", wang)
	}
	if r := byName["李建国"]; !r.Soon || !strings.Contains(r.Until, "3 天内到期") {
		t.Errorf("a 3-day grant reads %+v, want the note 3 天内到期", r)
	}
	b.screenshot("shared-list")
	// On a phone each row becomes a labelled block and nothing scrolls sideways.
	b.phoneWidth(true)
	if wide := browserRun(b, "page width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the shared list scrolls sideways at phone width")
	}
	b.screenshot("shared-list-phone")
	b.phoneWidth(false)

	b.do("open her record", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#shared-list tbody a')].find(a => a.textContent === '王秀兰')`)),
		chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))
	if got := b.text(`#learner-name`); got != "王秀兰" {
		t.Errorf("record of %q opened", got)
	}
	if got := b.text(`#learner-id`); got != want.Account.NationalID {
		t.Errorf("record shows national ID %q, want the masked %q", got, want.Account.NationalID)
	}
	if got := b.text(`#shared-banner`); !strings.HasPrefix(got, "由学习者授权查看，至 ") || !strings.Contains(got, "到期") || !strings.ContainsAny(got, "0123456789") {
		t.Errorf("banner = %q, want who shared it and until when", got)
	}
	if banked, wantBanked := b.balance("banked"), strconv.FormatFloat(want.Balance.Banked, 'f', -1, 64); banked != wantBanked {
		t.Errorf("banked = %q, the API says %s", banked, wantBanked)
	}
	page := b.text(`main`)
	for _, o := range want.Outcomes {
		if !strings.Contains(page, o.Title) {
			t.Errorf("shared record lacks outcome %q", o.Title)
		}
	}
	if n := browserRun(b, "learner actions", chromedp.Evaluate[int](`document.querySelectorAll('main a[href="#/convert"], main form').length`)); n != 0 {
		t.Error("the institution's read-only view offers the learner's own actions")
	}
	b.screenshot("shared-record")
	b.do("English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English banner", `document.getElementById('shared-banner').innerText.startsWith('Shared by the learner until ')`)
	if got := b.text(`#nav a[href="#/shared"]`); got != "Shared records" {
		t.Errorf("navigation entry in English = %q", got)
	}
	b.do("Chinese", chromedp.Click(chromedp.CSS(`#lang-toggle`)))

	// She withdraws while the list is open: following the stale link brings
	// the reviewer back to a list without her, saying why.
	b.do("back to the list", chromedp.Click(chromedp.CSS(`#shared-back`)), chromedp.WaitVisible(chromedp.CSS(`#shared-list table`)))
	var mine struct {
		Grants []struct {
			ID            string `json:"id"`
			InstitutionID string `json:"institutionId"`
			Live          bool   `json:"live"`
		} `json:"grants"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/learners/me/record", wangToken, "", nil, http.StatusOK, &mine)
	withdrawn := 0
	for _, g := range mine.Grants {
		if g.InstitutionID == ou && g.Live {
			apiJSON(t, http.MethodDelete, base+"/api/v1/learners/me/grants/"+g.ID, wangToken, "", nil, http.StatusNoContent, nil)
			withdrawn++
		}
	}
	if withdrawn != 1 {
		t.Fatalf("withdrew %d grants, want the one made on the page", withdrawn)
	}
	b.do("follow the stale link", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#shared-list tbody a')].find(a => a.textContent === '王秀兰')`)),
		chromedp.WaitVisible(chromedp.CSS(`#flash .alert-warning`)))
	b.waitJS("back on the list without her", `location.hash === '#/shared' && !!document.querySelector('#shared-list table') && !document.getElementById('shared-list').innerText.includes('王秀兰')`)
	if got := b.text(`#flash`); !strings.Contains(got, "不再与本机构共享") {
		t.Errorf("after the withdrawal the page says %q", got)
	}
	if rows := b.sharedRows(); len(rows) != 1 || rows[0].Name != "李建国" {
		t.Errorf("after the withdrawal the list is %+v, want only 李建国", rows)
	}
	b.signOut()

	// Another institution holds no grant and is told how sharing works.
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("shared records elsewhere", chromedp.Click(chromedp.CSS(`#nav a[href="#/shared"]`)), chromedp.WaitVisible(chromedp.CSS(`#shared-list .empty-state`)))
	if got := b.text(`#shared-list`); !strings.Contains(got, "还没有学习者") || !strings.Contains(got, "“共享与下载”") {
		t.Errorf("empty list reads %q, want it to point learners to 共享与下载", got)
	}
	if n := browserRun(b, "rows", chromedp.Evaluate[int](`document.querySelectorAll('#shared-list tbody tr').length + document.querySelectorAll('#shared-more').length`)); n != 0 {
		t.Errorf("empty list shows %d rows or a load-more button", n)
	}
	b.screenshot("shared-empty")
}
