package domain_test

import (
	"fmt"
	"testing"

	"creditbank/domain"
)

// benchAccount holds n community and vocational outcomes of mixed sizes.
func benchAccount(b *testing.B, n int) *domain.Account {
	b.Helper()
	a, err := domain.NewAccount("李四", domain.PersonalData{}, engDate(1980, 3, 1), engNow)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		cat := "community"
		if i%3 == 0 {
			cat = "vocational"
		}
		score := 80.0
		in := domain.OutcomeInput{Category: cat, Title: fmt.Sprintf("课程 %d", i), CourseCode: fmt.Sprintf("C-%d", i),
			Hours: float64(8 * (1 + i%6)), Result: domain.Result{Score: &score}, CompletedOn: engDate(2024, 9, 1)}
		o, err := domain.NewOutcome(in, engIssuerA, a.ID, domain.DefaultCreditPolicy(), engNow)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Deposit(o, engNow); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkEvaluate measures rule evaluation on lifelong records of growing
// size: a nested rule with a minimum total, the common shape in practice.
func BenchmarkEvaluate(b *testing.B) {
	rule := engRule(engAll(
		engG(engAny(engM(domain.Match{Category: domain.CategoryCommunity}), engM(domain.Match{Category: domain.CategoryVocational}))),
		engM(domain.Match{MinHours: 16}),
	), func(r *domain.Rule) { r.MinTotalCredits = 6 })
	for _, n := range []int{5, 20, 80} {
		acc := benchAccount(b, n)
		b.Run(fmt.Sprintf("outcomes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if ev := domain.Evaluate(rule, acc, engNow); !ev.Eligible {
					b.Fatalf("not eligible: %v", ev.Trace)
				}
			}
		})
	}
}

// BenchmarkVerifyLedger measures replaying a lifetime's ledger.
func BenchmarkVerifyLedger(b *testing.B) {
	acc := benchAccount(b, 200)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := acc.VerifyLedger(); err != nil {
			b.Fatal(err)
		}
	}
}
