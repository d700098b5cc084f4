package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/cdp"
)

func TestZZShots(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	shot := func(name string) {
		png := browserRun(b, "shot", chromedp.FullScreenshot(100))
		os.WriteFile("/tmp/shot-"+name+".png", png, 0o644)
	}
	b.open("signin")
	shot("signin")
	b.open("register")
	b.do("x", chromedp.SendKeys(chromedp.CSS(`#register-form input[name="nationalId"]`), "110105196203151230"), chromedp.Click(chromedp.CSS(`#register-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.alert`)))
	shot("register")
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("x", chromedp.WaitVisible(chromedp.CSS(`#learner-name`)), chromedp.Click(chromedp.CSS(`details.ledger summary`)))
	shot("record")
	b.do("x", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	shot("record-en")
	b.do("x", chromedp.Click(chromedp.CSS(`#nav a[href="#/sharing"]`)), chromedp.WaitVisible(chromedp.CSS(`#grant-form`)))
	shot("sharing-en")
	b.do("x", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	chromedp.Call(b.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true})
	b.do("x", chromedp.Click(chromedp.CSS(`#nav a[href="#/record"]`)), chromedp.WaitVisible(chromedp.CSS(`#learner-name`)))
	shot("record-mobile")
	chromedp.Call(b.ctx, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
	b.do("x", chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))
	b.signIn("cc.registrar", demoStaffPassword)
	b.do("x", chromedp.WaitVisible(chromedp.CSS(`#issue-form`)), chromedp.Click(chromedp.CSS(`#issue-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.form-alert .alert`)))
	shot("issue-errors")
	b.do("x", chromedp.Click(chromedp.CSS(`#nav a[href="#/issued"]`)), chromedp.WaitVisible(chromedp.CSS(`#issued-list table`)), chromedp.Click(chromedp.CSS(`#issued-list tbody tr button`)), chromedp.WaitVisible(chromedp.CSS(`dialog[open]`)))
	shot("issued-dialog")
	b.do("x", chromedp.Click(chromedp.CSS(`dialog[open] button.btn-ghost`)), chromedp.Click(chromedp.CSS(`#sign-out`)), chromedp.WaitVisible(chromedp.CSS(`#signin-form`)))
	b.signIn("admin", demoAdminPassword)
	b.do("x", chromedp.WaitVisible(chromedp.CSS(`main .card`)))
	shot("institutions")
	b.do("x", chromedp.Click(chromedp.CSS(`#nav a[href="#/policy"]`)), chromedp.WaitVisible(chromedp.CSS(`#policy-form`)))
	shot("policy")
	b.do("x", chromedp.Click(chromedp.CSS(`#nav a[href="#/audit"]`)), chromedp.WaitVisible(chromedp.CSS(`#audit-filter`)), chromedp.Click(chromedp.CSS(`#audit-verify`)), chromedp.WaitVisible(chromedp.CSS(`#audit-verify-result`)))
	shot("audit")
	t.Log(b.consoleProblems())
}
