package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

// TestBrowserLearnerRejectionReasonAndNoticeHistory: a reviewer cannot
// reject without a reason (the dialog names the learner and asks for it);
// the learner reads the reason in the alert, and after the alert is seen
// and gone, still in the notice history and on the conversion.
func TestBrowserLearnerRejectionReasonAndNoticeHistory(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432") // 李建国
	tok := apiToken(t, base, string(learner), demoLearnerPassword)
	var rules struct {
		Items []struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		} `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/rules?status=published", "", "", nil, http.StatusOK, &rules)
	ruleID := ""
	for _, r := range rules.Items {
		if r.Code == "OU-EXEMPT-CS101" {
			ruleID = r.ID
		}
	}
	body, _ := json.Marshal(map[string]string{"ruleId": ruleID})
	apiJSON(t, http.MethodPost, base+"/api/v1/conversions", tok, "application/json", body, http.StatusCreated, nil)

	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	card := `#review-list [data-rule-code="OU-EXEMPT-CS101"]`
	b.do("reject opens a dialog", chromedp.WaitVisible(chromedp.CSS(card)),
		chromedp.Click(chromedp.CSS(card+` [data-action="reject"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#reject-form`)))
	if got := b.text(`#reject-what`); !strings.Contains(got, "李建国") || !strings.Contains(got, "社区教育成果免修") {
		t.Errorf("dialog = %q, want the learner and the rule named", got)
	}
	b.do("reject without a reason", chromedp.Click(chromedp.CSS(`#reject-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#reject-form [data-error-for="note"]`)))
	if got := b.text(card + ` .card-head .badge`); got != "待审核" {
		t.Errorf("badge after an empty rejection = %q, want 待审核", got)
	}
	const reason = "社区教育成果证明不全，请补交结业证书"
	b.do("reject with a reason", chromedp.SendKeys(chromedp.CSS(`#reject-form textarea`), reason),
		chromedp.Click(chromedp.CSS(`#reject-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(card+` .alert-success`)))
	b.signOut()

	b.signIn(string(learner), demoLearnerPassword)
	b.open("next")
	b.do("alerts", chromedp.WaitVisible(chromedp.CSS(`#alert-list [data-kind="conversion_decided"]`)))
	if got := b.text(`#alert-list [data-kind="conversion_decided"]`); !strings.Contains(got, reason) || !strings.Contains(got, "未通过") {
		t.Errorf("alert = %q, want the rejection with its reason", got)
	}
	b.assertPlainBoth("next steps with a decision")
	// The alert was seen: on the next visit it is gone from the alerts and
	// kept in the history.
	b.open("record")
	b.open("next")
	b.do("history", chromedp.WaitVisible(chromedp.CSS(`#notice-history summary`)))
	b.waitJS("alert seen", `!document.querySelector('#alert-list [data-kind="conversion_decided"]')`)
	b.do("open the history", chromedp.Click(chromedp.CSS(`#notice-history summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#history-list [data-kind="conversion_decided"]`)))
	if got := b.text(`#history-list [data-kind="conversion_decided"]`); !strings.Contains(got, reason) {
		t.Errorf("history = %q, want the reason", got)
	}
	b.assertPlainBoth("notice history")
	b.open("record")
	b.do("record", chromedp.WaitVisible(chromedp.CSS(`#conversions`)))
	if got := b.text(`#conversions`); !strings.Contains(got, reason) {
		t.Errorf("conversion row lacks the reason: %q", got)
	}
	for _, p := range b.consoleProblems() {
		if !strings.Contains(p, "status of 422") {
			t.Errorf("console error or CSP violation: %s", p)
		}
	}
}

// TestBrowserReviewerOpensTechnicalDetails: a reviewer reads the steps in
// plain words and may open 技术细节 for each step's code and the wording
// the bank recorded; closed, the card shows no code.
func TestBrowserReviewerOpensTechnicalDetails(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432") // 李建国
	var rules struct {
		Items []struct {
			ID   string `json:"id"`
			Code string `json:"code"`
		} `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/rules?status=published", "", "", nil, http.StatusOK, &rules)
	for _, r := range rules.Items {
		if r.Code == "OU-EXEMPT-CS101" {
			body, _ := json.Marshal(map[string]string{"ruleId": r.ID})
			apiJSON(t, http.MethodPost, base+"/api/v1/conversions", apiToken(t, base, string(learner), demoLearnerPassword), "application/json", body, http.StatusCreated, nil)
		}
	}
	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	card := `#review-list [data-rule-code="OU-EXEMPT-CS101"]`
	b.do("review card", chromedp.WaitVisible(chromedp.CSS(card+` details.tech-details summary`)),
		chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('details.trace').forEach((d) => { d.open = true; })`))
	b.assertPlainBoth("review card, technical details closed")
	b.do("open technical details", chromedp.Click(chromedp.CSS(card+` details.tech-details summary`)),
		chromedp.WaitVisible(chromedp.CSS(card+` .tech-table`)))
	if got := b.text(card + ` .tech-table`); !strings.Contains(got, "match.ok") || !strings.Contains(got, "eligible") {
		t.Errorf("technical details = %q, want the step codes", got)
	}
}
