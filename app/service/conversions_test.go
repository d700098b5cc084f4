package service_test

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

// step is one act in a conversion's life, with what it must come to: the
// error, or the conversion's status after it.
type step struct {
	act    string // apply, approve, reject, object, appeal, notice ends
	by     string // who decides: the university's reviewer (""), "second" reviewer, "other" institution's
	op     string // the Op's name for apply (the same name, the same Op)
	want   error
	status domain.ConversionStatus
}

// credits5 are the learner's courses in the conversion tests: 5 credits of
// community education.
var credits5 = []domain.OutcomeInput{course("插花", 32), course("合唱", 32), course("书法", 16)}

func TestApplyAndDecide(t *testing.T) {
	tests := []struct {
		name     string
		approval domain.Approval
		notice   int // days of public notice after an approval
		courses  []domain.OutcomeInput
		steps    []step
		balance  string   // banked/available/earmarked/spent at the end
		ledger   []string // movements after the deposits
	}{
		{"a manual rule earmarks on applying and spends on approval", domain.ApprovalManual, 0, credits5,
			[]step{{act: "apply", status: domain.ConversionPending}, {act: "approve", status: domain.ConversionApproved}},
			"5/1/0/4", []string{"earmark -4", "release +4", "spend -4"}},
		{"a rejection releases the earmark", domain.ApprovalManual, 0, credits5,
			[]step{{act: "apply", status: domain.ConversionPending}, {act: "reject", status: domain.ConversionRejected}},
			"5/5/0/0", []string{"earmark -4", "release +4"}},
		{"an auto rule approves on applying", domain.ApprovalAuto, 0, credits5,
			[]step{{act: "apply", status: domain.ConversionApproved}},
			"5/1/0/4", []string{"spend -4"}},
		{"under public notice the credits stay earmarked until it ends", domain.ApprovalManual, 5, credits5,
			[]step{{act: "apply", status: domain.ConversionPending}, {act: "approve", status: domain.ConversionInNotice},
				{act: "notice ends", status: domain.ConversionFinal}},
			"5/1/0/4", []string{"earmark -4", "release +4", "spend -4"}},
		{"an objection during the notice sends it back to review", domain.ApprovalManual, 5, credits5,
			[]step{{act: "apply"}, {act: "approve", status: domain.ConversionInNotice}, {act: "object", status: domain.ConversionPending},
				{act: "reject", status: domain.ConversionRejected}},
			"5/5/0/0", []string{"earmark -4", "release +4"}},
		{"an appeal is decided by another reviewer, and upheld makes it final", domain.ApprovalManual, 0, credits5,
			[]step{{act: "apply"}, {act: "reject", status: domain.ConversionRejected}, {act: "appeal", status: domain.ConversionAppealed},
				{act: "approve", want: domain.ErrForbidden}, {act: "approve", by: "second", status: domain.ConversionFinal}},
			"5/1/0/4", []string{"earmark -4", "release +4", "spend -4"}},
		{"below the rule's minimum nothing is applied", domain.ApprovalManual, 0, credits5[:2][1:],
			[]step{{act: "apply", want: domain.ErrNotEligible}},
			"2/2/0/0", []string{}},
		{"a retried application applies once", domain.ApprovalManual, 0, credits5,
			[]step{{act: "apply", op: "a", status: domain.ConversionPending}, {act: "apply", op: "a", status: domain.ConversionPending}},
			"5/1/4/0", []string{"earmark -4"}},
		{"a second application of a live conversion's rule is a conflict", domain.ApprovalManual, 0, credits5,
			[]step{{act: "apply", op: "a"}, {act: "apply", op: "b", want: domain.ErrConflict}},
			"5/1/4/0", []string{"earmark -4"}},
		{"another institution's reviewer cannot see it", domain.ApprovalManual, 0, credits5,
			[]step{{act: "apply"}, {act: "approve", by: "other", want: domain.ErrNotFound, status: domain.ConversionPending}},
			"5/1/4/0", []string{"earmark -4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onEachStore(t, func(t *testing.T, b *bank) {
				for _, c := range tc.courses {
					_, err := b.svc.IssueOutcome(b.ctx, b.issuer, service.Op{}, service.IssueInput{NationalID: b.learner.nationalID, Name: b.learner.name, Outcome: c})
					must(t, err, "deposit "+c.Title)
				}
				rule := b.publish(exemption("EXEMPT-CS101", tc.approval, tc.notice))
				reviewers := map[string]service.Actor{"": b.reviewer}
				ops := map[string]service.Op{}
				var conv uuid.UUID
				for i, s := range tc.steps {
					var got domain.Conversion
					var err error
					switch s.act {
					case "apply":
						op, ok := ops[s.op]
						if s.op != "" && !ok {
							op = b.keyed(s.op)
							ops[s.op] = op
						}
						got, err = b.svc.ApplyConversion(b.ctx, b.learner.Actor, op, rule.ID)
						if err == nil && conv != uuid.Nil && got.ID != conv {
							t.Fatalf("step %d: the retry answered with conversion %s, the first attempt made %s", i, got.ID, conv)
						}
						if err == nil {
							conv = got.ID
						}
					case "approve", "reject":
						got, err = b.svc.DecideConversion(b.ctx, b.reviewerAs(reviewers, s.by), service.Op{}, conv, service.Decision(s.act == "approve"), "材料齐全")
					case "object":
						got, err = b.svc.ObjectToConversion(b.ctx, b.manager, service.Op{}, conv, "该学员的插花课程未实际参加")
					case "appeal":
						got, err = b.svc.AppealConversion(b.ctx, b.learner.Actor, service.Op{}, conv, "三门课程均已结业，请复核")
					case "notice ends":
						b.after(6 * 24 * time.Hour)
						_, err = b.svc.FinalizeDueNotices(b.ctx)
					default:
						t.Fatalf("unknown step %q", s.act)
					}
					wantErr(t, err, s.want, s.act)
					if s.status == "" {
						continue
					}
					acc := b.account(b.learner)
					c, ok := acc.Conversion(conv)
					if !ok || c.Status != s.status {
						t.Fatalf("step %d (%s): conversion %v found=%v, want %s", i, s.act, c, ok, s.status)
					}
					if err == nil && s.act != "notice ends" && got.Status != s.status {
						t.Errorf("step %d (%s) answered %s, stored %s", i, s.act, got.Status, s.status)
					}
				}
				acc := b.account(b.learner)
				if want := 0; conv == uuid.Nil && len(acc.Conversions) != want {
					t.Errorf("%d conversions, want none", len(acc.Conversions))
				}
				if conv != uuid.Nil && len(acc.Conversions) != 1 {
					t.Errorf("%d conversions, want 1", len(acc.Conversions))
				}
				if got := b.balanceOf(acc); got != tc.balance {
					t.Errorf("balance %s, want %s", got, tc.balance)
				}
				if got := ledger(acc)[len(tc.courses):]; !slices.Equal(got, tc.ledger) {
					t.Errorf("ledger after the deposits %v, want %v", got, tc.ledger)
				}
				verified(t, acc, b.now())
			})
		})
	}
}

// reviewerAs is the reviewer a step names, made on first use.
func (b *bank) reviewerAs(made map[string]service.Actor, by string) service.Actor {
	b.t.Helper()
	if r, ok := made[by]; ok {
		return r
	}
	var r service.Actor
	switch by {
	case "second":
		r = b.staff(b.university, "ou.reviewer2", domain.PermReview)
	case "other":
		r = b.staff(b.institution("重庆工程职业技术学院", "convert"), "vc.reviewer", domain.PermReview)
	default:
		b.t.Fatalf("no reviewer %q", by)
	}
	made[by] = r
	return r
}
