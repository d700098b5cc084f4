package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// Browser tests drive the embedded UI in headless Chromium against the demo
// district. They need /usr/bin/chromium; outside CI a machine without it
// skips them, in CI its absence is a failure.

const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds one browser step so that a broken page fails the test
// instead of hanging it; it is a safety net, not an assertion.
const stepTimeout = 20 * time.Second

// cspProbe turns every Content-Security-Policy violation into a console
// error the test can see, whatever the browser's own reporting does.
const cspProbe = `document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline'));
});`

type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	problems []string
}

func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI: %v", err)
		}
		t.Skipf("chromium not installed at %s", chromiumPath)
	}
}

// openBrowser starts a fresh headless Chromium (own profile directory) that
// records console errors, uncaught exceptions and CSP violations.
func openBrowser(t *testing.T, base string) *browser {
	t.Helper()
	requireChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	}
	b := &browser{t: t, base: base}
	// Chromium now and then exits during start-up when the machine is busy
	// with the other test packages; a fresh process on a fresh profile
	// almost always starts, so a failed start is retried a few times.
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		if attempt > 1 {
			opts = append(opts, chromedp.UserDataDir(t.TempDir()))
			time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
		// The first call starts the browser; it must not run under a timeout,
		// which would end the browser with it.
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe})
		if err == nil {
			t.Cleanup(func() {
				cancelCtx()
				cancelAlloc()
			})
			b.ctx = ctx
			return b
		}
		cancelCtx()
		cancelAlloc()
		lastErr = err
		t.Logf("chromium start attempt %d failed: %v", attempt, err)
	}
	t.Fatalf("start chromium: %v", lastErr)
	return b
}

// record runs in the browser's event loop: it only appends.
func (b *browser) record(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != "error" && ev.Type != "assert" {
			return
		}
		parts := []string{}
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError && ev.Entry.Source != "security" {
			return
		}
		msg = "log(" + string(ev.Entry.Source) + "): " + ev.Entry.Text + " " + ev.Entry.URL
	default:
		return
	}
	b.mu.Lock()
	b.problems = append(b.problems, msg)
	b.mu.Unlock()
}

func (b *browser) consoleProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v\nconsole: %v", what, err, b.consoleProblems())
	}
}

func browserRun[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v\nconsole: %v", what, err, b.consoleProblems())
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(browserRun(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// waitJS waits until a page expression is truthy; a step timeout fails the test.
func (b *browser) waitJS(what, expr string) {
	b.t.Helper()
	browserRun(b, what, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(stepTimeout)))
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+"/#/"+path), chromedp.WaitVisible(chromedp.CSS("main .view")))
}

func (b *browser) signIn(username, password string) {
	b.t.Helper()
	b.open("signin")
	b.do("sign in as "+username,
		chromedp.WaitVisible(chromedp.CSS(`#signin-form input[name="username"]`)),
		// Opening the same URL again keeps the page and whatever was typed.
		chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-form').reset()`),
		chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="username"]`), username),
		chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sign-out`)),
	)
}

// --- API side, to compare what the page shows with what the server says ---

func apiToken(t *testing.T, base, username, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	res, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"accessToken"`
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login %s: status %d", username, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.AccessToken
}

type recordView struct {
	Account struct {
		Name       string `json:"name"`
		NationalID string `json:"nationalId"`
	} `json:"account"`
	Balance struct {
		Banked float64 `json:"banked"`
	} `json:"balance"`
	Outcomes []struct {
		Title string `json:"title"`
	} `json:"outcomes"`
}

func apiRecord(t *testing.T, base, token string) recordView {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/learners/me/record", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("record: status %d", res.StatusCode)
	}
	var rec recordView
	if err := json.NewDecoder(res.Body).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func demoLearnerID(t *testing.T) string {
	t.Helper()
	id, err := domain.CompleteNationalID("11010519620315123")
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}

// --- tests ---

func TestBrowserLearnerSeesRecordInBothLanguages(t *testing.T) {
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

// issuedRow is one row of the issued-outcomes table as the user reads it.
type issuedRow []string

func TestBrowserStaffIssuesOutcomeAndSeesItListed(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("issue form", chromedp.WaitVisible(chromedp.CSS(`#issue-form`)))

	// Only the institution's own categories are offered.
	cats := browserRun(b, "categories", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#issue-form select[name="category"] option')].map(o => o.value)`))
	if strings.Join(cats, ",") != "community,online,other" {
		t.Errorf("category choices = %v, want the community college's community,online,other", cats)
	}

	learner, _ := domain.CompleteNationalID("11010519880722432")
	const title = "社区摄影基础"
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#issue-form [name="` + name + `"]`) }
	b.do("fill the form",
		chromedp.SendKeys(f("learner.nationalId"), string(learner)),
		chromedp.SendKeys(f("learner.name"), "李建国"),
		chromedp.SetValue(f("category"), "community"),
		chromedp.SendKeys(f("title"), title),
		chromedp.SendKeys(f("courseCode"), "CC-PHO-01"),
		chromedp.SendKeys(f("hours"), "24"),
		chromedp.SendKeys(f("result.score"), "88"),
		chromedp.SetValue(f("completedOn"), "2025-10-01"),
		chromedp.Click(chromedp.CSS(`#issue-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issue-result`)),
	)
	if got := b.text(`#issued-credits`); got != "1.5" {
		t.Errorf("computed credits shown = %q, want 1.5 (24 h at 16 h per credit)", got)
	}

	b.do("issued list", chromedp.Click(chromedp.CSS(`#nav a[href="#/issued"]`)), chromedp.WaitVisible(chromedp.CSS(`#issued-list table`)))
	rowsJS := `[...document.querySelectorAll('#issued-list tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))`
	rows := func() []issuedRow { return browserRun(b, "issued rows", chromedp.Evaluate[[]issuedRow](rowsJS)) }
	// Newest first: the outcome just issued heads the list, naming its
	// learner by name and masked ID.
	row := rows()[0]
	if len(row) < 9 || !strings.Contains(row[1], title) {
		t.Fatalf("first issued row = %q, want the outcome just issued (%s)", row, title)
	}
	masked := string(learner)[:6] + "********" + string(learner)[14:]
	if !strings.Contains(row[0], "李建国") || !strings.Contains(row[0], masked) || strings.Contains(row[0], string(learner)) {
		t.Errorf("learner cell = %q, want 李建国 and %s (never the full ID)", row[0], masked)
	}
	if row[4] != "1.5" || row[2] != "社区教育" || !strings.Contains(row[8], "有效") {
		t.Errorf("issued row = %q, want credits 1.5, category 社区教育, status 有效", row)
	}
	total := len(rows())

	// Searching by part of the learner's name keeps only that learner's rows.
	b.do("search by learner",
		chromedp.SendKeys(chromedp.CSS(`#issued-search [name="learner"]`), "建国"),
		chromedp.Click(chromedp.CSS(`#issued-search button[type="submit"]`)))
	b.waitJS("search applied", `[...document.querySelectorAll('#issued-list tbody tr')].every(r => r.cells[0].innerText.includes('李建国'))`)
	if got := rows(); len(got) == 0 || len(got) >= total || !strings.Contains(got[0][1], title) {
		t.Errorf("rows for 建国 = %q, want 李建国's outcomes only (fewer than all %d), newest first", got, total)
	}
	b.do("search by course code",
		chromedp.Click(chromedp.CSS(`#issued-search button[type="reset"]`)),
		chromedp.SendKeys(chromedp.CSS(`#issued-search [name="courseCode"]`), "no-such-code"),
		chromedp.Click(chromedp.CSS(`#issued-search button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issued-list p.empty`)))
	if got := b.text(`#issued-list p.empty`); got != "没有符合条件的成果。" {
		t.Errorf("no match says %q", got)
	}
	b.do("clear the search",
		chromedp.Click(chromedp.CSS(`#issued-search button[type="reset"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#issued-list table`)))

	// Revoking names the learner and the outcome, asks for a reason in a
	// dialog and marks the row revoked.
	b.do("revoke",
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#issued-list tbody tr')].find(r => r.innerText.includes('`+title+`')).querySelector('button')`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] textarea`)))
	if what := b.text(`dialog[open] #revoke-what`); !strings.Contains(what, "李建国") || !strings.Contains(what, masked) || !strings.Contains(what, title) {
		t.Errorf("revoke dialog says %q, want the learner (李建国, %s) and the outcome %s", what, masked, title)
	}
	b.do("revoke reason",
		chromedp.SendKeys(chromedp.CSS(`dialog[open] textarea`), "登记错误"),
		chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)),
	)
	b.waitJS("row revoked", `[...document.querySelectorAll('#issued-list tbody tr')].some(r => r.innerText.includes('`+title+`') && r.innerText.includes('已撤销') && r.innerText.includes('李建国'))`)
}

func TestBrowserRegistrationShowsFieldErrorNextToField(t *testing.T) {
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

func TestBrowserPagesHaveNoConsoleErrorsOrCSPViolations(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)

	b.open("signin")
	b.do("language round trip", chromedp.Click(chromedp.CSS(`#lang-toggle`)), chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.open("register")

	b.signIn("admin", demoAdminPassword)
	for _, p := range []string{"institutions", "desk", "policy", "stats", "rules", "audit"} {
		b.do("admin "+p, chromedp.Click(chromedp.CSS(`#nav a[href="#/`+p+`"]`)), chromedp.WaitVisible(chromedp.CSS(`main .card`)))
	}
	b.do("verify audit chain", chromedp.Click(chromedp.CSS(`#audit-verify`)), chromedp.WaitVisible(chromedp.CSS(`#audit-verify-result`)))
	if got := b.text(`#audit-verify-result`); !strings.Contains(got, "校验通过") {
		t.Errorf("audit verification shows %q", got)
	}
	b.do("front desk lookup and record", chromedp.Click(chromedp.CSS(`#nav a[href="#/desk"]`)), chromedp.WaitVisible(chromedp.CSS(`#lookup-form`)),
		chromedp.SendKeys(chromedp.CSS(`#lookup-form input[name="nationalId"]`), demoLearnerID(t)),
		chromedp.Click(chromedp.CSS(`#lookup-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#lookup-record`)),
		chromedp.Click(chromedp.CSS(`#lookup-record`)), chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)),
		chromedp.Click(chromedp.CSS(`#account-link`)), chromedp.WaitVisible(chromedp.CSS(`#password-form`)),
		chromedp.Click(chromedp.CSS(`#lang-toggle`)), chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.do("rule editor and simulation", chromedp.Click(chromedp.CSS(`#nav a[href="#/rules"]`)), chromedp.WaitVisible(chromedp.CSS(`#rules-list a`)),
		chromedp.Click(chromedp.CSS(`#rules-list a`)), chromedp.WaitVisible(chromedp.CSS(`#rule-form`)),
		chromedp.Click(chromedp.CSS(`#rule-mode`)), chromedp.WaitVisible(chromedp.CSS(`#rule-form textarea[name="condition"]`)),
		chromedp.Click(chromedp.CSS(`#rule-simulate`)), chromedp.WaitVisible(chromedp.CSS(`#simulation`)),
		chromedp.Click(chromedp.CSS(`#lang-toggle`)), chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.do("sign out", chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))

	apiGrant(t, base, apiToken(t, base, demoLearnerID(t), demoLearnerPassword), demoInstitutionID(t, base, "示范区开放大学"), 30)
	b.signIn("ou.reviewer", demoStaffPassword)
	b.do("review pages", chromedp.WaitVisible(chromedp.CSS(`#review-list`)),
		chromedp.Click(chromedp.CSS(`.tabs a[data-status="approved"]`)), chromedp.WaitVisible(chromedp.CSS(`.tabs a[data-status="approved"][aria-current="page"]`)))
	b.do("shared records", chromedp.Click(chromedp.CSS(`#nav a[href="#/shared"]`)), chromedp.WaitVisible(chromedp.CSS(`#shared-list tbody a`)),
		chromedp.Click(chromedp.CSS(`#shared-list tbody a`)), chromedp.WaitVisible(chromedp.CSS(`#shared-banner`)), chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)),
		chromedp.Click(chromedp.CSS(`#lang-toggle`)), chromedp.Click(chromedp.CSS(`#lang-toggle`)),
		chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))

	b.signIn("cc.registrar", demoStaffPassword)
	b.do("staff pages", chromedp.WaitVisible(chromedp.CSS(`#issue-form`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/issued"]`)), chromedp.WaitVisible(chromedp.CSS(`#issued-list`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/import"]`)), chromedp.WaitVisible(chromedp.CSS(`#import-form`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/shared"]`)), chromedp.WaitVisible(chromedp.CSS(`#shared-list .empty-state`)),
		chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))

	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("learner pages", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/sharing"]`)), chromedp.WaitVisible(chromedp.CSS(`#grant-form`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/convert"]`)), chromedp.WaitVisible(chromedp.CSS(`#rule-list [data-action="check"]`)),
		chromedp.Click(chromedp.CSS(`#rule-list [data-action="check"]`)), chromedp.WaitVisible(chromedp.CSS(`#rule-list .evaluation`)))

	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}

	// The watch itself must work, or the check above proves nothing: an
	// inline style is a CSP violation and must be reported.
	before := len(b.consoleProblems())
	b.do("inline style probe", chromedp.Evaluate[chromedp.Void](
		`document.body.insertAdjacentHTML('beforeend', '<p style="color: red">probe</p>')`))
	b.waitJS("probe rendered", `document.body.lastElementChild.textContent === 'probe'`)
	deadline := time.Now().Add(stepTimeout)
	for len(b.consoleProblems()) == before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	got := b.consoleProblems()[before:]
	if len(got) == 0 || !strings.Contains(fmt.Sprint(got), "style-src") {
		t.Errorf("a deliberate inline style went unreported (%v): the CSP watch is not working", got)
	}
}

// --- conversions, review, import, statistics ---

// screenshot saves the page for a human to look at; failing to save is not
// a test failure.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	png := browserRun(b, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile("/tmp/ui-"+name+".png", png, 0o644); err != nil {
		b.t.Logf("screenshot not saved: %v", err)
	}
}

// setValue sets a control's value from script: chromedp.SetValue cannot
// set an empty value.
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(value)
	q, _ := json.Marshal(sel)
	return chromedp.Evaluate[chromedp.Void](`document.querySelector(` + string(q) + `).value = ` + string(js))
}

// media emulates a CSS media type ("print"); "" restores the screen.
func (b *browser) media(m string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
		b.t.Fatalf("emulate media %q: %v", m, err)
	}
}

func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))
}

// ruleCard is the selector of one rule's card on the learner's convert page.
func ruleCard(code string) string { return `#rule-list [data-rule-code="` + code + `"]` }

func (b *browser) balance(kind string) string {
	b.t.Helper()
	return b.text(`[data-balance="` + kind + `"] .balance-number`)
}

type balanceView struct {
	Available float64 `json:"available"`
	Spent     float64 `json:"spent"`
	Earmarked float64 `json:"earmarked"`
}

func apiBalance(t *testing.T, base, token string) balanceView {
	t.Helper()
	var rec struct {
		Balance balanceView `json:"balance"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/learners/me/record", token, "", nil, http.StatusOK, &rec)
	return rec.Balance
}

// apiJSON makes one API call and decodes the answer, failing the test on
// any status but want.
func apiJSON(t *testing.T, method, url, token, contentType string, body []byte, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", method, url, res.StatusCode, want)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

func TestBrowserLearnerChecksAndAppliesForConversion(t *testing.T) {
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

func TestBrowserReviewerApprovesApplication(t *testing.T) {
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432")
	b := openBrowser(t, base)

	b.signIn(string(learner), demoLearnerPassword)
	exempt := ruleCard("OU-EXEMPT-CS101")
	b.do("apply for exemption", chromedp.Click(chromedp.CSS(`#nav a[href="#/convert"]`)),
		chromedp.WaitVisible(chromedp.CSS(exempt)),
		chromedp.Click(chromedp.CSS(exempt+` [data-action="apply"]`)),
		chromedp.WaitVisible(chromedp.CSS(exempt+` .alert-warning`)))
	if got := b.text(exempt + ` .alert-warning`); !strings.Contains(got, "待审核") {
		t.Errorf("manual rule application shows %q, want 待审核", got)
	}
	b.signOut()

	b.signIn("ou.reviewer", demoStaffPassword)
	card := `#review-list [data-rule-code="OU-EXEMPT-CS101"]`
	b.do("review queue", chromedp.WaitVisible(chromedp.CSS(card)))
	if got := b.text(`.tabs a[aria-current="page"]`); got != "待审核" {
		t.Errorf("current tab = %q, want 待审核", got)
	}
	if got := b.text(card); !strings.Contains(got, "李建国") || !strings.Contains(got, "110105********4320") || strings.Contains(got, "110105198807224320") {
		t.Errorf("review card should name the applicant with a masked ID only: %q", got)
	}
	if got := b.text(card); !strings.Contains(got, "家庭理财基础") || !strings.Contains(got, "社区英语（初级）") {
		t.Errorf("review card does not list the outcomes used: %q", got)
	}
	b.screenshot("review")
	const note = "同意免修，请到教务处备案"
	b.do("approve",
		chromedp.SendKeys(chromedp.CSS(card+` textarea`), note),
		chromedp.Click(chromedp.CSS(card+` [data-action="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(card+` .alert-success`)))
	if got := b.text(card + ` .card-head .badge`); got != "已通过" {
		t.Errorf("badge after approval = %q", got)
	}
	b.do("approved tab", chromedp.Click(chromedp.CSS(`.tabs a[data-status="approved"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.tabs a[data-status="approved"][aria-current="page"]`)),
		chromedp.WaitVisible(chromedp.CSS(card)))
	if got := b.text(card); !strings.Contains(got, note) {
		t.Errorf("approved card lacks the note: %q", got)
	}
	b.signOut()

	b.signIn(string(learner), demoLearnerPassword)
	b.do("record", chromedp.WaitVisible(chromedp.CSS(`#conversions`)))
	row := b.text(`#conversions tbody tr`)
	if !strings.Contains(row, "已通过") || !strings.Contains(row, note) {
		t.Errorf("learner's conversion row = %q, want 已通过 with the reviewer's note", row)
	}
}

func TestBrowserStaffImportsCSVAndSeesRowErrors(t *testing.T) {
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432")
	csvPath := t.TempDir() + "/outcomes.csv"
	csv := "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n" +
		string(learner) + ",李建国,community,社区书法入门,CC-CAL-09,24,88,2025-10-01\n" +
		string(learner) + ",李建国,community,社区园艺,CC-GAR-09,很多,90,2025-10-02\n" +
		string(learner) + ",李建国,community,社区茶艺,CC-TEA-09,,90,2025-10-03\n" +
		string(learner) + ",李建国,community,社区书法入门,CC-CAL-09,24,88,2025-10-01\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	b := openBrowser(t, base)
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("import page", chromedp.Click(chromedp.CSS(`#nav a[href="#/import"]`)), chromedp.WaitVisible(chromedp.CSS(`#import-form`)))
	// Submitting with no file is caught before any upload.
	b.do("submit without a file", chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-form [data-field="file"] .field-error`)))
	b.do("upload",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{csvPath}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-state[data-state="done"]`)))
	count := func(k string) string { return b.text(`[data-count="` + k + `"] dd`) }
	if count("ok") != "1" || count("failed") != "2" || count("duplicates") != "1" {
		t.Errorf("counts ok=%s failed=%s duplicates=%s, want 1, 2, 1", count("ok"), count("failed"), count("duplicates"))
	}
	if got := b.text(`#import-state`); !strings.Contains(got, "4 / 4") {
		t.Errorf("progress = %q, want 4 / 4 rows", got)
	}
	if got := b.text(`#import-duplicates`); !strings.Contains(got, "第 5 行") {
		t.Errorf("duplicates say %q, want row 5 listed", got)
	}
	if v := browserRun(b, "progress value", chromedp.Evaluate[float64](`document.getElementById('import-progress-bar').position`)); v != 1 {
		t.Errorf("progress bar at %v, want full", v)
	}
	rows := browserRun(b, "error rows", chromedp.Evaluate[[]issuedRow](
		`[...document.querySelectorAll('#import-errors tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))`))
	if len(rows) != 2 || rows[0][0] != "3" || rows[0][1] != "学时" || rows[0][2] != "“学时”应为数字" ||
		rows[1][0] != "4" || rows[1][2] != "“学时”必须填写" {
		t.Errorf("row errors = %q, want row 3 学时 应为数字 and row 4 学时 必须填写", rows)
	}
	if !browserRun(b, "failed rows button", chromedp.Evaluate[bool](`!!document.getElementById('import-failed-csv')`)) {
		t.Error("no button to download the failed rows")
	}
	b.screenshot("import")

	// The result survives a reload: the history lists the upload by file
	// name and uploader, and opens its result again.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#import-history table`)))
	hist := b.text(`#import-history tbody tr`)
	if !strings.Contains(hist, "outcomes.csv") || !strings.Contains(hist, "cc.registrar") {
		t.Errorf("history row = %q, want the file name and the uploader", hist)
	}
	b.do("open from history", chromedp.Click(chromedp.CSS(`#import-history tbody tr button`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-errors tbody tr`)))

	// A picture chosen by mistake is refused in plain words.
	png := t.TempDir() + "/photo.csv"
	if err := os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("upload a picture",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{png}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-form [data-field="file"] .field-error`)))
	if msg := b.text(`#import-form [data-field="file"] .field-error`); !strings.Contains(msg, "图片") || strings.Contains(msg, "PNG,") || strings.Contains(msg, "not CSV") {
		t.Errorf("picture refused with %q, want a plain Chinese message", msg)
	}
	// A column the import does not know is named, in Chinese.
	odd := t.TempDir() + "/odd.csv"
	if err := os.WriteFile(odd, []byte("身份证号,姓名,类别,成果名称,学时,完成日期,颜色\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("upload an unknown column",
		chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[type="file"]`), []string{odd}),
		chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)))
	b.waitJS("column named", `document.querySelector('#import-form [data-field="file"] .field-error').innerText.includes('颜色')`)
	if msg := b.text(`#import-form [data-field="file"] .field-error`); !strings.Contains(msg, "第 7 列") || strings.Contains(msg, "unknown") {
		t.Errorf("unknown column refused with %q, want it named in Chinese with its position", msg)
	}

	// The downloadable template is UTF-8 with a BOM; its example row is
	// never imported.
	res, err := http.Get(base + "/template-outcomes.csv")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(tmpl, []byte("\xef\xbb\xbf身份证号,姓名,类别,成果名称,课程代码,学时,学分,成绩,等第,是否通过,完成日期,有效期至,级别")) {
		t.Errorf("template starts %q, want a BOM and the Chinese headers", tmpl[:min(len(tmpl), 80)])
	}
	staff := apiToken(t, base, "cc.registrar", demoStaffPassword)
	var job struct {
		ID     string `json:"id"`
		State  string `json:"state"`
		OK     int    `json:"ok"`
		Failed int    `json:"failed"`
	}
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes/import", staff, "text/csv", tmpl, http.StatusAccepted, &job)
	for deadline := time.Now().Add(stepTimeout); job.State != "done" && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		apiJSON(t, http.MethodGet, base+"/api/v1/imports/"+job.ID, staff, "", nil, http.StatusOK, &job)
	}
	if job.State != "done" || job.OK != 0 || job.Failed != 0 {
		t.Errorf("template import = %+v, want its example row skipped, nothing banked", job)
	}
}

func TestBrowserAdminSeesStatistics(t *testing.T) {
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

func TestBrowserRuleEditorVersionsSimulatesAndPublishes(t *testing.T) {
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
		chromedp.Click(chromedp.CSS(`#rule-publish`)), chromedp.WaitVisible(chromedp.CSS(`#flash .alert-success`)))
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

func TestBrowserTranscriptPrintsAndVerifies(t *testing.T) {
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

func loginBody(username, password string) []byte {
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	return body
}

func (b *browser) sessionToken() string {
	b.t.Helper()
	return browserRun(b, "stored access token", chromedp.Evaluate[string](
		`(JSON.parse(sessionStorage.getItem('cb.session') || 'null') || {}).accessToken || ''`))
}

// fieldError waits for the error shown next to one field of a form.
func (b *browser) fieldError(form, field string) string {
	b.t.Helper()
	sel := form + ` [data-field="` + field + `"] .field-error`
	b.do("error at "+field, chromedp.WaitVisible(chromedp.CSS(sel)))
	return b.text(sel)
}

func TestBrowserLearnerChangesPasswordAndStaysSignedIn(t *testing.T) {
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

func TestBrowserAdminResetsLearnerAtFrontDeskAndLearnerReclaims(t *testing.T) {
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

// demoInstitutionID finds a demo institution in the public directory.
func demoInstitutionID(t *testing.T, base, name string) string {
	t.Helper()
	var dir struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/institutions?limit=200", "", "", nil, http.StatusOK, &dir)
	for _, i := range dir.Items {
		if i.Name == name {
			return i.ID
		}
	}
	t.Fatalf("institution %q not in the directory", name)
	return ""
}

// apiGrant shares a learner's record through the API and returns the grant's id.
func apiGrant(t *testing.T, base, token, institutionID string, days int) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"institutionId": institutionID, "days": days})
	var g struct {
		ID string `json:"id"`
	}
	apiJSON(t, http.MethodPost, base+"/api/v1/learners/me/grants", token, "application/json", body, http.StatusCreated, &g)
	return g.ID
}

// phoneWidth narrows the page to a phone's width, or gives the window its
// own size back. chromedp.EmulateReset would restore the browser's initial
// metrics, not the window size the test chose.
func (b *browser) phoneWidth(on bool) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	var err error
	if on {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(390, 844))
	} else {
		_, err = chromedp.Call(ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	}
	if err != nil {
		b.t.Fatalf("phone width %v: %v", on, err)
	}
}

// sharedRow is one row of the shared-records list as the user reads it.
type sharedRow struct {
	Name  string `json:"name"`
	ID    string `json:"id"`
	Until string `json:"until"`
	Soon  bool   `json:"soon"`
}

func (b *browser) sharedRows() []sharedRow {
	b.t.Helper()
	return browserRun(b, "shared rows", chromedp.Evaluate[[]sharedRow](`[...document.querySelectorAll('#shared-list tbody tr')].map(r => ({
	  name: r.cells[0].innerText.trim(),
	  id: r.cells[1].innerText.trim(),
	  until: r.cells[3].innerText.trim(),
	  soon: !!r.querySelector('.ends-soon'),
	}))`))
}

func TestBrowserInstitutionReadsRecordsSharedWithIt(t *testing.T) {
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
