package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"creditbank/domain"
)

func TestBrowserReviewerApprovesApplication(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	learner, _ := domain.CompleteNationalID("11010519880722432")
	b := openBrowser(t, base)

	b.signIn(string(learner), demoLearnerPassword)
	exempt := ruleCard("OU-EXEMPT-CS101")
	b.do("apply for exemption", chromedp.Click(chromedp.CSS(`#nav a[href="#/convert"]`)),
		chromedp.WaitVisible(chromedp.CSS(exempt)),
		chromedp.Click(chromedp.CSS(exempt+` [data-action="apply"]`)),
		chromedp.WaitVisible(chromedp.CSS(exempt+` .alert-warning`)))
	if got := b.text(exempt + ` .alert-warning`); !strings.Contains(got, "待审核") {
		t.Errorf("manual rule application shows %q, want 待审核", got)
	}
	b.signOut()

	b.signIn("ou.reviewer", demoStaffPassword)
	card := `#review-list [data-rule-code="OU-EXEMPT-CS101"]`
	b.do("review queue", chromedp.WaitVisible(chromedp.CSS(card)))
	if got := b.text(`.tabs a[aria-current="page"]`); got != "待审核" {
		t.Errorf("current tab = %q, want 待审核", got)
	}
	if got := b.text(card); !strings.Contains(got, "李建国") || !strings.Contains(got, "110105********4320") || strings.Contains(got, "110105198807224320") {
		t.Errorf("review card should name the applicant with a masked ID only: %q", got)
	}
	if got := b.text(card); !strings.Contains(got, "家庭理财基础") || !strings.Contains(got, "社区英语（初级）") {
		t.Errorf("review card does not list the outcomes used: %q", got)
	}
	b.screenshot("review")
	const note = "同意免修，请到教务处备案"
	b.do("approve",
		chromedp.SendKeys(chromedp.CSS(card+` textarea`), note),
		chromedp.Click(chromedp.CSS(card+` [data-action="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(card+` .alert-success`)))
	if got := b.text(card + ` .card-head .badge`); got != "已通过" {
		t.Errorf("badge after approval = %q", got)
	}
	b.do("approved tab", chromedp.Click(chromedp.CSS(`.tabs a[data-status="approved"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.tabs a[data-status="approved"][aria-current="page"]`)),
		chromedp.WaitVisible(chromedp.CSS(card)))
	if got := b.text(card); !strings.Contains(got, note) {
		t.Errorf("approved card lacks the note: %q", got)
	}
	b.signOut()

	b.signIn(string(learner), demoLearnerPassword)
	b.do("record", chromedp.WaitVisible(chromedp.CSS(`#conversions`)))
	row := b.text(`#conversions tbody tr`)
	if !strings.Contains(row, "已通过") || !strings.Contains(row, note) {
		t.Errorf("learner's conversion row = %q, want 已通过 with the reviewer's note", row)
	}
}
