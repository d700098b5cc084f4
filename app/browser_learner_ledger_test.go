package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLearnerLedgerInPlainWords: each ledger entry names the
// outcome or conversion it belongs to in plain words — a revoked outcome's
// credits are "taken back", never 冲正 — and the check values wait behind
// 技术细节.
func TestBrowserLearnerLedgerInPlainWords(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner := demoLearnerID(t) // 王秀兰
	tok := apiToken(t, base, learner, demoLearnerPassword)
	var rec struct {
		Outcomes []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"outcomes"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/learners/me/record", tok, "", nil, http.StatusOK, &rec)
	revoked := ""
	for _, o := range rec.Outcomes {
		if o.Title == "智能手机应用" {
			revoked = o.ID
		}
	}
	if revoked == "" {
		t.Fatal("demo outcome 智能手机应用 not found")
	}
	reason, _ := json.Marshal(map[string]string{"reason": "成绩录入错误"})
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes/"+revoked+"/revoke", apiToken(t, base, "su.registrar", demoStaffPassword),
		"application/json", reason, http.StatusOK, nil)

	b := openBrowser(t, base)
	b.signIn(learner, demoLearnerPassword)
	b.do("open the ledger", chromedp.WaitVisible(chromedp.CSS(`#ledger-status`)),
		chromedp.Click(chromedp.CSS(`details.ledger > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`details.ledger .ledger-what`)))
	ledger := b.text(`details.ledger`)
	for _, want := range []string{"“老年书法（楷书）”的学分存入账户", "“智能手机应用”被颁发机构撤销，它的学分从账户扣回", "撤销后扣回"} {
		if !strings.Contains(ledger, want) {
			t.Errorf("ledger lacks %q:\n%s", want, ledger)
		}
	}
	for _, jargon := range []string{"冲正", "校验码", "校验值"} {
		if strings.Contains(ledger, jargon) {
			t.Errorf("ledger shows %q before technical details are opened", jargon)
		}
	}
	if visible := browserRun(b, "hash hidden", chromedp.Evaluate[bool](`document.querySelector('#ledger-tech .hash').checkVisibility()`)); visible {
		t.Error("a hash is visible before 技术细节 is opened")
	}
	b.assertPlainBoth("ledger")
	b.do("English", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	if got := b.text(`details.ledger`); !strings.Contains(got, "“智能手机应用” was revoked by its issuer; its credits were taken back") {
		t.Errorf("English ledger = %q", got)
	}
	b.do("Chinese", chromedp.Click(chromedp.CSS(`#lang-toggle`)))
	b.do("technical details", chromedp.Click(chromedp.CSS(`#ledger-tech > summary`)), chromedp.WaitVisible(chromedp.CSS(`#ledger-tech .hash`)))
	if got := b.text(`#ledger-tech .hash`); len(got) != 64 {
		t.Errorf("hash shown = %q, want the full 64 hex digits", got)
	}
	if problems := b.consoleProblems(); len(problems) > 0 {
		t.Errorf("console errors or CSP violations:\n%s", strings.Join(problems, "\n"))
	}
}
