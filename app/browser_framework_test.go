package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// The admin edits a level of the learning-outcomes framework; the server
// keeps it as a new version, and anyone reading the framework sees it.
func TestBrowserAdminEditsFrameworkLevel(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.open("framework")
	field := `#framework-form [name="levels[2].nameZh"]`
	b.do("edit level 3",
		chromedp.WaitVisible(chromedp.CSS(field)),
		setValue(field, "第3级 初级（修订）"),
		chromedp.Click(chromedp.CSS(`#framework-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#framework-saved`)))
	if got := b.text(`#framework-version`); !strings.Contains(got, "2") {
		t.Errorf("version shown after saving: %q", got)
	}
	var fw struct {
		Version int64 `json:"version"`
		Levels  []struct {
			NameZH string `json:"nameZh"`
			NameEN string `json:"nameEn"`
		} `json:"levels"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/framework", "", "", nil, http.StatusOK, &fw)
	if fw.Version != 2 || fw.Levels[2].NameZH != "第3级 初级（修订）" || fw.Levels[1].NameEN != "Level 2 Foundation" {
		t.Fatalf("framework after the edit: %+v", fw)
	}
	page := b.text(`main`)
	for _, s := range []string{"学习成果框架", "知识", "技能", "能力", "示例学习成果框架（演示用，非官方）"} {
		if !strings.Contains(page, s) {
			t.Errorf("Chinese page lacks %q", s)
		}
	}
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English labels", `document.querySelector('#framework-form button[type="submit"]').textContent === 'Save framework'`)
	page = b.text(`main`)
	for _, s := range []string{"Learning-outcomes framework", "Knowledge", "Skills", "Competence", "European Qualifications Framework"} {
		if !strings.Contains(page, s) {
			t.Errorf("English page lacks %q", s)
		}
	}
	b.signOut()
	// Signed out, the framework is still there to read, with the edit.
	b.open("framework")
	b.do("framework for everyone", chromedp.WaitVisible(chromedp.CSS(`#framework-levels [data-level="3"]`)))
	if got := b.text(`#framework-levels [data-level="3"] .level-name`); got != "Level 3 Elementary" && got != "第3级 初级（修订）" {
		t.Errorf("level 3 shown to the public as %q", got)
	}
	b.screenshot("framework")
}

// A learner sees the framework level of an outcome on the record.
func TestBrowserLearnerSeesLevelOnRecord(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner := demoID(t, "11010519900214331") // 赵丽: two level-4 units
	b := openBrowser(t, base)
	b.signIn(learner, demoLearnerPassword)
	b.do("record loads", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)), chromedp.WaitVisible(chromedp.CSS(`.level[data-level="4"]`)))
	got := b.text(`.level[data-level="4"]`)
	if !strings.Contains(got, "第 4 级") || !strings.Contains(got, "中级") {
		t.Errorf("level shown as %q, want 第 4 级 and the framework's name", got)
	}
	// The admission is in public notice, and says until when.
	if s := b.text(`#conversions`); !strings.Contains(s, "公示中") || !strings.Contains(s, "公示至") {
		t.Errorf("conversion in notice shown as %q", s)
	}
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English level", `document.querySelector('.level[data-level="4"]').textContent.includes('Level 4')`)
	if s := b.text(`#conversions`); !strings.Contains(s, "In public notice") {
		t.Errorf("English conversion status: %q", s)
	}
}

// The public notice page lists the demo's admission in notice, the
// learner's name masked, and no identity number.
func TestBrowserPublicNoticePageListsNotice(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.open("notices")
	b.do("notices load", chromedp.WaitVisible(chromedp.CSS(`#notices table`)))
	page := b.text(`#notices`)
	for _, s := range []string{"赵*", "认证单元申请托育服务专业入学资格", "示范职业技术学院", "育婴员（四级）认证单元", "登录后可以提出异议"} {
		if !strings.Contains(page, s) {
			t.Errorf("notice page lacks %q:\n%s", s, page)
		}
	}
	if strings.Contains(page, "赵丽") || strings.Contains(page, demoID(t, "11010519900214331")[:6]) {
		t.Error("the public notice shows the learner's name or ID")
	}
	if nav := b.text(`#nav`); !strings.Contains(nav, "认定公示") {
		t.Errorf("the public can't find the notices: nav %q", nav)
	}
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English notices", `document.querySelector('main h1').textContent === 'Public notices of recognition'`)
	if page := b.text(`#notices`); !strings.Contains(page, "Notice ends") || !strings.Contains(page, "Sign in to object.") {
		t.Errorf("English notice page: %q", page)
	}
}

// A learner appeals a rejection from the record.
func TestBrowserLearnerAppealsRejection(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432") // 李建国
	learnerTok := apiToken(t, base, string(learner), demoLearnerPassword)
	var rules struct {
		Items []struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		} `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/rules?status=published", "", "", nil, http.StatusOK, &rules)
	ruleID := ""
	for _, r := range rules.Items {
		if r.Code == "OU-EXEMPT-CS101" {
			ruleID = r.ID
		}
	}
	body, _ := json.Marshal(map[string]string{"ruleId": ruleID})
	var conv struct {
		ID string `json:"id"`
	}
	apiJSON(t, http.MethodPost, base+"/api/v1/conversions", learnerTok, "application/json", body, http.StatusCreated, &conv)
	note, _ := json.Marshal(map[string]string{"note": "社区教育成果证明不全"})
	apiJSON(t, http.MethodPost, base+"/api/v1/conversions/"+conv.ID+"/reject", apiToken(t, base, "ou.reviewer", demoStaffPassword),
		"application/json", note, http.StatusOK, nil)

	b := openBrowser(t, base)
	b.signIn(string(learner), demoLearnerPassword)
	appeal := `[data-appeal="` + conv.ID + `"]`
	b.do("open the appeal form", chromedp.WaitVisible(chromedp.CSS(appeal)), chromedp.Click(chromedp.CSS(appeal)),
		chromedp.WaitVisible(chromedp.CSS(`.appeal-form textarea`)))
	if hint := b.text(`.appeal-form`); !strings.Contains(hint, "30 天") || !strings.Contains(hint, "另一位审核人员") {
		t.Errorf("the appeal form does not explain the rules: %q", hint)
	}
	// Without a reason the server refuses, and the page says why.
	b.do("appeal without a reason", chromedp.Click(chromedp.CSS(`.appeal-form .btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`.appeal-form .alert-error`)))
	b.do("appeal", chromedp.SendKeys(chromedp.CSS(`.appeal-form textarea`), "已补交结业证书，请复核"),
		chromedp.Click(chromedp.CSS(`.appeal-form .btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#record-flash`)))
	if s := b.text(`#conversions`); !strings.Contains(s, "申诉中") || !strings.Contains(s, "已补交结业证书，请复核") {
		t.Errorf("after the appeal the record shows %q", s)
	}
	var rec struct {
		Conversions []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Appeal *struct {
				Reason string `json:"reason"`
			} `json:"appeal"`
		} `json:"conversions"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/learners/me/record", learnerTok, "", nil, http.StatusOK, &rec)
	found := false
	for _, c := range rec.Conversions {
		if c.ID == conv.ID {
			found = c.Status == "appealed" && c.Appeal != nil && c.Appeal.Reason == "已补交结业证书，请复核"
		}
	}
	if !found {
		t.Fatalf("the server does not hold the appeal: %+v", rec.Conversions)
	}
}

// Anyone reads the certification units with their framework levels, in
// either language, and narrows them by category.
func TestBrowserPublicReadsUnitCatalogue(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.open("units")
	b.do("units load", chromedp.WaitVisible(chromedp.CSS(`#units table`)))
	page := b.text(`#units`)
	for _, s := range []string{"育婴员（四级）", "第 4 级", "中级", "学前教育学", "书法（楷书）", "实操考核"} {
		if !strings.Contains(page, s) {
			t.Errorf("unit page lacks %q", s)
		}
	}
	b.do("only senior education", chromedp.SetValue(chromedp.CSS(`#units-category`), "senior"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('units-category').dispatchEvent(new Event('change'))`))
	b.waitJS("senior units only", `document.querySelectorAll('#units tbody tr').length === 5`)
	if page := b.text(`#units`); strings.Contains(page, "育婴员") || !strings.Contains(page, "太极拳") {
		t.Errorf("senior units: %q", page)
	}
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English headings", `document.querySelector('main h1').textContent === 'Certification units'`)
	if page := b.text(`#units`); !strings.Contains(page, "Level 2") || !strings.Contains(page, "Senior education") {
		t.Errorf("English unit page: %q", page)
	}
}

// The admin's statistics show recognised credits by level and unit, and how
// the demo's notice and appeal stand.
func TestBrowserAdminSeesFrameworkStatistics(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.open("stats")
	b.do("statistics load", chromedp.WaitVisible(chromedp.CSS(`#stats-fairness`)))
	if got := b.text(`#stats-fairness [data-stat="notices-open"] dd`); got != "1" {
		t.Errorf("notices open: %q, want the demo's one", got)
	}
	if got := b.text(`#stats-fairness [data-stat="appeals-open"] dd`); got != "1" {
		t.Errorf("appeals open: %q, want the demo's one", got)
	}
	page := b.text(`main`)
	for _, s := range []string{"按框架等级的已认定学分", "第 4 级", "VT-206", "公示、异议与申诉"} {
		if !strings.Contains(page, s) {
			t.Errorf("statistics page lacks %q", s)
		}
	}
	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English", `document.querySelector('#stats-fairness [data-stat="appeals-open"] dt').textContent === 'Appeals open'`)
	if page := b.text(`main`); !strings.Contains(page, "Recognised credits by framework level") || !strings.Contains(page, "Level 4") {
		t.Errorf("English statistics page lacks the framework figures")
	}
}

// An appeal waits in the review queue; the reviewer who rejected cannot
// decide it, another reviewer does, and the learner reads the outcome.
func TestBrowserAnotherReviewerDecidesAppeal(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	card := `#review-list [data-rule-code="OU-CREDIT-UNITS"]`
	b.signIn("ou.reviewer", demoStaffPassword)
	b.open("review?status=appealed")
	b.do("appeal queue", chromedp.WaitVisible(chromedp.CSS(card)))
	if got := b.text(card); !strings.Contains(got, "两个单元的结业证书已由社区教育学院补报") || !strings.Contains(got, "原决定以外的审核人员") {
		t.Errorf("appeal card = %q", got)
	}
	b.do("the rejecting reviewer tries", chromedp.SendKeys(chromedp.CSS(card+` textarea`), "维持"),
		chromedp.Click(chromedp.CSS(card+` [data-action="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(card+` .alert-error`)))
	b.signOut()

	b.signIn("ou.reviewer2", demoStaffPassword)
	b.open("review?status=appealed")
	const note = "复议：两个单元材料齐全，同意认定"
	b.do("another reviewer upholds the appeal", chromedp.WaitVisible(chromedp.CSS(card)),
		chromedp.SendKeys(chromedp.CSS(card+` textarea`), note),
		chromedp.Click(chromedp.CSS(card+` [data-action="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(card+` .alert-success`)))
	if got := b.text(card + ` .alert-success`); !strings.Contains(got, "申诉成立") {
		t.Errorf("decision shown as %q", got)
	}
	b.signOut()

	b.signIn(demoID(t, "11010519850611247"), demoLearnerPassword) // 孙伟
	b.do("record", chromedp.WaitVisible(chromedp.CSS(`#conversions .appeal-outcome`)))
	if got := b.text(`#conversions`); !strings.Contains(got, "已生效") || !strings.Contains(got, "申诉成立："+note) {
		t.Errorf("the learner's conversions read %q", got)
	}
}
