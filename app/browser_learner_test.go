package main

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

func TestBrowserLearnerSeesRecordInBothLanguages(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	nationalID := demoLearnerID(t)
	want := apiRecord(t, base, apiToken(t, base, nationalID, demoLearnerPassword))
	if len(want.Outcomes) == 0 {
		t.Fatal("demo learner has no outcomes; the test would prove nothing")
	}

	b := openBrowser(t, base)
	b.signIn(nationalID, demoLearnerPassword)
	b.do("record loads", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)), chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))

	if got := b.text(`#learner-name`); got != want.Account.Name {
		t.Errorf("name = %q, want %q", got, want.Account.Name)
	}
	masked := b.text(`#learner-id`)
	if masked != want.Account.NationalID || !strings.Contains(masked, "*") || strings.Contains(masked, nationalID) {
		t.Errorf("national ID shown as %q, want the masked %q", masked, want.Account.NationalID)
	}
	banked := b.text(`[data-balance="banked"] .balance-number`)
	if wantBanked := strconv.FormatFloat(want.Balance.Banked, 'f', -1, 64); banked != wantBanked {
		t.Errorf("banked = %q, API says %s", banked, wantBanked)
	}
	page := b.text(`main`)
	for _, leak := range []string{"null", "undefined", "NaN", "[object"} {
		if strings.Contains(page, leak) {
			t.Errorf("page shows %q where data was missing", leak)
		}
	}
	for _, o := range want.Outcomes {
		if !strings.Contains(page, o.Title) {
			t.Errorf("outcome %q not listed", o.Title)
		}
	}
	for _, s := range []string{"累计存入", "可用学分", "老年教育", "示范区老年大学", "学分流水完整，已通过校验"} {
		if !strings.Contains(page, s) {
			t.Errorf("Chinese page lacks %q", s)
		}
	}

	png := browserRun(b, "screenshot", chromedp.FullScreenshot(100))
	if err := os.WriteFile("/tmp/ui-learner.png", png, 0o644); err != nil {
		t.Logf("screenshot not saved: %v", err)
	}

	b.do("switch to English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.waitJS("English labels", `document.querySelector('[data-balance="banked"] .balance-label').textContent === 'Banked'`)
	page = b.text(`main`)
	for _, s := range []string{"Available", "Learning outcomes", "Senior education", "Ledger complete and verified"} {
		if !strings.Contains(page, s) {
			t.Errorf("English page lacks %q", s)
		}
	}
	if nav := b.text(`#nav`); !strings.Contains(nav, "My learning record") {
		t.Errorf("navigation not in English: %q", nav)
	}
	if lang := browserRun(b, "html lang", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
		t.Errorf("html lang = %q, want en", lang)
	}

	// The choice is remembered: a reload comes back in English, still signed in.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#learner-name`)))
	if got := b.text(`[data-balance="banked"] .balance-label`); got != "Banked" {
		t.Errorf("after reload the label is %q, want the remembered English", got)
	}

	// An access token the server rejects is renewed once with the refresh
	// token, without sending the learner back to the sign-in page.
	const spoilt = "not-a-valid-token"
	b.do("spoil the access token",
		chromedp.Evaluate[chromedp.Void](`(() => {
		  const s = JSON.parse(sessionStorage.getItem('cb.session'));
		  s.accessToken = '`+spoilt+`';
		  sessionStorage.setItem('cb.session', JSON.stringify(s));
		})()`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#learner-name`)))
	if tok := browserRun(b, "token", chromedp.Evaluate[string](`JSON.parse(sessionStorage.getItem('cb.session')).accessToken`)); tok == spoilt || tok == "" {
		t.Errorf("access token after a 401 = %q, want a refreshed one", tok)
	}
}

func TestBrowserRegistrationShowsFieldErrorNextToField(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	valid := demoLearnerID(t)
	// Same digits, wrong check character.
	last := valid[17]
	wrong := byte('0')
	if last == '0' {
		wrong = '1'
	}
	invalid := valid[:17] + string(wrong)

	b := openBrowser(t, base)
	b.open("register")
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#register-form input[name="` + name + `"]`) }
	b.do("submit registration",
		chromedp.WaitVisible(f("nationalId")),
		chromedp.SendKeys(f("nationalId"), invalid),
		chromedp.SendKeys(f("name"), "赵新民"),
		chromedp.SendKeys(f("phone"), "13600136000"),
		chromedp.SendKeys(f("password"), "a-long-password-1"),
		chromedp.SendKeys(f("password2"), "a-long-password-1"),
		chromedp.Click(chromedp.CSS(`#register-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#register-form [data-field="nationalId"] .field-error`)),
	)
	if got := b.text(`#register-form [data-field="nationalId"] .field-error`); !strings.Contains(got, "校验位不正确") {
		t.Errorf("field error = %q, want the check-character message", got)
	}
	type fieldState struct {
		Invalid     string `json:"invalid"`
		DescribedBy bool   `json:"describedBy"`
		Focused     bool   `json:"focused"`
		Others      int    `json:"others"`
	}
	st := browserRun(b, "field state", chromedp.Evaluate[fieldState](`(() => {
	  const input = document.querySelector('#register-form input[name="nationalId"]');
	  const err = input.closest('.field').querySelector('.field-error');
	  return {
	    invalid: input.getAttribute('aria-invalid') || '',
	    describedBy: (input.getAttribute('aria-describedby') || '').split(' ').includes(err.id),
	    focused: document.activeElement === input,
	    others: [...document.querySelectorAll('#register-form .field-error')].filter(p => !p.hidden && p !== err).length,
	  };
	})()`))
	if st.Invalid != "true" || !st.DescribedBy || !st.Focused {
		t.Errorf("national ID input state = %+v, want aria-invalid, described by its error, focused", st)
	}
	if st.Others != 0 {
		t.Errorf("%d other fields show errors; only the national ID is wrong", st.Others)
	}
	if alert := b.text(`#register-form .form-alert`); !strings.Contains(alert, "请按提示更正") {
		t.Errorf("form-level message = %q", alert)
	}
}

func TestBrowserLearnerChecksAndAppliesForConversion(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	nationalID := demoLearnerID(t)
	token := apiToken(t, base, nationalID, demoLearnerPassword)
	before := apiBalance(t, base, token)

	b := openBrowser(t, base)
	b.signIn(nationalID, demoLearnerPassword)
	b.do("record", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)))
	if got, want := b.balance("available"), strconv.FormatFloat(before.Available, 'f', -1, 64); got != want {
		t.Fatalf("available before = %q, API says %s", got, want)
	}
	b.do("convert page", chromedp.Click(chromedp.CSS(`#nav a[href="#/convert"]`)), chromedp.WaitVisible(chromedp.CSS(ruleCard("OU-ELECTIVE-SENIOR"))))
	cards := b.text(`#rule-list`)
	for _, s := range []string{"老年大学课程认定选修学分", "示范区开放大学", "学分认定", "课程免修", "入学", "自动认定", "人工审核", "课程 OU-CS-101"} {
		if !strings.Contains(cards, s) {
			t.Errorf("rule list lacks %q", s)
		}
	}

	// A rule she does not qualify for: the check says what is missing.
	exempt := ruleCard("OU-EXEMPT-CS101")
	b.do("check a rule she fails", chromedp.Click(chromedp.CSS(exempt+` [data-action="check"]`)),
		chromedp.WaitVisible(chromedp.CSS(exempt+` .evaluation`)))
	if got := browserRun(b, "eligible flag", chromedp.Evaluate[string](`document.querySelector('`+exempt+` .evaluation').dataset.eligible`)); got != "false" {
		t.Errorf("evaluation eligible = %q, want false", got)
	}
	if got := b.text(exempt + ` .shortfall-message`); got != "还需要 2.5 学分的社区教育类成果" {
		t.Errorf("shortfall shown = %q", got)
	}
	if got := b.text(exempt + ` .trace-list`); !strings.Contains(got, "符合条件的成果共 1.5 学分，要求 4 学分") {
		t.Errorf("trace lacks the failing step: %q", got)
	}

	// A rule she qualifies for, approved automatically.
	senior := ruleCard("OU-ELECTIVE-SENIOR")
	b.do("check a rule she meets", chromedp.Click(chromedp.CSS(senior+` [data-action="check"]`)),
		chromedp.WaitVisible(chromedp.CSS(senior+` .evaluation-ok`)))
	if got := b.text(senior + ` .awarded`); !strings.HasPrefix(got, "1") {
		t.Errorf("awarded credits shown = %q, want 1", got)
	}
	if got := b.text(senior + ` .used-list`); !strings.Contains(got, "老年") && !strings.Contains(got, "智能手机应用") {
		t.Errorf("used outcomes = %q", got)
	}
	b.screenshot("convert")
	b.do("apply", chromedp.Click(chromedp.CSS(senior+` [data-action="apply"]`)),
		chromedp.WaitVisible(chromedp.CSS(senior+` .alert-success`)))
	if got := b.text(senior + ` .alert-success`); !strings.Contains(got, "已通过") {
		t.Errorf("application result = %q, want 已通过", got)
	}
	// Applying twice is refused with a plain explanation.
	b.do("apply again", chromedp.Click(chromedp.CSS(senior+` [data-action="apply"]`)),
		chromedp.WaitVisible(chromedp.CSS(senior+` .alert-error`)))
	if got := b.text(senior + ` .alert-error`); !strings.Contains(got, "已经申请过") {
		t.Errorf("second application shows %q", got)
	}

	after := apiBalance(t, base, token)
	if after.Available >= before.Available {
		t.Fatalf("API available %v → %v: the approved conversion spent nothing", before.Available, after.Available)
	}
	b.do("record again", chromedp.Click(chromedp.CSS(`#nav a[href="#/record"]`)), chromedp.WaitVisible(chromedp.CSS(`#conversions`)))
	if got, want := b.balance("available"), strconv.FormatFloat(after.Available, 'f', -1, 64); got != want {
		t.Errorf("available after = %q, API says %s", got, want)
	}
	if got, want := b.balance("spent"), strconv.FormatFloat(after.Spent, 'f', -1, 64); got != want {
		t.Errorf("spent after = %q, API says %s", got, want)
	}
	row := b.text(`#conversions tbody tr`)
	if !strings.Contains(row, "老年大学课程认定选修学分") || !strings.Contains(row, "已通过") || !strings.Contains(row, "第 1 版") {
		t.Errorf("conversion row = %q, want the rule, 已通过 and its version", row)
	}
	b.screenshot("record-conversions")
}

func TestBrowserTranscriptPrintsAndVerifies(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("transcript", chromedp.Click(chromedp.CSS(`#nav a[href="#/transcript"]`)), chromedp.WaitVisible(chromedp.CSS(`#certificate`)))
	if got := b.text(`#cert-name`); got != "王秀兰" {
		t.Errorf("certificate name = %q", got)
	}
	if got := b.text(`#certificate`); !strings.Contains(got, "老年书法（楷书）") || !strings.Contains(got, "示范区老年大学") {
		t.Errorf("certificate lacks the outcomes: %q", got)
	}
	token := browserRun(b, "token", chromedp.Evaluate[string](`document.getElementById('transcript-token').value`))
	if len(strings.Split(token, ".")) != 3 {
		t.Fatalf("transcript token %q is not a JWS", token)
	}

	// Printing shows the certificate alone.
	type printed struct {
		Topbar, Token, Certificate string
	}
	b.media("print")
	got := browserRun(b, "printed", chromedp.Evaluate[printed](`({
	  Topbar: getComputedStyle(document.querySelector('.topbar')).display,
	  Token: getComputedStyle(document.getElementById('transcript-token').closest('section')).display,
	  Certificate: getComputedStyle(document.getElementById('certificate')).display,
	})`))
	if got.Topbar != "none" || got.Token != "none" || got.Certificate == "none" {
		t.Errorf("print layout = %+v, want only the certificate", got)
	}
	// The printed certificate carries its verification QR code and short URL.
	type qr struct {
		URL, Text string
		Width     float64
		Loaded    bool
	}
	q := browserRun(b, "QR code", chromedp.Evaluate[qr](`(() => { const img = document.querySelector('#cert-qr img');
	  return { URL: img.dataset.url, Text: document.getElementById('cert-verify-url').textContent,
	           Width: img.getBoundingClientRect().width, Loaded: img.complete && img.naturalWidth > 0 }; })()`))
	if !q.Loaded || q.Width < 60 || q.URL == "" || q.Text != q.URL || !strings.Contains(q.URL, "/v/") {
		t.Errorf("printed QR code = %+v", q)
	}
	b.screenshot("transcript-print-qr")
	b.media("")
	b.screenshot("transcript")
	// The QR code's URL opens the verify page on this very transcript.
	b.do("open the QR code's URL", chromedp.Navigate(base+q.URL[strings.Index(q.URL, "/v/"):]), chromedp.WaitVisible(chromedp.CSS(`#verify-result`)))
	if v := browserRun(b, "valid by code", chromedp.Evaluate[string](`document.getElementById('verify-result').dataset.valid`)); v != "true" {
		t.Errorf("transcript verified by its printed code as %q: %s", v, b.text(`#verify-result`))
	}
	if got := b.text(`#verify-result`); !strings.Contains(got, "没有成果被撤销") || strings.Contains(got, "王秀兰") {
		t.Errorf("verified by code, in Chinese with the name masked: %q", got)
	}
	b.screenshot("verify-by-code")
	b.do("back to the transcript", chromedp.Navigate(base+"/#/transcript"), chromedp.WaitVisible(chromedp.CSS(`#certificate`)))

	b.do("verify it", chromedp.Click(chromedp.CSS(`#transcript-verify`)), chromedp.WaitVisible(chromedp.CSS(`#verify-form`)),
		chromedp.Click(chromedp.CSS(`#verify-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#verify-result`)))
	if v := browserRun(b, "valid", chromedp.Evaluate[string](`document.getElementById('verify-result').dataset.valid`)); v != "true" {
		t.Errorf("own transcript verified as %q", v)
	}
	if n := browserRun(b, "failed checks", chromedp.Evaluate[int](`document.querySelectorAll('#verify-result .check-bad').length`)); n != 0 {
		t.Errorf("%d checks failed on a fresh transcript", n)
	}
	b.signOut()

	// Signed out, anyone can check a transcript; a tampered one fails.
	parts := strings.Split(token, ".")
	tampered := parts[0] + "." + parts[1][:len(parts[1])-2] + "AA." + parts[2]
	b.do("public verify", chromedp.Click(chromedp.CSS(`#nav a[href="#/verify"]`)), chromedp.WaitVisible(chromedp.CSS(`#verify-form`)),
		setValue(`#verify-form textarea`, tampered),
		chromedp.Click(chromedp.CSS(`#verify-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#verify-result`)))
	if v := browserRun(b, "valid", chromedp.Evaluate[string](`document.getElementById('verify-result').dataset.valid`)); v != "false" {
		t.Errorf("tampered transcript verified as %q", v)
	}
	if got := b.text(`#verify-result`); !strings.Contains(got, "证明无效") {
		t.Errorf("tampered verdict = %q", got)
	}
	b.screenshot("verify")
}

// --- own password, front desk ---

func TestBrowserLearnerChangesPasswordAndStaysSignedIn(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432")
	const newPassword = "li-jianguo-new-2026"
	otherSession := apiToken(t, base, string(learner), demoLearnerPassword)

	b := openBrowser(t, base)
	b.signIn(string(learner), demoLearnerPassword)
	b.do("record", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)))
	b.do("password page", chromedp.Click(chromedp.CSS(`#account-link`)), chromedp.WaitVisible(chromedp.CSS(`#password-form`)))
	if cur := browserRun(b, "header link state", chromedp.Evaluate[string](`document.getElementById('account-link').getAttribute('aria-current') || ''`)); cur != "page" {
		t.Errorf("header link aria-current = %q on its own page", cur)
	}
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#password-form input[name="` + name + `"]`) }
	fill := func(current, next, again string) {
		b.t.Helper()
		b.do("fill the password form",
			chromedp.Evaluate[chromedp.Void](`document.getElementById('password-form').reset()`),
			chromedp.SendKeys(f("currentPassword"), current),
			chromedp.SendKeys(f("newPassword"), next),
			chromedp.SendKeys(f("newPassword2"), again),
			chromedp.Click(chromedp.CSS(`#password-form button[type="submit"]`)))
	}

	// A mistyped repeat is caught on the page. Were it sent, the password
	// would now be "typo-...", and the change below with the old current
	// password would fail.
	fill(demoLearnerPassword, "typo-password-2026", "typo-password-2027")
	if got := b.fieldError("#password-form", "newPassword2"); !strings.Contains(got, "两次输入的密码不一致") {
		t.Errorf("repeat error = %q", got)
	}
	fill("not-my-password", newPassword, newPassword)
	if got := b.fieldError("#password-form", "currentPassword"); !strings.Contains(got, "不正确") {
		t.Errorf("wrong current password shown as %q", got)
	}
	before := b.sessionToken()
	fill(demoLearnerPassword, newPassword, newPassword)
	b.do("changed", chromedp.WaitVisible(chromedp.CSS(`#password-done .alert-success`)))
	b.screenshot("password")
	if after := b.sessionToken(); after == "" || after == before {
		t.Errorf("stored access token not replaced by the new session's (changed: %v)", after != before)
	}
	// Every earlier session ended, which is why the page had to swap tokens.
	apiJSON(t, http.MethodGet, base+"/api/v1/learners/me/record", otherSession, "", nil, http.StatusUnauthorized, nil)

	b.do("record after the change", chromedp.Click(chromedp.CSS(`#nav a[href="#/record"]`)), chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))
	if got := b.text(`#learner-name`); got != "李建国" {
		t.Errorf("record after the change shows %q", got)
	}
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))
	if flash := b.text(`#flash`); flash != "" {
		t.Errorf("after the change the page says %q", flash)
	}
	b.signOut()

	b.do("sign in with the old password",
		chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="username"]`), string(learner)),
		chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="password"]`), demoLearnerPassword),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-form .form-alert .alert-error`)))
	if signedIn := browserRun(b, "signed in?", chromedp.Evaluate[bool](`!document.getElementById('sign-out').hidden`)); signedIn {
		t.Fatal("the old password still signs in")
	}
	b.signIn(string(learner), newPassword)
	b.do("record with the new password", chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)))
	if got := b.text(`#learner-name`); got != "李建国" {
		t.Errorf("signed in with the new password, the record shows %q", got)
	}
}
