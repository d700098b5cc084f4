package domain_test

import (
	"errors"
	"testing"
	"time"

	"creditbank/domain"
)

// noticeWorld: a learner with 4 credits of community outcomes and a
// published manual exclusive rule with a 5-day notice period.
func noticeWorld(t *testing.T, noticeDays int) (*domain.Account, domain.Rule) {
	t.Helper()
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "插花", credits: 2})
	engDeposit(t, a, engOut{title: "茶艺", credits: 2})
	rule := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) {
		r.MinTotalCredits, r.NoticeDays = 4, noticeDays
	})
	if err := rule.Validate(); err != nil {
		t.Fatal(err)
	}
	return a, rule
}

func mustBalance(t *testing.T, a *domain.Account, at time.Time, earmarked, spent float64) {
	t.Helper()
	b := a.Balance(at)
	if b.Earmarked != earmarked || b.Spent != spent || b.Available != b.Banked-earmarked-spent {
		t.Fatalf("balance = %+v, want earmarked %v spent %v", b, earmarked, spent)
	}
	if err := a.VerifyLedger(); err != nil {
		t.Fatalf("ledger: %v", err)
	}
}

func TestNoticeObjectionReviewFinal(t *testing.T) {
	a, rule := noticeWorld(t, 5)
	t0 := engNow
	c, err := a.Apply(rule, t0)
	if err != nil {
		t.Fatal(err)
	}
	id := c.ID
	mustBalance(t, a, t0, 4, 0)
	c, err = a.Decide(id, "reviewer-1", "同意", true, rule, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.ConversionInNotice || !c.NoticeEndsAt.Equal(t0.Add(time.Hour+5*24*time.Hour)) {
		t.Fatalf("after approval: %s until %v", c.Status, c.NoticeEndsAt)
	}
	mustBalance(t, a, t0, 4, 0) // credits stay earmarked during the notice

	// An objection during the notice sends it back to review.
	day2 := t0.Add(48 * time.Hour)
	if _, err := a.Object(id, "someone", " ", day2); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("objection without a reason: %v", err)
	}
	c, err = a.Object(id, "someone", "成果证明材料存疑", day2)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.ConversionPending || len(c.Objections) != 1 || c.Objections[0].By != "someone" || c.NoticeEndsAt != nil {
		t.Fatalf("after objection: %+v", c)
	}
	mustBalance(t, a, day2, 4, 0)
	if done := a.FinalizeNotices(day2.Add(30 * 24 * time.Hour)); len(done) != 0 {
		t.Fatalf("a pending conversion was finalised: %v", done)
	}

	// Approved again after review: a new notice, the objection dismissed.
	day3 := t0.Add(72 * time.Hour)
	c, err = a.Decide(id, "reviewer-2", "复核后同意", true, rule, day3)
	if err != nil {
		t.Fatal(err)
	}
	ends := day3.Add(5 * 24 * time.Hour)
	if c.Status != domain.ConversionInNotice || !c.NoticeEndsAt.Equal(ends) || c.Objections[0].Resolution != domain.ResolutionDismissed {
		t.Fatalf("after re-approval: %+v", c)
	}
	// Not before the period ends; an objection after it is too late.
	if done := a.FinalizeNotices(ends.Add(-time.Second)); len(done) != 0 {
		t.Fatal("finalised before the notice ended")
	}
	if _, err := a.Object(id, "late", "太晚了", ends); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("objection at the end of the notice: %v", err)
	}
	done := a.FinalizeNotices(ends)
	if len(done) != 1 || done[0] != id {
		t.Fatalf("finalised %v", done)
	}
	c, _ = a.Conversion(id)
	if c.Status != domain.ConversionFinal {
		t.Fatalf("status %s", c.Status)
	}
	mustBalance(t, a, ends, 0, 4)
	if again := a.FinalizeNotices(ends.Add(time.Hour)); len(again) != 0 {
		t.Fatal("finalised twice")
	}
	// Still final and still holding its outcomes for the caps and exclusivity.
	if !c.Live() {
		t.Fatal("a final conversion is not live")
	}
}

func TestObjectionUpheldByRejection(t *testing.T) {
	a, rule := noticeWorld(t, 5)
	c, _ := a.Apply(rule, engNow)
	id := c.ID
	if _, err := a.Decide(id, "r1", "", true, rule, engNow); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Object(id, "x", "不符合", engNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c, err := a.Decide(id, "r1", "采纳异议", false, rule, engNow.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != domain.ConversionRejected || c.Objections[0].Resolution != domain.ResolutionUpheld {
		t.Fatalf("after rejection: %+v", c)
	}
	mustBalance(t, a, engNow, 0, 0)
}

func TestNoNoticeApprovesAtOnce(t *testing.T) {
	a, rule := noticeWorld(t, 0)
	c, _ := a.Apply(rule, engNow)
	c, err := a.Decide(c.ID, "r1", "", true, rule, engNow)
	if err != nil || c.Status != domain.ConversionApproved || c.NoticeEndsAt != nil {
		t.Fatalf("approval without notice: %v %+v", err, c)
	}
	if _, err := a.Object(c.ID, "x", "异议", engNow); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("objection to a conversion not in notice: %v", err)
	}
	mustBalance(t, a, engNow, 0, 4)
}

func TestAppealDecidedByAnotherReviewer(t *testing.T) {
	tests := []struct {
		name       string
		uphold     bool
		wantStatus domain.ConversionStatus
		spent      float64
	}{
		{"upheld: final, credits spent", true, domain.ConversionFinal, 4},
		{"dismissed: the rejection stands", false, domain.ConversionRejected, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, rule := noticeWorld(t, 5)
			c, _ := a.Apply(rule, engNow)
			id := c.ID
			rejectedAt := engNow.Add(time.Hour)
			if _, err := a.Decide(id, "r1", "材料不足", false, rule, rejectedAt); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Appeal(id, "补充了材料", rejectedAt.Add(domain.AppealWindow+time.Second)); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("appeal after 30 days: %v", err)
			}
			day := rejectedAt.Add(24 * time.Hour)
			c, err := a.Appeal(id, "补充了材料", day)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != domain.ConversionAppealed || c.Appeal.RejectedBy != "r1" || c.Live() {
				t.Fatalf("after appeal: %+v", c)
			}
			mustBalance(t, a, day, 0, 0)
			if _, err := a.Decide(id, "r1", "维持", tc.uphold, rule, day); !errors.Is(err, domain.ErrForbidden) {
				t.Fatalf("the rejecting reviewer decides the appeal: %v", err)
			}
			if _, err := a.Decide(id, "r2", " ", tc.uphold, rule, day); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("an unexplained appeal decision: %v", err)
			}
			c, err = a.Decide(id, "r2", "复议意见", tc.uphold, rule, day)
			if err != nil {
				t.Fatal(err)
			}
			want := domain.ResolutionDismissed
			if tc.uphold {
				want = domain.ResolutionUpheld
			}
			if c.Status != tc.wantStatus || c.Appeal.Resolution != want || c.Appeal.DecidedBy != "r2" || c.Appeal.Note != "复议意见" {
				t.Fatalf("after the appeal decision: %+v %+v", c, c.Appeal)
			}
			mustBalance(t, a, day, 0, tc.spent)
			// Final: no second appeal, no further decision.
			if _, err := a.Appeal(id, "再次申诉", day); !errors.Is(err, domain.ErrConflict) {
				t.Fatalf("a second appeal: %v", err)
			}
			if _, err := a.Decide(id, "r3", "再议", !tc.uphold, rule, day); !errors.Is(err, domain.ErrConflict) {
				t.Fatalf("a decision after the final one: %v", err)
			}
		})
	}
}

func TestAlertsTellOfNoticeObjectionAndFinal(t *testing.T) {
	a, rule := noticeWorld(t, 5)
	c, _ := a.Apply(rule, engNow)
	id := c.ID
	if _, err := a.Decide(id, "r1", "", true, rule, engNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Object(id, "objector-id", "存疑", engNow.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	kinds := map[domain.AlertKind]int{}
	for _, al := range a.Alerts(engNow.Add(3 * time.Hour)) {
		kinds[al.Kind]++
	}
	if kinds[domain.AlertObjection] != 1 {
		t.Fatalf("alerts %v: no objection alert", kinds)
	}
	if _, err := a.Decide(id, "r1", "", true, rule, engNow.Add(4*time.Hour)); err != nil {
		t.Fatal(err)
	}
	end := engNow.Add(4*time.Hour + 5*24*time.Hour)
	a.FinalizeNotices(end)
	var final bool
	for _, al := range a.Alerts(end.Add(time.Minute)) {
		final = final || (al.Kind == domain.AlertConversionDecided && al.Status == domain.ConversionFinal && al.At.Equal(end))
	}
	if !final {
		t.Fatalf("no alert of the final decision: %+v", a.Alerts(end.Add(time.Minute)))
	}
}

func TestNoticeNeedsManualApproval(t *testing.T) {
	r := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.NoticeDays, r.Approval = 5, domain.ApprovalAuto })
	if err := r.Validate(); err == nil {
		t.Fatal("an auto rule with a notice period validated")
	}
}
