package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserPagesHaveNoConsoleErrorsOrCSPViolations(t *testing.T) {
	t.Parallel()
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
