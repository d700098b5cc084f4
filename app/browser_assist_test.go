package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

func demoID(t *testing.T, first17 string) string {
	t.Helper()
	id, err := domain.CompleteNationalID(first17)
	if err != nil {
		t.Fatal(err)
	}
	return string(id)
}

func TestBrowserHelperAppliesForLearnerWhoSeesItInAccessLog(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, helper := demoLearnerID(t), demoID(t, "11010519880722432") // 王秀兰 asks 李建国
	b := openBrowser(t, base)

	b.signIn(learner, demoLearnerPassword)
	b.do("helpers page", chromedp.Click(chromedp.CSS(`#nav a[href="#/helpers"]`)), chromedp.WaitVisible(chromedp.CSS(`#helper-form`)))
	if got := b.text(`#access-log`); !strings.Contains(got, "还没有其他人查看过") {
		t.Errorf("access log before anyone read = %q", got)
	}
	b.do("name a helper",
		chromedp.SendKeys(chromedp.CSS(`#helper-form input[name="nationalId"]`), helper),
		chromedp.SendKeys(chromedp.CSS(`#helper-form input[name="name"]`), "李建国"),
		chromedp.Click(chromedp.CSS(`#helper-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#helpers-list [data-helper-grant]`)))
	if got := b.text(`#helpers-list`); !strings.Contains(got, "李建国") || strings.Contains(got, helper) || !strings.Contains(got, "生效中") {
		t.Errorf("helpers list = %q, want 李建国 active with a masked ID", got)
	}
	b.screenshot("helpers")
	b.signOut()

	b.signIn(helper, demoLearnerPassword)
	b.do("people I help", chromedp.Click(chromedp.CSS(`#nav a[href="#/helpers"]`)), chromedp.WaitVisible(chromedp.CSS(`#assisting-list a`)),
		chromedp.Click(chromedp.CSS(`#assisting-list a`)), chromedp.WaitVisible(chromedp.CSS(`#assist-banner`)))
	if got := b.text(`#learner-name`); got != "王秀兰" {
		t.Errorf("assisted record of %q", got)
	}
	if page := b.text(`main`); strings.Contains(page, learner) {
		t.Error("the helper's view shows the learner's national ID in clear")
	}
	card := `#assist-rules [data-rule-code="OU-ELECTIVE-SENIOR"]`
	b.do("apply on her behalf", chromedp.Click(chromedp.CSS(card+` [data-action="check"]`)), chromedp.WaitVisible(chromedp.CSS(card+` .evaluation-ok`)),
		chromedp.Click(chromedp.CSS(card+` [data-action="apply"]`)), chromedp.WaitVisible(chromedp.CSS(card+` .alert-success`)))
	if href := browserRun(b, "result link", chromedp.Evaluate[string](`document.querySelector('`+card+` .alert-success a').getAttribute('href')`)); !strings.HasPrefix(href, "#/assist?id=") {
		t.Errorf("after applying, the helper is pointed to %q, not back to the assisted record", href)
	}
	b.screenshot("assist")
	b.signOut()

	b.signIn(learner, demoLearnerPassword)
	b.do("access log", chromedp.Click(chromedp.CSS(`#nav a[href="#/helpers"]`)), chromedp.WaitVisible(chromedp.CSS(`#access-log tbody tr`)))
	log := b.text(`#access-log`)
	for _, want := range []string{"李建国", "代为申请学分转换", "代为检查转换条件", "查看档案"} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %q: %q", want, log)
		}
	}
	b.do("withdraw", chromedp.Click(chromedp.CSS(`#helpers-list [data-helper-grant]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#helpers-list [data-helper-grant]`)))
	if got := b.text(`#helpers-list`); !strings.Contains(got, "已撤回") {
		t.Errorf("after withdrawal the list shows %q", got)
	}
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console: %v", problems)
	}
}

func TestBrowserVerifiesTranscriptLocallyWithWebCrypto(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	token := apiToken(t, base, demoLearnerID(t), demoLearnerPassword)
	tokenFor := func(format string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/learners/me/transcript?format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct {
			Transcript string `json:"transcript"`
		}
		if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&out) != nil {
			t.Fatalf("transcript %s: status %d", format, res.StatusCode)
		}
		return out.Transcript
	}
	good, clr := tokenFor("transcript"), tokenFor("clr")
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1][:len(parts[1])-2] + "AA." + parts[2]

	b := openBrowser(t, base)
	b.open("verify")
	for _, tc := range []struct {
		name, token, valid, format string
	}{
		{"transcript", good, "true", "transcript"},
		{"CLR", clr, "true", "clr"},
		{"tampered", tampered, "false", ""},
	} {
		b.do("verify locally: "+tc.name,
			setValue(`#verify-form textarea`, tc.token),
			chromedp.Evaluate[chromedp.Void](`document.querySelector('details.verify-local').open = true`),
			chromedp.Click(chromedp.CSS(`#verify-local`)),
			chromedp.WaitVisible(chromedp.CSS(`#verify-result`)))
		if v := browserRun(b, "valid", chromedp.Evaluate[string](`document.getElementById('verify-result').dataset.valid`)); v != tc.valid {
			t.Errorf("%s verified locally as %q, want %s: %s", tc.name, v, tc.valid, b.text(`#verify-result`))
		}
		local := browserRun(b, "local note", chromedp.Evaluate[bool](`!!document.getElementById('verify-local-note')`))
		if !local {
			t.Errorf("%s: the verdict does not say it was checked in the browser", tc.name)
		}
		if tc.format != "" {
			if f := browserRun(b, "format", chromedp.Evaluate[string](`document.getElementById('verify-format').dataset.format`)); f != tc.format {
				t.Errorf("%s: format %q", tc.name, f)
			}
			if got := b.text(`#verify-result [data-check="revocation"]`); !strings.Contains(got, "没有成果被撤销") {
				t.Errorf("%s: revocation check = %q", tc.name, got)
			}
		}
	}
	b.screenshot("verify-local")
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console: %v", problems)
	}
}
