package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"creditbank/domain"

	"github.com/google/uuid"
)

// engBalance checks the balance parts and that the ledger replays to it.
func engBalance(t *testing.T, a *domain.Account, banked, earmarked, spent float64) {
	t.Helper()
	b := a.Balance(engNow)
	if b.Banked != banked || b.Earmarked != earmarked || b.Spent != spent || b.Available != banked-earmarked-spent {
		t.Errorf("balance banked=%v earmarked=%v spent=%v available=%v, want %v/%v/%v", b.Banked, b.Earmarked, b.Spent, b.Available, banked, earmarked, spent)
	}
	if b.Available != a.LedgerBalance() {
		t.Errorf("available %v, ledger replays to %v", b.Available, a.LedgerBalance())
	}
	if err := a.VerifyLedger(); err != nil {
		t.Errorf("ledger: %v", err)
	}
}

func engWantKinds(t *testing.T, a *domain.Account, from int, want ...string) {
	t.Helper()
	if got := engKinds(a, from); !slices.Equal(got, want) {
		t.Errorf("ledger entries %q, want %q", got, want)
	}
}

// engApplied is an account with outcomes 甲 (2) and 乙 (3) and a pending
// manual exclusive conversion of a rule that uses 甲.
func engApplied(t *testing.T) (*domain.Account, domain.Rule, *domain.Conversion) {
	t.Helper()
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "甲", credits: 2})
	engDeposit(t, a, engOut{title: "乙", credits: 3})
	rule := engRule(engCat(domain.CategoryCommunity))
	c, err := a.Apply(rule, engNow)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return a, rule, c
}

func TestApplyManualExclusiveEarmarks(t *testing.T) {
	a, rule, c := engApplied(t)
	if c.Status != domain.ConversionPending || c.Earmarked != 2 || c.Spent != 0 || c.DecidedAt != nil {
		t.Errorf("conversion status=%s earmarked=%v spent=%v", c.Status, c.Earmarked, c.Spent)
	}
	if c.RuleID != rule.ID || c.RuleCode != rule.Code || c.RuleVersion != 1 || c.RuleName != rule.Name ||
		c.InstitutionID != engInst || c.Purpose != domain.PurposeCredit || !c.Exclusive || c.AccountID != a.ID {
		t.Errorf("conversion does not record its rule: %+v", c)
	}
	if got := engUsed(c.Evaluation); !slices.Equal(got, []string{"甲"}) || c.Evaluation.AwardedCredits != 2 {
		t.Errorf("evaluation used %q awarded %v", got, c.Evaluation.AwardedCredits)
	}
	engWantKinds(t, a, 2, "earmark -2")
	if e := a.Ledger[2]; e.ConversionID == nil || *e.ConversionID != c.ID {
		t.Errorf("earmark entry does not name the conversion")
	}
	engBalance(t, a, 5, 2, 0)
}

func TestApplyAutoApprovesAtOnce(t *testing.T) {
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "甲", credits: 2})
	c, err := a.Apply(engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Approval = domain.ApprovalAuto }), engNow)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if c.Status != domain.ConversionApproved || c.Spent != 2 || c.Earmarked != 0 || c.DecidedBy != domain.AutoReviewer || c.DecidedAt == nil {
		t.Errorf("auto conversion status=%s spent=%v earmarked=%v by=%q", c.Status, c.Spent, c.Earmarked, c.DecidedBy)
	}
	engWantKinds(t, a, 1, "spend -2")
	engBalance(t, a, 2, 0, 2)
}

func TestApplyNonExclusiveHoldsNothing(t *testing.T) {
	for _, approval := range []domain.Approval{domain.ApprovalManual, domain.ApprovalAuto} {
		t.Run(string(approval), func(t *testing.T) {
			a := engAccount(t)
			engDeposit(t, a, engOut{title: "证书", cat: domain.CategoryCertificate, credits: 2})
			rule := engRule(engCat(domain.CategoryCertificate), func(r *domain.Rule) {
				r.Purpose, r.Target.ProgramCode, r.Award, r.Exclusive, r.Approval = domain.PurposeAdmission, "GZ01", domain.Award{}, false, approval
			})
			c, err := a.Apply(rule, engNow)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if c.Earmarked != 0 || c.Spent != 0 || len(a.Ledger) != 1 {
				t.Errorf("non-exclusive conversion moved credits: earmarked=%v spent=%v ledger=%q", c.Earmarked, c.Spent, engKinds(a, 0))
			}
			if c.Status == domain.ConversionPending {
				if _, err := a.Approve(c.ID, "reviewer", "", rule, engNow); err != nil {
					t.Fatalf("Approve: %v", err)
				}
			}
			engWantKinds(t, a, 1)
			engBalance(t, a, 2, 0, 0)
		})
	}
}

func TestApplyRefusals(t *testing.T) {
	base := func(mods ...func(*domain.Rule)) domain.Rule {
		return engRule(engCat(domain.CategoryCommunity), mods...)
	}
	cases := []struct {
		name string
		rule domain.Rule
		prep func(t *testing.T, a *domain.Account, r domain.Rule)
		want error
		text string
	}{
		{name: "draft rule", rule: base(func(r *domain.Rule) { r.Status = domain.RuleDraft }), want: domain.ErrInvalid, text: "not published"},
		{name: "retired rule", rule: base(func(r *domain.Rule) { r.Status = domain.RuleRetired }), want: domain.ErrInvalid, text: "retired"},
		{name: "not yet effective", rule: base(func(r *domain.Rule) { r.EffectiveFrom = engDate(2026, 1, 1) }), want: domain.ErrInvalid, text: "effective from 2026-01-01"},
		{name: "no longer effective", rule: base(func(r *domain.Rule) { end := engDate(2025, 1, 1); r.EffectiveTo = &end }), want: domain.ErrInvalid, text: "2020-01-01 to 2025-01-01"},
		{
			name: "a live conversion of the same rule code", rule: base(),
			prep: func(t *testing.T, a *domain.Account, r domain.Rule) {
				r.ID, r.Version = domain.NewID(), 2
				if _, err := a.Apply(r, engNow); err != nil {
					t.Fatalf("first Apply: %v", err)
				}
			},
			want: domain.ErrConflict,
		},
		{name: "not eligible", rule: base(func(r *domain.Rule) { r.MinTotalCredits = 10 }), want: domain.ErrNotEligible, text: "需要再获得 5 学分 community 类成果"},
		{
			name: "suspended account", rule: base(),
			prep: func(t *testing.T, a *domain.Account, r domain.Rule) { a.Status = domain.AccountSuspended },
			want: domain.ErrInvalid,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := engAccount(t)
			engDeposit(t, a, engOut{title: "甲", credits: 2})
			engDeposit(t, a, engOut{title: "乙", credits: 3})
			if tc.prep != nil {
				tc.prep(t, a, tc.rule)
			}
			before, ledger := len(a.Conversions), len(a.Ledger)
			c, err := a.Apply(tc.rule, engNow)
			if !errors.Is(err, tc.want) || c != nil {
				t.Fatalf("Apply = %v, %v; want %v", c, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
			if len(a.Conversions) != before || len(a.Ledger) != ledger {
				t.Error("a refused application changed the account")
			}
		})
	}
}

func TestNotEligibleErrorCarriesTheEvaluation(t *testing.T) {
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "甲", credits: 2})
	_, err := a.Apply(engRule(engCat(domain.CategorySenior)), engNow)
	var ne *domain.NotEligibleError
	if !errors.As(err, &ne) || !errors.Is(err, domain.ErrNotEligible) {
		t.Fatalf("error %v is not a *NotEligibleError matching ErrNotEligible", err)
	}
	if ne.Evaluation.Eligible || ne.Evaluation.Shortfall == nil || len(ne.Evaluation.Trace) == 0 {
		t.Errorf("evaluation not carried: %+v", ne.Evaluation)
	}
}

func TestApproveAndRejectPending(t *testing.T) {
	t.Run("approve releases and spends", func(t *testing.T) {
		a, rule, c := engApplied(t)
		at := engNow.Add(time.Hour)
		got, err := a.Approve(c.ID, "reviewer-1", "  材料齐全 ", rule, at)
		if err != nil {
			t.Fatalf("Approve: %v", err)
		}
		if got.Status != domain.ConversionApproved || got.Earmarked != 0 || got.Spent != 2 || got.DecidedBy != "reviewer-1" ||
			got.Note != "材料齐全" || got.DecidedAt == nil || !got.DecidedAt.Equal(at) {
			t.Errorf("approved conversion: %+v", got)
		}
		engWantKinds(t, a, 3, "release +2", "spend -2")
		engBalance(t, a, 5, 0, 2)
		if _, err := a.Approve(c.ID, "reviewer-1", "", rule, at); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("approving twice: %v, want ErrConflict", err)
		}
		if _, err := a.Reject(c.ID, "reviewer-1", "", at); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("rejecting an approved conversion: %v, want ErrConflict", err)
		}
	})
	t.Run("reject releases", func(t *testing.T) {
		a, rule, c := engApplied(t)
		got, err := a.Reject(c.ID, "reviewer-1", "成果与课程不对应", engNow)
		if err != nil {
			t.Fatalf("Reject: %v", err)
		}
		if got.Status != domain.ConversionRejected || got.Earmarked != 0 || got.Note != "成果与课程不对应" {
			t.Errorf("rejected conversion: %+v", got)
		}
		engWantKinds(t, a, 3, "release +2")
		engBalance(t, a, 5, 0, 0)
		if _, err := a.Approve(c.ID, "reviewer-1", "", rule, engNow); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("approving a rejected conversion: %v, want ErrConflict", err)
		}
		// A rejected conversion is not live: the learner may apply again.
		if _, err := a.Apply(rule, engNow); err != nil {
			t.Errorf("applying again after a rejection: %v", err)
		}
	})
}

func TestDecisionInputChecks(t *testing.T) {
	a, rule, c := engApplied(t)
	other := rule
	other.ID = domain.NewID()
	cases := []struct {
		name string
		call func() error
		want error
	}{
		{"unknown conversion", func() error { _, err := a.Approve(uuid.New(), "r", "", rule, engNow); return err }, domain.ErrNotFound},
		{"unknown conversion on reject", func() error { _, err := a.Reject(uuid.New(), "r", "", engNow); return err }, domain.ErrNotFound},
		{"note too long", func() error {
			_, err := a.Approve(c.ID, "r", strings.Repeat("注", domain.MaxNoteLength+1), rule, engNow)
			return err
		}, domain.ErrInvalid},
		{"no reviewer", func() error { _, err := a.Reject(c.ID, " ", "", engNow); return err }, domain.ErrInvalid},
		{"another rule", func() error { _, err := a.Approve(c.ID, "r", "", other, engNow); return err }, domain.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.call(); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
			if c.Status != domain.ConversionPending || len(a.Ledger) != 3 {
				t.Errorf("a refused decision changed the account: status=%s ledger=%q", c.Status, engKinds(a, 0))
			}
		})
	}
	// A note of exactly the limit is fine.
	if _, err := a.Reject(c.ID, "r", strings.Repeat("注", domain.MaxNoteLength), engNow); err != nil {
		t.Errorf("note of %d characters: %v", domain.MaxNoteLength, err)
	}
}

func TestRevocationSendsConversionsToReview(t *testing.T) {
	type step struct {
		approveFirst bool
		kinds        []string // ledger entries after the revocation
	}
	for name, st := range map[string]step{
		"pending":  {false, []string{"reverse +2", "revoke -2"}},
		"approved": {true, []string{"reverse +2", "revoke -2"}},
	} {
		t.Run(name, func(t *testing.T) {
			a, rule, c := engApplied(t)
			if st.approveFirst {
				if _, err := a.Approve(c.ID, "r", "", rule, engNow); err != nil {
					t.Fatal(err)
				}
			}
			from := len(a.Ledger)
			revoked := a.Outcomes[0]
			if _, err := a.Revoke(revoked.ID, revoked.IssuerID, "颁发错误", engNow); err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			if c.Status != domain.ConversionNeedsReview || c.Earmarked != 0 || c.Spent != 0 {
				t.Errorf("after revocation: status=%s earmarked=%v spent=%v", c.Status, c.Earmarked, c.Spent)
			}
			engWantKinds(t, a, from, st.kinds...)
			engBalance(t, a, 3, 0, 0)
			if _, err := a.Apply(rule, engNow); !errors.Is(err, domain.ErrConflict) {
				t.Errorf("a conversion in review is live; applying again: %v", err)
			}
		})
	}
}

func TestNeedsReviewDecisions(t *testing.T) {
	review := func(t *testing.T) (*domain.Account, domain.Rule, *domain.Conversion) {
		t.Helper()
		a, rule, c := engApplied(t)
		o := a.Outcomes[0]
		if _, err := a.Revoke(o.ID, o.IssuerID, "颁发错误", engNow); err != nil {
			t.Fatal(err)
		}
		return a, rule, c
	}
	t.Run("re-approval re-evaluates with the remaining outcomes", func(t *testing.T) {
		a, rule, c := review(t)
		from := len(a.Ledger)
		got, err := a.Approve(c.ID, "r", "改用其他成果", rule, engNow.Add(time.Hour))
		if err != nil {
			t.Fatalf("Approve: %v", err)
		}
		if got.Status != domain.ConversionApproved || !slices.Equal(engUsed(got.Evaluation), []string{"乙"}) || got.Spent != 3 {
			t.Errorf("re-approved: status=%s used=%q spent=%v", got.Status, engUsed(got.Evaluation), got.Spent)
		}
		engWantKinds(t, a, from, "spend -3")
		engBalance(t, a, 3, 0, 3)
	})
	t.Run("re-approval ignores only its own hold", func(t *testing.T) {
		a, rule, c := review(t)
		// 乙 is now held by another exclusive conversion of another rule.
		second := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Code = "CB-OTHER" })
		if _, err := a.Apply(second, engNow); err != nil {
			t.Fatalf("second Apply: %v", err)
		}
		from := len(a.Ledger)
		_, err := a.Approve(c.ID, "r", "", rule, engNow)
		var ne *domain.NotEligibleError
		if !errors.As(err, &ne) {
			t.Fatalf("Approve = %v, want *NotEligibleError", err)
		}
		engTraceHas(t, ne.Evaluation, "excluded.exclusive", "「乙」")
		// Apply appended to a.Conversions, so look the conversion up afresh.
		if now, _ := a.Conversion(c.ID); now.Status != domain.ConversionNeedsReview || len(a.Ledger) != from {
			t.Errorf("refused re-approval changed the account: status=%s", now.Status)
		}
		engBalance(t, a, 3, 3, 0)
	})
	t.Run("reject moves no credits", func(t *testing.T) {
		a, _, c := review(t)
		from := len(a.Ledger)
		if _, err := a.Reject(c.ID, "r", "成果已撤销", engNow); err != nil {
			t.Fatalf("Reject: %v", err)
		}
		if c.Status != domain.ConversionRejected {
			t.Errorf("status %s", c.Status)
		}
		engWantKinds(t, a, from)
		engBalance(t, a, 3, 0, 0)
	})
}
