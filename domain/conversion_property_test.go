package domain_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"creditbank/domain"
)

func newEngRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// engPropertyRules mixes what matters for balances: exclusive and not,
// manual and auto, totals, ratio awards and both caps.
func engPropertyRules() []domain.Rule {
	cat := func(c domain.Category) domain.Item { return engM(domain.Match{Category: c}) }
	com, sen, onl := domain.CategoryCommunity, domain.CategorySenior, domain.CategoryOnline
	return []domain.Rule{
		engRule(engAll(cat(com)), func(r *domain.Rule) { r.Code, r.MinTotalCredits, r.Award.Credits = "P-A", 2, 1 }),
		engRule(engAny(cat(sen), cat(onl)), func(r *domain.Rule) {
			r.Code, r.Approval = "P-B", domain.ApprovalAuto
			r.Award = domain.Award{Mode: domain.AwardSum, Ratio: 0.5}
			r.Caps = []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 2}}
		}),
		engRule(engAny(cat(com), cat(sen)), func(r *domain.Rule) {
			r.Code, r.Purpose, r.Target.ProgramCode, r.Award, r.Exclusive = "P-C", domain.PurposeAdmission, "GZ01", domain.Award{}, false
		}),
		engRule(engNOf(2, cat(com), cat(sen), cat(onl)), func(r *domain.Rule) {
			r.Code = "P-D"
			r.Caps = []domain.Cap{{Scope: domain.CapLifetime, MaxCredits: 6}}
		}),
	}
}

// engCheckInvariants asserts what must hold after every step.
func engCheckInvariants(a *domain.Account, now time.Time) error {
	b := a.Balance(now)
	if b.Available != a.LedgerBalance() {
		return fmt.Errorf("available %v but the ledger replays to %v", b.Available, a.LedgerBalance())
	}
	if b.Available != b.Banked-b.Earmarked-b.Spent {
		return fmt.Errorf("available %v ≠ banked %v − earmarked %v − spent %v", b.Available, b.Banked, b.Earmarked, b.Spent)
	}
	if b.Available < 0 || b.Earmarked < 0 || b.Spent < 0 {
		return fmt.Errorf("negative balance: available %v earmarked %v spent %v", b.Available, b.Earmarked, b.Spent)
	}
	if err := a.VerifyLedger(); err != nil {
		return err
	}
	if id := engLiveExclusiveOverlap(a); id.String() != "00000000-0000-0000-0000-000000000000" {
		return fmt.Errorf("outcome %s used by two live exclusive conversions", id)
	}
	for _, c := range a.Conversions {
		held := c.Earmarked + c.Spent
		switch {
		case c.Status == domain.ConversionPending && c.Exclusive && (c.Earmarked != c.Evaluation.UsedCredits || c.Spent != 0),
			c.Status == domain.ConversionApproved && c.Exclusive && (c.Spent != c.Evaluation.UsedCredits || c.Earmarked != 0),
			(c.Status == domain.ConversionRejected || c.Status == domain.ConversionNeedsReview || !c.Exclusive) && held != 0:
			return fmt.Errorf("%s %s conversion (exclusive=%v) holds earmarked %v spent %v for %v used",
				c.Status, c.RuleCode, c.Exclusive, c.Earmarked, c.Spent, c.Evaluation.UsedCredits)
		}
		if c.Status == domain.ConversionPending || c.Status == domain.ConversionApproved {
			for _, u := range c.Evaluation.Used {
				if o, ok := a.Outcome(u.OutcomeID); !ok || o.Status != domain.OutcomeActive {
					return fmt.Errorf("%s conversion relies on revoked outcome %s", c.Status, u.Title)
				}
			}
		}
	}
	return nil
}

func TestConversionWorkflowProperty(t *testing.T) {
	rules := engPropertyRules()
	cats := []domain.Category{domain.CategoryCommunity, domain.CategorySenior, domain.CategoryOnline}
	// done counts successful transitions, so the test proves the random
	// sequences really reach every one of them.
	done := map[string]int{}
	for seed := range uint64(500) {
		rng := newEngRand(seed)
		a := engAccount(t)
		now := engNow
		var log []string
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d after %v: %s", seed, log, fmt.Sprintf(format, args...))
		}
		for step := range 40 {
			// Time moves on, across a new year now and then, so per_year caps reset.
			now = now.Add(time.Duration(rng.IntN(24*20)) * time.Hour)
			ledger := len(a.Ledger)
			var err error
			var op string
			switch k := rng.IntN(10); {
			case k < 4:
				credits := float64(1+rng.IntN(8)) / 2
				op = fmt.Sprintf("deposit %v", credits)
				engDepositAt(t, a, fmt.Sprintf("成果%d", step), cats[rng.IntN(len(cats))], credits, now)
			case k < 5:
				if len(a.Outcomes) == 0 {
					continue
				}
				o := a.Outcomes[rng.IntN(len(a.Outcomes))]
				op = "revoke " + o.Title
				_, err = a.Revoke(o.ID, o.IssuerID, "颁发错误", now)
				if err != nil && !errors.Is(err, domain.ErrConflict) {
					fail("revoke: unexpected %v", err)
				}
			case k < 7:
				r := rules[rng.IntN(len(rules))]
				op = "apply " + r.Code
				_, err = a.Apply(r, now)
				if err != nil && !errors.Is(err, domain.ErrConflict) && !errors.Is(err, domain.ErrNotEligible) {
					fail("apply: unexpected %v", err)
				}
			default:
				if len(a.Conversions) == 0 {
					continue
				}
				c := a.Conversions[rng.IntN(len(a.Conversions))]
				if k < 9 {
					op = fmt.Sprintf("approve %s (%s)", c.RuleCode, c.Status)
					_, err = a.Approve(c.ID, "reviewer", "", engRuleByCode(rules, c.RuleCode), now)
					if err != nil && !errors.Is(err, domain.ErrConflict) && !errors.Is(err, domain.ErrNotEligible) {
						fail("approve: unexpected %v", err)
					}
				} else {
					op = fmt.Sprintf("reject %s (%s)", c.RuleCode, c.Status)
					_, err = a.Reject(c.ID, "reviewer", "材料不全", now)
					if err != nil && !errors.Is(err, domain.ErrConflict) {
						fail("reject: unexpected %v", err)
					}
				}
			}
			if err == nil {
				done[engOpKind(op)]++
			} else {
				op += " → " + err.Error()
				if len(a.Ledger) != ledger {
					fail("%s: a refused operation wrote the ledger", op)
				}
			}
			log = append(log, op)
			if err := engCheckInvariants(a, now); err != nil {
				fail("%s", err)
			}
		}
	}
	for _, kind := range []string{"deposit", "revoke", "apply", "approve (pending)", "approve (needs_review)", "reject (pending)", "reject (needs_review)"} {
		if done[kind] == 0 {
			t.Errorf("no successful %q in any sequence: %v", kind, done)
		}
	}
}

// engOpKind strips the specifics from an operation: "approve P-A (pending)"
// becomes "approve (pending)".
func engOpKind(op string) string {
	var verb, code, status string
	if n, _ := fmt.Sscanf(op, "%s %s %s", &verb, &code, &status); n == 3 && status[0] == '(' {
		return verb + " " + status
	}
	return verb
}

func engRuleByCode(rules []domain.Rule, code string) domain.Rule {
	for _, r := range rules {
		if r.Code == code {
			return r
		}
	}
	panic("no rule " + code)
}

func engDepositAt(t *testing.T, a *domain.Account, title string, cat domain.Category, credits float64, now time.Time) {
	t.Helper()
	score := 80.0
	in := domain.OutcomeInput{
		Category: string(cat), Title: title, Hours: 16, Credits: &credits,
		Result: domain.Result{Score: &score}, CompletedOn: now,
	}
	o, err := domain.NewOutcome(in, engIssuerA, a.ID, domain.DefaultCreditPolicy(), now)
	if err != nil {
		t.Fatalf("NewOutcome: %v", err)
	}
	if err := a.Deposit(o, now); err != nil {
		t.Fatalf("Deposit: %v", err)
	}
}
