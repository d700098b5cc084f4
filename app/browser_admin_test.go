package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

func TestBrowserAdminSeesStatistics(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	var want struct {
		Accounts          int            `json:"accounts"`
		Credits           float64        `json:"credits"`
		ActiveLearners    int            `json:"activeLearners"`
		CoursesByCategory map[string]int `json:"coursesByCategory"`
	}
	// The demo's outcomes date from 2022–2025, so nobody would be active
	// within the last twelve months: bank one completed last month.
	outcome, err := json.Marshal(map[string]any{
		"learner":  map[string]string{"nationalId": "11010519620315123X", "name": "王秀兰"},
		"category": "community", "title": "社区合唱", "courseCode": "CC-CHOIR-01", "hours": 16,
		"result": map[string]any{"score": 90}, "completedOn": time.Now().AddDate(0, -1, 0).Format("2006-01-02"),
	})
	if err != nil {
		t.Fatal(err)
	}
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes", apiToken(t, base, "cc.registrar", demoStaffPassword), "application/json", outcome, http.StatusCreated, nil)
	adminToken := apiToken(t, base, "admin", demoAdminPassword)
	apiJSON(t, http.MethodGet, base+"/api/v1/stats", adminToken, "", nil, http.StatusOK, &want)
	courses := 0
	for _, n := range want.CoursesByCategory {
		courses += n
	}
	if want.Accounts == 0 || want.Credits == 0 || want.ActiveLearners == 0 || courses == 0 {
		t.Fatalf("demo statistics are empty (%+v); the test would prove nothing", want)
	}

	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.do("statistics", chromedp.Click(chromedp.CSS(`#nav a[href="#/stats"]`)), chromedp.WaitVisible(chromedp.CSS(`#stats-headlines`)))
	for _, f := range []struct {
		stat string
		want string
	}{
		{"accounts", strconv.Itoa(want.Accounts)},
		{"credits", strconv.FormatFloat(want.Credits, 'f', -1, 64)},
		{"active", strconv.Itoa(want.ActiveLearners)},
		{"courses", strconv.Itoa(courses)},
	} {
		if got := b.text(`[data-stat="` + f.stat + `"] dd`); got != f.want {
			t.Errorf("%s shown = %q, API says %s", f.stat, got, f.want)
		}
	}
	page := b.text(`main`)
	for _, s := range []string{"职业技能证书", "示范区职业教育中心", "示范区", "2024-06", "60 岁及以上", "待审核",
		"近 12 个月活跃学习者", "各类别目录课程", "社区教育"} {
		if !strings.Contains(page, s) {
			t.Errorf("statistics page lacks %q", s)
		}
	}
	bars := browserRun(b, "bar rows", chromedp.Evaluate[int](`document.querySelectorAll('main .bar-row').length`))
	if bars < 10 {
		t.Errorf("%d chart bars, want category, month, conversion and age bars", bars)
	}
	courseBars := browserRun(b, "course bars", chromedp.Evaluate[int](`document.querySelectorAll('[data-stats-table="coursesByCategory"] .bar-row').length`))
	if courseBars != len(want.CoursesByCategory) {
		t.Errorf("%d course bars, want one per category with courses (%v)", courseBars, want.CoursesByCategory)
	}
	tables := browserRun(b, "CSV buttons", chromedp.Evaluate[[]string](`[...document.querySelectorAll('main .stats-csv')].map(b => b.dataset.table)`))
	if strings.Join(tables, ",") != "summary,byCategory,conversions,byMonth,byInstitution,byRegion,learnersByAgeBand,coursesByCategory" {
		t.Errorf("CSV download buttons for %v, want one per table", tables)
	}

	// The download goes through fetch with the bearer token and is saved
	// from a Blob: catch the Blob and the name the link offers it under.
	b.do("watch downloads", chromedp.Evaluate[chromedp.Void](`(() => {
		const create = URL.createObjectURL.bind(URL);
		URL.createObjectURL = (blob) => { window.__csvBlob = blob; return create(blob); };
		HTMLAnchorElement.prototype.click = function () { window.__csvName = this.download; };
	})()`))
	b.do("download courses CSV", chromedp.Click(chromedp.CSS(`#stats-csv-coursesByCategory`)))
	b.waitJS("CSV saved", `window.__csvName !== undefined`)
	if name := browserRun(b, "CSV name", chromedp.Evaluate[string](`window.__csvName`)); !strings.HasPrefix(name, "creditbank-stats-coursesByCategory-") || !strings.HasSuffix(name, ".csv") {
		t.Errorf("CSV saved as %q", name)
	}
	octets := browserRun(b, "CSV bytes", chromedp.Evaluate[[]int](
		`window.__csvBlob.arrayBuffer().then((b) => Array.from(new Uint8Array(b)))`, chromedp.EvalAwaitPromise))
	saved := make([]byte, len(octets))
	for i, o := range octets {
		saved[i] = byte(o)
	}
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/stats/coursesByCategory.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	fromAPI, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("CSV from the API: %d, %v", res.StatusCode, err)
	}
	if !bytes.Equal(saved, fromAPI) || !bytes.HasPrefix(saved, []byte("\xef\xbb\xbf类别代码 / Category code")) {
		t.Errorf("saved CSV %q, want the API's bytes %q", saved, fromAPI)
	}
	b.screenshot("stats")
}

func TestBrowserAdminResetsLearnerAtFrontDeskAndLearnerReclaims(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	nationalID := demoLearnerID(t)
	want := apiRecord(t, base, apiToken(t, base, nationalID, demoLearnerPassword))
	if len(want.Outcomes) == 0 {
		t.Fatal("demo learner has no outcomes; the test would prove nothing")
	}
	unknown, _ := domain.CompleteNationalID("11010519900101001")

	b := openBrowser(t, base)
	b.signIn("admin", demoAdminPassword)
	b.do("front desk", chromedp.Click(chromedp.CSS(`#nav a[href="#/desk"]`)), chromedp.WaitVisible(chromedp.CSS(`#lookup-form`)))
	id := chromedp.CSS(`#lookup-form input[name="nationalId"]`)
	find := func(value string) {
		b.t.Helper()
		b.do("look up", setValue(`#lookup-form input[name="nationalId"]`, ""), chromedp.SendKeys(id, value),
			chromedp.Click(chromedp.CSS(`#lookup-form button[type="submit"]`)))
	}

	find(nationalID[:17] + map[bool]string{true: "1", false: "0"}[nationalID[17] == '0'])
	if got := b.fieldError("#lookup-form", "nationalId"); !strings.Contains(got, "校验位不正确") {
		t.Errorf("malformed ID error = %q", got)
	}
	find(string(unknown))
	b.do("not found", chromedp.WaitVisible(chromedp.CSS(`#lookup-form .form-alert .alert-error`)))
	if got := b.text(`#lookup-form .form-alert`); !strings.Contains(got, "没有找到这个身份证号的学习账户") {
		t.Errorf("unknown ID shown as %q", got)
	}

	find(strings.ToLower(nationalID))
	b.do("found", chromedp.WaitVisible(chromedp.CSS(`#lookup-result [data-claimed="true"]`)))
	if got := b.text(`#lookup-name`); got != "王秀兰" {
		t.Errorf("found %q", got)
	}
	if got := b.text(`#lookup-id`); got != want.Account.NationalID || strings.Contains(got, nationalID) {
		t.Errorf("national ID shown as %q, want the masked %q", got, want.Account.NationalID)
	}

	// Confirming needs the in-person check ticked.
	b.do("reset dialog", chromedp.Click(chromedp.CSS(`#lookup-reset`)), chromedp.WaitVisible(chromedp.CSS(`dialog[open] #reset-form`)),
		chromedp.Click(chromedp.CSS(`#reset-form button[type="submit"]`)))
	if got := b.fieldError("#reset-form", "identified"); !strings.Contains(got, "当面核验") {
		t.Errorf("unticked confirmation shown as %q", got)
	}
	if dialog := b.text(`#reset-form`); !strings.Contains(dialog, "学习成果和学分全部保留") || !strings.Contains(dialog, "相同的身份证号和姓名") {
		t.Errorf("dialog does not explain what happens next: %q", dialog)
	}
	b.screenshot("desk-reset")
	apiJSON(t, http.MethodPost, base+"/api/v1/auth/login", "", "application/json", loginBody(nationalID, demoLearnerPassword), http.StatusOK, nil)

	b.do("confirm the reset",
		chromedp.Click(chromedp.CSS(`#reset-form input[name="identified"]`)),
		chromedp.Click(chromedp.CSS(`#reset-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lookup-result [data-claimed="false"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog`)))
	if got := b.text(`#lookup-result`); !strings.Contains(got, "密码已重置") || !strings.Contains(got, "未注册") {
		t.Errorf("after the reset the desk shows %q", got)
	}
	if n := browserRun(b, "reset button", chromedp.Evaluate[int](`document.querySelectorAll('#lookup-reset').length`)); n != 0 {
		t.Error("an unclaimed account is still offered a reset")
	}
	b.screenshot("desk")
	apiJSON(t, http.MethodPost, base+"/api/v1/auth/login", "", "application/json", loginBody(nationalID, demoLearnerPassword), http.StatusUnauthorized, nil)

	b.do("view the record", chromedp.Click(chromedp.CSS(`#lookup-record`)), chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))
	page := b.text(`main`)
	for _, o := range want.Outcomes {
		if !strings.Contains(page, o.Title) {
			t.Errorf("admin's view of the record lacks %q", o.Title)
		}
	}
	if n := browserRun(b, "convert link", chromedp.Evaluate[int](`document.querySelectorAll('main a[href="#/convert"]').length`)); n != 0 {
		t.Error("the admin's read-only view offers the learner's convert action")
	}
	b.signOut()

	// The resident registers again with the same ID and name and a new password.
	const newPassword = "wang-xiulan-new-2026"
	b.open("register")
	r := func(name string) chromedp.CSS { return chromedp.CSS(`#register-form input[name="` + name + `"]`) }
	b.do("register again",
		chromedp.WaitVisible(r("nationalId")),
		chromedp.SendKeys(r("nationalId"), nationalID),
		chromedp.SendKeys(r("name"), "王秀兰"),
		chromedp.SendKeys(r("password"), newPassword),
		chromedp.SendKeys(r("password2"), newPassword),
		chromedp.Click(chromedp.CSS(`#register-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))
	if got := b.text(`#learner-name`); got != "王秀兰" {
		t.Errorf("after registering again the record shows %q", got)
	}
	page = b.text(`main`)
	for _, o := range want.Outcomes {
		if !strings.Contains(page, o.Title) {
			t.Errorf("reclaimed record lacks %q", o.Title)
		}
	}
	if banked := b.text(`[data-balance="banked"] .balance-number`); banked != strconv.FormatFloat(want.Balance.Banked, 'f', -1, 64) {
		t.Errorf("banked after reclaiming = %q, before the reset %v", banked, want.Balance.Banked)
	}
}

// --- records shared with an institution ---
