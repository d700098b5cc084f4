package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// TestBrowserLearnerClaimWithMistypedName: 陈志强, whose record a school
// opened, registers with a mistyped name. The page says the name does not
// match the record and where to get help — not "already registered, sign
// in" — in both languages; with the right name he is in.
func TestBrowserLearnerClaimWithMistypedName(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	id, _ := domain.CompleteNationalID("11010519730930782")
	b := openBrowser(t, base)
	b.open("register")
	f := func(name string) chromedp.CSS { return chromedp.CSS(`#register-form input[name="` + name + `"]`) }
	b.do("register with a mistyped name", chromedp.WaitVisible(f("nationalId")),
		chromedp.SendKeys(f("nationalId"), string(id)),
		chromedp.SendKeys(f("name"), "陈志刚"),
		chromedp.SendKeys(f("password"), "a-long-password-1"),
		chromedp.SendKeys(f("password2"), "a-long-password-1"),
		chromedp.Click(chromedp.CSS(`#register-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#register-form .form-alert .alert-error`)))
	got := b.text(`#register-form .form-alert`)
	for _, want := range []string{"姓名和档案里的姓名不一致", "带身份证", "服务窗口"} {
		if !strings.Contains(got, want) {
			t.Errorf("mistyped name: page says %q, want %q", got, want)
		}
	}
	if strings.Contains(got, "请直接登录") || strings.Contains(got, "conflict") {
		t.Errorf("mistyped name: page says %q", got)
	}
	b.assertPlainBoth("claim with a mistyped name")
	b.do("English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	if got := b.text(`#register-form .form-alert`); !strings.Contains(got, "differs from the name on the record") {
		t.Errorf("English: %q", got)
	}
	b.do("Chinese", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.do("the right name", chromedp.SetValue(f("name"), "陈志强"),
		chromedp.Click(chromedp.CSS(`#register-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#learner-name`)))
	if got := b.text(`#learner-name`); got != "陈志强" {
		t.Errorf("after claiming: %q", got)
	}
}
