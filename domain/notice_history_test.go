package domain_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/domain/domaintest"
)

// TestNoticeHistoryKeepsWhatAlertsHaveShown: after the learner's look,
// Alerts no longer lists a decision, but the history still does, with the
// reviewer's reason; a revoked outcome and an expired certificate are
// there too, newest first.
func TestNoticeHistoryKeepsWhatAlertsHaveShown(t *testing.T) {
	day := 24 * time.Hour
	a := engAccount(t)
	gone := engDate(2025, 6, 1)
	engDeposit(t, a, engOut{title: "旧证", cat: domain.CategoryCertificate, completed: engDate(2020, 1, 1), expires: &gone})
	o := engDeposit(t, a, engOut{title: "插花"})
	rule := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Approval = domain.ApprovalManual })
	c, err := a.Apply(rule, engNow.Add(-10*day))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Reject(c.ID, "reviewer", "成果与课程不对应", engNow.Add(-9*day)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Revoke(o.ID, engIssuerA, "录入错误", engNow.Add(-2*day)); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkAlertsSeen(engNow.Add(-5*day), engNow.Add(-5*day)); err != nil {
		t.Fatal(err)
	}
	if got := alertKinds(a.Alerts(engNow)); got != "" {
		t.Fatalf("alerts after the look = %q, want none", got)
	}
	h := a.NoticeHistory(engNow)
	if got, want := alertKinds(h), "outcome_revoked*:插花 conversion_decided:测试规则 certificate_expired:旧证"; got != want {
		t.Fatalf("history = %q, want %q", got, want)
	}
	if h[0].Note != "录入错误" || h[1].Note != "成果与课程不对应" || h[1].Status != domain.ConversionRejected {
		t.Errorf("reasons = %q / %q (%s)", h[0].Note, h[1].Note, h[1].Status)
	}
}

// TestRejectNeedsAReason: a rejection without a reason is refused on the
// note field and changes nothing.
func TestRejectNeedsAReason(t *testing.T) {
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "插花"})
	rule := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Approval = domain.ApprovalManual })
	c, err := a.Apply(rule, engNow)
	if err != nil {
		t.Fatal(err)
	}
	ledger, earmarked := len(a.Ledger), c.Earmarked
	for _, note := range []string{"", "  \n "} {
		_, err := a.Reject(c.ID, "reviewer", note, engNow)
		var v *domain.ValidationError
		if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].Field != "note" {
			t.Fatalf("reject with note %q: %v, want a field error on note", note, err)
		}
	}
	if got, _ := a.Conversion(c.ID); got.Status != domain.ConversionPending || len(a.Ledger) != ledger || got.Earmarked != earmarked {
		t.Errorf("a refused rejection changed the conversion: %s, ledger %d → %d", got.Status, ledger, len(a.Ledger))
	}
}

// TestEvaluationExplainsAsDataAndTheConversionKeepsIt: an evaluation
// carries each step's parts and the shortfall as data, and a conversion
// keeps them with the codes and Chinese wording, so that a saved
// conversion is worded in its reader's language like a fresh evaluation.
func TestEvaluationExplainsAsDataAndTheConversionKeepsIt(t *testing.T) {
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "插花"})
	short := engRule(engCat(domain.CategorySenior))
	ev := domain.Evaluate(short, a, engNow)
	d := ev.Shortfall.Detail()
	if ev.Eligible || d == nil || d.Reason != domain.ShortItems || len(d.Missing) != 1 ||
		d.Missing[0].Item.Number != "1" || d.Missing[0].Item.Match.Category != domain.CategorySenior {
		t.Fatalf("shortfall detail = %+v", d)
	}
	rule := engRule(engCat(domain.CategoryCommunity))
	fresh := domain.Evaluate(rule, a, engNow)
	withFacts := 0
	for _, s := range fresh.Trace {
		if s.Facts() != nil {
			withFacts++
		}
	}
	if withFacts == 0 {
		t.Fatal("a fresh evaluation's steps carry no facts")
	}
	c, err := a.Apply(rule, engNow)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Evaluation, fresh) {
		t.Fatalf("the conversion keeps another evaluation than the fresh one: %s", domaintest.Difference(c.Evaluation, fresh))
	}
}
