package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

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
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{t: t, base: base}
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithListener(b.record))
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b.ctx = ctx
	// The first call starts the browser; it must not run under a timeout,
	// which would end the browser with it.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
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
	findRow := func() issuedRow {
		for _, r := range browserRun(b, "issued rows", chromedp.Evaluate[[]issuedRow](rowsJS)) {
			if len(r) > 7 && strings.Contains(r[0], title) {
				return r
			}
		}
		return nil
	}
	row := findRow()
	if row == nil {
		t.Fatalf("issued outcome %q not in the list", title)
	}
	if row[3] != "1.5" || row[1] != "社区教育" || !strings.Contains(row[7], "有效") {
		t.Errorf("issued row = %q, want credits 1.5, category 社区教育, status 有效", row)
	}

	// Revoking asks for a reason in a dialog and marks the row revoked.
	b.do("revoke",
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#issued-list tbody tr')].find(r => r.innerText.includes('`+title+`')).querySelector('button')`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] textarea`)),
		chromedp.SendKeys(chromedp.CSS(`dialog[open] textarea`), "登记错误"),
		chromedp.Click(chromedp.CSS(`dialog[open] button[type="submit"]`)),
	)
	b.waitJS("row revoked", `[...document.querySelectorAll('#issued-list tbody tr')].some(r => r.innerText.includes('`+title+`') && r.innerText.includes('已撤销'))`)
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
	for _, p := range []string{"institutions", "policy", "audit"} {
		b.do("admin "+p, chromedp.Click(chromedp.CSS(`#nav a[href="#/`+p+`"]`)), chromedp.WaitVisible(chromedp.CSS(`main .card`)))
	}
	b.do("verify audit chain", chromedp.Click(chromedp.CSS(`#audit-verify`)), chromedp.WaitVisible(chromedp.CSS(`#audit-verify-result`)))
	if got := b.text(`#audit-verify-result`); !strings.Contains(got, "校验通过") {
		t.Errorf("audit verification shows %q", got)
	}
	b.do("sign out", chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))

	b.signIn("cc.registrar", demoStaffPassword)
	b.do("staff pages", chromedp.WaitVisible(chromedp.CSS(`#issue-form`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/issued"]`)), chromedp.WaitVisible(chromedp.CSS(`#issued-list`)),
		chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))

	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("learner pages", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)),
		chromedp.Click(chromedp.CSS(`#nav a[href="#/sharing"]`)), chromedp.WaitVisible(chromedp.CSS(`#grant-form`)))

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
