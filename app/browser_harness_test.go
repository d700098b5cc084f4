package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
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

// setLanguage chooses the UI language the way the toggle remembers it and
// reloads, so every screen renders afresh in that language.
func (b *browser) setLanguage(lang string) {
	b.t.Helper()
	b.do("language "+lang,
		chromedp.Evaluate[chromedp.Void](`localStorage.setItem('cb.lang', '`+lang+`')`),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("main .view")),
	)
}

// plainWordsProbe lists, for the page as shown, every text that a reader
// should never meet: internal codes ("match.ok"), JSON paths ("items[0]"),
// category codes in the Chinese UI, English sentences in the Chinese UI and
// Chinese sentences in the English UI. Elements marked data-own-words
// (people's names, course titles typed by institutions) and closed
// technical-detail sections are not the UI's own words and are skipped.
const plainWordsProbe = `((lang) => {
  const found = [];
  const code = /\b[a-z]+\.[a-z_]+(\.[a-z_]+)*\b/;
  const path = /\b[A-Za-z]+\[\d+\]/;
  const category = /\b(academic|vocational|certificate|community|senior|online|other|exemption|admission|per_year|lifetime|n_of)\b/;
  const english = /[A-Za-z]{2,}[,']?(\s+[A-Za-z]{2,}[,.']?){2,}/;
  const han = /[\u4e00-\u9fff]/;
  const hanSentence = /[的请已了您吗将在是和或为不]|[，。；：！？]/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, textarea, [data-own-words], [hidden], template')) continue;
    if (!el.checkVisibility || !el.checkVisibility()) continue;
    const s = n.textContent.trim();
    if (!s) continue;
    const hit = (why) => found.push(why + ': ' + JSON.stringify(s.slice(0, 160)));
    if (code.test(s)) hit('internal code');
    if (path.test(s)) hit('JSON path');
    if (lang === 'zh' && category.test(s)) hit('code word');
    if (lang === 'zh' && english.test(s)) hit('English in Chinese UI');
    if (lang === 'en' && han.test(s) && hanSentence.test(s)) hit('Chinese in English UI');
  }
  return found;
})`

// plainWords fails the test for every text plainWordsProbe finds on the
// current page, naming the page.
func (b *browser) plainWords(page, lang string) {
	b.t.Helper()
	found := browserRun(b, "plain words on "+page, chromedp.Evaluate[[]string](plainWordsProbe+`('`+lang+`')`))
	for _, f := range found {
		b.t.Errorf("%s (%s): %s", page, lang, f)
	}
}

// navPaths lists the screens in the navigation of the signed-in user.
func (b *browser) navPaths() []string {
	b.t.Helper()
	return browserRun(b, "navigation", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('#nav a')].map(a => a.getAttribute('href').replace(/^#\//, ''))`))
}

// visitAllInBothLanguages opens every screen of the navigation (and the
// extra paths given) in Chinese and in English and checks the words on
// each; after runs on each page once it has rendered, for a role's own
// interactions.
func (b *browser) visitAllInBothLanguages(extra []string, after func(path, lang string)) {
	b.t.Helper()
	for _, lang := range []string{"zh", "en"} {
		b.setLanguage(lang)
		paths := append(b.navPaths(), extra...)
		for _, p := range paths {
			b.open(p)
			// Screens fill in after their data arrives; wait for the busy
			// indicator to settle before reading.
			b.waitJS("settled "+p, `!document.body.classList.contains('is-busy') && !document.querySelector('main [aria-busy="true"]')`)
			if after != nil {
				after(p, lang)
			}
			b.plainWords(p, lang)
		}
	}
}
