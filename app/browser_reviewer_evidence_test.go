package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

type queueView struct {
	Items []struct {
		ID       string `json:"id"`
		RuleCode string `json:"ruleCode"`
		Evidence []struct {
			ID    string  `json:"id"`
			Title string  `json:"title"`
			Hours float64 `json:"hours"`
		} `json:"evidence"`
	} `json:"items"`
}

// TestBrowserReviewerSeesEvidenceAndWhatChanged: a reviewer reads each used
// outcome's score, hours, completion date and issuer on the card and beside
// the trace step that uses it; once the issuer revokes one, the card says
// which outcome, when, by whom and why, instead of the earlier verdict.
func TestBrowserReviewerSeesEvidenceAndWhatChanged(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432") // 李建国
	learnerTok := apiToken(t, base, string(learner), demoLearnerPassword)
	var rules struct {
		Items []struct{ ID, Code string } `json:"items"`
	}
	apiJSON(t, http.MethodGet, base+"/api/v1/rules?status=published", learnerTok, "", nil, http.StatusOK, &rules)
	ruleID := ""
	for _, r := range rules.Items {
		if r.Code == "OU-EXEMPT-CS101" {
			ruleID = r.ID
		}
	}
	body, _ := json.Marshal(map[string]string{"ruleId": ruleID})
	apiJSON(t, http.MethodPost, base+"/api/v1/conversions", learnerTok, "application/json", body, http.StatusCreated, nil)

	b := openBrowser(t, base)
	b.signIn("ou.reviewer", demoStaffPassword)
	card := `#review-list [data-rule-code="OU-EXEMPT-CS101"]`
	b.open("review?status=pending")
	b.do("pending card", chromedp.WaitVisible(chromedp.CSS(card+` .evidence`)))
	evidence := b.text(card + ` .evidence-list`)
	for _, want := range []string{"家庭理财基础", "88 分", "32 学时", "2024年3月15日", "示范区社区教育学院", "社区英语（初级）", "40 学时"} {
		if !strings.Contains(evidence, want) {
			t.Errorf("evidence on the card lacks %q: %q", want, evidence)
		}
	}
	// The trace's own wording is the evaluation's; the page around it is
	// checked while the trace is closed.
	b.plainWords("review pending", "zh")
	b.do("open the trace", chromedp.Evaluate[chromedp.Void](`document.querySelector('`+card+` details.trace').open = true`))
	if got := b.text(card + ` .trace-list`); !strings.Contains(got, "88 分 · 32 学时") {
		t.Errorf("trace steps lack the used outcome's figures: %q", got)
	}

	// The issuer revokes one of the outcomes the application used.
	revTok := apiToken(t, base, "ou.reviewer", demoStaffPassword)
	var q queueView
	apiJSON(t, http.MethodGet, base+"/api/v1/institutions/me/conversions?status=pending", revTok, "", nil, http.StatusOK, &q)
	if len(q.Items) != 1 || len(q.Items[0].Evidence) == 0 {
		t.Fatalf("pending queue = %+v", q)
	}
	revoked := q.Items[0].Evidence[0]
	reason, _ := json.Marshal(map[string]string{"reason": "学时登记有误"})
	apiJSON(t, http.MethodPost, base+"/api/v1/outcomes/"+revoked.ID+"/revoke", apiToken(t, base, "cc.registrar", demoStaffPassword), "application/json", reason, http.StatusOK, nil)

	for _, lang := range []string{"zh", "en"} {
		b.setLanguage(lang)
		b.open("review?status=needs_review")
		b.do("needs review card", chromedp.WaitVisible(chromedp.CSS(card+` .what-changed`)))
		changed := b.text(card + ` .what-changed`)
		for _, want := range []string{revoked.Title, "示范区社区教育学院", "学时登记有误"} {
			if !strings.Contains(changed, want) {
				t.Errorf("%s: what changed says %q, lacking %q", lang, changed, want)
			}
		}
		if strings.Contains(b.text(card), map[string]string{"zh": "符合条件", "en": "Eligible"}[lang]) {
			t.Errorf("%s: a card needing review still shows the old verdict: %q", lang, b.text(card))
		}
		b.plainWords("review needs_review", lang)
	}
}
