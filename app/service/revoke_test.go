package service_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

// Revoking an outcome takes its credits back; a live conversion that used
// it goes back to review and its credits come back with it, so the learner
// never keeps an exemption earned with a withdrawn outcome.
func TestRevokeCascade(t *testing.T) {
	tests := []struct {
		name     string
		approval domain.Approval
		before   []string // acts before the revocation: apply, approve, reject
		revoke   string   // the course revoked
		by       string   // "" the college (its issuer), or "other" institution
		want     error
		outcome  domain.OutcomeStatus
		status   domain.ConversionStatus // the conversion after ("" = none)
		balance  string
		ledger   []string // movements after the deposits
	}{
		{"an outcome no conversion used", domain.ApprovalManual, nil, "书法", "", nil,
			domain.OutcomeRevoked, "", "4/4/0/0", []string{"revoke -1"}},
		{"a pending conversion's outcome: back to review, earmark returned", domain.ApprovalManual, []string{"apply"}, "插花", "", nil,
			domain.OutcomeRevoked, domain.ConversionNeedsReview, "3/3/0/0", []string{"earmark -4", "reverse +4", "revoke -2"}},
		{"an approved conversion's outcome: back to review, spent credits returned", domain.ApprovalManual, []string{"apply", "approve"}, "插花", "", nil,
			domain.OutcomeRevoked, domain.ConversionNeedsReview, "3/3/0/0", []string{"earmark -4", "release +4", "spend -4", "reverse +4", "revoke -2"}},
		{"an auto-approved conversion's outcome: back to review", domain.ApprovalAuto, []string{"apply"}, "合唱", "", nil,
			domain.OutcomeRevoked, domain.ConversionNeedsReview, "3/3/0/0", []string{"spend -4", "reverse +4", "revoke -2"}},
		{"a rejected conversion stays rejected", domain.ApprovalManual, []string{"apply", "reject"}, "插花", "", nil,
			domain.OutcomeRevoked, domain.ConversionRejected, "3/3/0/0", []string{"earmark -4", "release +4", "revoke -2"}},
		{"an outcome the approved conversion did not use leaves it approved", domain.ApprovalManual, []string{"apply", "approve"}, "书法", "", nil,
			domain.OutcomeRevoked, domain.ConversionApproved, "4/0/0/4", []string{"earmark -4", "release +4", "spend -4", "revoke -1"}},
		{"another institution cannot revoke it: to it the outcome does not exist", domain.ApprovalManual, []string{"apply"}, "插花", "other", domain.ErrNotFound,
			domain.OutcomeActive, domain.ConversionPending, "5/1/4/0", []string{"earmark -4"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onEachStore(t, func(t *testing.T, b *bank) {
				banked := map[string]uuid.UUID{}
				for _, c := range credits5 {
					banked[c.Title] = b.deposit(b.learner, c.Title, c.Hours).ID
				}
				rule := b.publish(exemption("EXEMPT-CS101", tc.approval, 0))
				var conv uuid.UUID
				for _, act := range tc.before {
					var err error
					switch act {
					case "apply":
						var c domain.Conversion
						c, err = b.svc.ApplyConversion(b.ctx, b.learner.Actor, service.Op{}, rule.ID)
						conv = c.ID
					case "approve", "reject":
						_, err = b.svc.DecideConversion(b.ctx, b.reviewer, service.Op{}, conv, service.Decision(act == "approve"), "材料齐全")
					}
					must(t, err, act)
				}
				revoker := b.issuer
				if tc.by == "other" {
					revoker = b.staff(b.institution("别的社区学院", "issue"), "other.issuer", domain.PermIssue)
				}
				o, err := b.svc.RevokeOutcome(b.ctx, revoker, b.keyed("revoke"), banked[tc.revoke], "成绩录入错误")
				wantErr(t, err, tc.want, "revoke "+tc.revoke)
				if err == nil && (o.Status != domain.OutcomeRevoked || o.RevokedReason != "成绩录入错误") {
					t.Errorf("revocation answered %s (%q)", o.Status, o.RevokedReason)
				}

				acc := b.account(b.learner)
				if got, _ := acc.Outcome(banked[tc.revoke]); got.Status != tc.outcome {
					t.Errorf("outcome %s is %s, want %s", tc.revoke, got.Status, tc.outcome)
				}
				if c, ok := acc.Conversion(conv); tc.status != "" && (!ok || c.Status != tc.status) {
					t.Errorf("conversion is %v (found %v), want %s", c, ok, tc.status)
				}
				if got := b.balanceOf(acc); got != tc.balance {
					t.Errorf("balance %s, want %s", got, tc.balance)
				}
				if got := ledger(acc)[len(credits5):]; !slices.Equal(got, tc.ledger) {
					t.Errorf("ledger after the deposits %v, want %v", got, tc.ledger)
				}
				verified(t, acc, b.now())
			})
		})
	}
}

// A conversion back in review is evaluated again on what the learner holds
// now: with the revoked outcome gone, 3 credits are short of the rule's 4,
// and approving it is refused until a new outcome makes up the difference.
func TestConversionInReviewIsEvaluatedAgain(t *testing.T) {
	onEachStore(t, func(t *testing.T, b *bank) {
		var first uuid.UUID
		for i, c := range credits5 {
			o := b.deposit(b.learner, c.Title, c.Hours)
			if i == 0 {
				first = o.ID
			}
		}
		rule := b.publish(exemption("EXEMPT-CS101", domain.ApprovalAuto, 0))
		conv, err := b.svc.ApplyConversion(b.ctx, b.learner.Actor, service.Op{}, rule.ID)
		must(t, err, "apply")
		_, err = b.svc.RevokeOutcome(b.ctx, b.issuer, service.Op{}, first, "重复录入")
		must(t, err, "revoke")

		_, err = b.svc.DecideConversion(b.ctx, b.reviewer, service.Op{}, conv.ID, service.Approve, "复核")
		wantErr(t, err, domain.ErrNotEligible, "approve with 3 of 4 credits")
		b.deposit(b.learner, "茶艺", 16)
		c, err := b.svc.DecideConversion(b.ctx, b.reviewer, service.Op{}, conv.ID, service.Approve, "补足后复核")
		must(t, err, "approve with 4 credits")
		if c.Status != domain.ConversionApproved || c.Spent != 4 {
			t.Fatalf("conversion %s spending %v, want approved spending 4", c.Status, c.Spent)
		}
		acc := b.account(b.learner)
		if got := b.balanceOf(acc); got != "4/0/0/4" {
			t.Errorf("balance %s, want 4/0/0/4", got)
		}
		verified(t, acc, b.now())
	})
}
