package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// spoilSession makes both tokens of the tab's session unusable, as a
// session ended elsewhere (a password change, an expiry) leaves them.
const spoilSession = `(() => {
  const s = JSON.parse(sessionStorage.getItem('cb.session'));
  s.accessToken = 'no-longer-valid';
  s.refreshToken = 'no-longer-valid';
  sessionStorage.setItem('cb.session', JSON.stringify(s));
})()`

// TestBrowserLearnerReturnsAfterSessionEnds: when both tokens are refused,
// the sign-in page says why the learner is there and, after signing in
// again, takes her back to the page she was on — whether the session ends
// while she moves between pages or while a page loads.
func TestBrowserLearnerReturnsAfterSessionEnds(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	id := demoLearnerID(t)
	b := openBrowser(t, base)
	password := demoLearnerPassword
	signInHere := func(what string) {
		t.Helper()
		b.do(what, chromedp.WaitVisible(chromedp.CSS(`#signin-form input[name="username"]`)),
			chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="username"]`), id),
			chromedp.SendKeys(chromedp.CSS(`#signin-form input[name="password"]`), password),
			chromedp.Click(chromedp.CSS(`#signin-form button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#sign-out`)))
	}
	b.signIn(id, password)
	// Changing the password on another device ends this tab's session: both
	// of its tokens are refused from then on.
	changeElsewhere := chromedp.Func(func(context.Context, *chromedp.Target) error {
		body, _ := json.Marshal(map[string]string{"currentPassword": password, "newPassword": "another-passphrase-2026"})
		apiJSON(t, http.MethodPost, base+"/api/v1/me/password", apiToken(t, base, id, password), "application/json", body, http.StatusOK, nil)
		password = "another-passphrase-2026"
		return nil
	})
	tests := []struct {
		name, page, ready string
		end               []chromedp.Action[chromedp.Void]
	}{
		{"moving to another page", "next", `#pathways`, []chromedp.Action[chromedp.Void]{changeElsewhere,
			chromedp.Evaluate[chromedp.Void](`location.hash = '#/next'`)}},
		{"while the page loads", "transcript", `#certificate`, []chromedp.Action[chromedp.Void]{
			chromedp.Evaluate[chromedp.Void](spoilSession + `; location.hash = '#/transcript'; location.reload()`)}},
	}
	for _, tc := range tests {
		b.open("record")
		b.do(tc.name+": session ends", append([]chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(`#learner-name`))}, tc.end...)...)
		b.do(tc.name+": sign-in page", chromedp.WaitVisible(chromedp.CSS(`#signin-why`)))
		if got := b.text(`#signin-why`); !strings.Contains(got, "登录已过期") || !strings.Contains(got, "回到您刚才的页面") {
			t.Errorf("%s: sign-in page says %q", tc.name, got)
		}
		b.assertPlainBoth("sign-in after the session ended")
		signInHere(tc.name + ": sign in again")
		b.do(tc.name+": back where she was", chromedp.WaitVisible(chromedp.CSS(tc.ready)))
		if got := browserRun(b, "hash", chromedp.Evaluate[string](`location.hash`)); got != "#/"+tc.page {
			t.Errorf("%s: after signing in again the page is %q, want #/%s", tc.name, got, tc.page)
		}
	}
	// A later, ordinary sign-in has nothing to explain.
	b.signOut()
	b.open("signin")
	if n := browserRun(b, "no note", chromedp.Evaluate[int](`document.querySelectorAll('#signin-why').length`)); n != 0 {
		t.Error("an ordinary sign-in page still explains an ended session")
	}
}
