package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// startServerLimits is startServer with the given sign-in limits.
func startServerLimits(t *testing.T, lim Limits) string {
	t.Helper()
	base, _ := startServerConfigured(t, func(c *Config) { c.Limits = lim }, nil)
	return base
}

// TestBrowserLearnerSeesTheRealWait: after too many sign-in attempts the
// page names the wait the server gives in Retry-After, in both languages,
// not a fixed minute.
func TestBrowserLearnerSeesTheRealWait(t *testing.T) {
	t.Parallel()
	base := startServerLimits(t, Limits{LoginBurst: 2, LoginInterval: 45 * time.Second})
	b := openBrowser(t, base)
	b.open("signin")
	attempt := func(what string, wait string) {
		b.do(what, chromedp.WaitVisible(chromedp.CSS(`#signin-form input[name="username"]`)),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('signin-form').reset()`),
			chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="username"]`), demoLearnerID(t)),
			chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="password"]`), "not-her-password"),
			chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(wait)))
	}
	attempt("first wrong password", `#signin-form .form-alert .alert-error`)
	attempt("second wrong password", `#signin-form .form-alert .alert-error`)
	attempt("third attempt is limited", `#signin-form .form-alert [data-i18n="signin.rate_limitedWait"]`)
	got := b.text(`#signin-form .form-alert`)
	m := regexp.MustCompile(`请等 (\d+) 秒后再试`).FindStringSubmatch(got)
	if m == nil || strings.Contains(got, "一分钟") {
		t.Fatalf("limited sign-in says %q, want the wait in seconds", got)
	}
	if n, _ := strconv.Atoi(m[1]); n < 1 || n > 45 {
		t.Errorf("wait shown = %d s, want the server's Retry-After (1–45 s)", n)
	}
	b.assertPlainBoth("limited sign-in")
	b.do("English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	if got := b.text(`#signin-form .form-alert`); !strings.Contains(got, "wait "+m[1]+" s") {
		t.Errorf("English limited sign-in says %q, want the same %s s", got, m[1])
	}
}
