package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserManagerSubmitsRuleAndAdminPublishesFromQueue: the converting
// institution's manager submits a draft; the admin finds it in the queue
// with its simulation, returns it with a note the manager then reads, and
// after a second submission publishes it from the queue, confirming first.
// Retiring asks first too, and cancelling changes nothing.
func TestBrowserManagerSubmitsRuleAndAdminPublishesFromQueue(t *testing.T) {
	t.Parallel()
	base, _ := startServer(t)
	b := openBrowser(t, base)
	b.signIn("hv.reviewer", demoStaffPassword)
	b.open("rule")
	b.do("create a draft",
		chromedp.WaitVisible(chromedp.CSS(`#rule-form [name="code"]`)),
		chromedp.SendKeys(chromedp.CSS(`#rule-form [name="code"]`), "HV-ADMIT-CARE"),
		chromedp.SendKeys(chromedp.CSS(`#rule-form [name="name"]`), "保育师证书申请托育专业入学资格"),
		setValue(`#rule-form [name="purpose"]`, "admission"),
		setValue(`#rule-form [name="target.programCode"]`, "HV-CARE"),
		setValue(`#rule-form [name="approval"]`, "manual"),
		setValue(`#rule-form [name="award.mode"]`, ""),
		setValue(`#rule-form [name="condition.items[0].category"]`, "certificate"),
		setValue(`#rule-form [name="condition.items[0].minLevel"]`, "4"),
		setValue(`#rule-form [name="effectiveFrom"]`, "2026-01-01"),
		chromedp.Click(chromedp.CSS(`#rule-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-submit`)),
	)
	b.do("submit", chromedp.Click(chromedp.CSS(`#rule-submit`)), chromedp.WaitVisible(chromedp.CSS(`#rule-submission[data-state="submitted"]`)))
	if exists := browserRun(b, "submit again", chromedp.Evaluate[bool](`!!document.getElementById('rule-submit')`)); exists {
		t.Error("a submitted draft still offers to submit")
	}
	b.plainWords("submitted draft", "zh")
	b.signOut()

	b.signIn("admin", demoAdminPassword)
	item := `#rule-queue [data-rule-code="HV-ADMIT-CARE"]`
	b.open("rules")
	b.do("queue", chromedp.WaitVisible(chromedp.CSS(item)))
	b.waitJS("simulation attached", `!!document.querySelector('`+item+` [data-sim="evaluated"] dd')`)
	if got := b.text(item + ` [data-sim="evaluated"] dd`); got != "6" {
		t.Errorf("queue simulation evaluated %q accounts, want the district's 6", got)
	}
	b.do("return it",
		chromedp.Click(chromedp.CSS(item+` [data-action="return"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#return-dialog[open]`)),
		chromedp.Click(chromedp.CSS(`#return-dialog button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#return-dialog [data-field="note"] .field-error`)))
	b.do("with a note",
		chromedp.SendKeys(chromedp.CSS(`#return-dialog textarea`), "请把等级要求写明为四级及以上的保育师证书"),
		chromedp.Click(chromedp.CSS(`#return-dialog button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-queue .empty`)))
	b.signOut()

	b.signIn("hv.reviewer", demoStaffPassword)
	b.open("rules")
	b.do("open the returned draft", chromedp.WaitVisible(chromedp.CSS(`#rules-list`)),
		chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#rules-list tbody tr')].find(r => r.innerText.includes('HV-ADMIT-CARE')).querySelector('a')`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-submission[data-state="returned"]`)))
	if got := b.text(`#rule-submission`); !strings.Contains(got, "四级及以上的保育师证书") {
		t.Errorf("returned draft says %q, want the admin's note", got)
	}
	b.do("submit again", chromedp.Click(chromedp.CSS(`#rule-submit`)), chromedp.WaitVisible(chromedp.CSS(`#rule-submission[data-state="submitted"]`)))
	b.signOut()

	b.signIn("admin", demoAdminPassword)
	b.open("rules")
	b.do("publish from the queue",
		chromedp.WaitVisible(chromedp.CSS(item)),
		chromedp.Click(chromedp.CSS(item+` [data-action="publish"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#publish-dialog[open]`)))
	if got := b.text(`#publish-dialog`); !strings.Contains(got, "HV-ADMIT-CARE") || !strings.Contains(got, "立即") {
		t.Errorf("publish dialog says %q", got)
	}
	b.plainWords("publish dialog", "zh")
	b.do("confirm", chromedp.Click(chromedp.CSS(`#publish-dialog button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`#rule-queue .empty`)))

	// Retiring asks first; cancelling leaves the rule published.
	b.do("open the rule", chromedp.Click(chromedp.JSPath(`[...document.querySelectorAll('#rules-list tbody tr')].find(r => r.innerText.includes('HV-ADMIT-CARE')).querySelector('a')`)),
		chromedp.WaitVisible(chromedp.CSS(`#rule-retire`)),
		chromedp.Click(chromedp.CSS(`#rule-retire`)),
		chromedp.WaitVisible(chromedp.CSS(`#retire-dialog[open]`)))
	if got := b.text(`#retire-dialog`); !strings.Contains(got, "不能再按这条规则申请") {
		t.Errorf("retire dialog says %q", got)
	}
	b.do("cancel", chromedp.Click(chromedp.CSS(`#retire-dialog button.btn-ghost`)))
	b.waitJS("dialog gone", `!document.getElementById('retire-dialog')`)
	if got := b.text(`main .tags`); !strings.Contains(got, "已发布") {
		t.Errorf("after cancelling the rule shows %q, want it still published", got)
	}
}
