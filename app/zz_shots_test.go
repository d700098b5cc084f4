package main

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestZZShots(t *testing.T) {
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.open("signin")
	b.do("x", chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="username"]`), "admin"),
		chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="password"]`), "wrong-password"),
		chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#signin-form .alert`)))
	t.Log(b.text(`#signin-form .alert`))
	png := browserRun(b, "shot", chromedp.FullScreenshot(100))
	os.WriteFile("/tmp/shot-badlogin.png", png, 0o644)
	n := len(b.consoleProblems())
	b.signIn(demoLearnerID(t), demoLearnerPassword)
	b.do("x", chromedp.Click(chromedp.CSS(`#nav a[href="#/sharing"]`)), chromedp.WaitVisible(chromedp.CSS(`#grant-form`)),
		chromedp.Click(chromedp.CSS(`main .btn-secondary`)))
	b.waitJS("idle", `!document.body.classList.contains('is-busy')`)
	t.Log(b.consoleProblems()[n:])
}
