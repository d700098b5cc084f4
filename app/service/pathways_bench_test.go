package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage/sqlite"
)

// BenchmarkPathwaysService is the budget end to end on the embedded
// store: load a learner with 200 outcomes, the 50 published rules and the
// 5 000-course catalogue (cached after the first answer), and plan.
func BenchmarkPathwaysService(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	now := time.Now()
	issuer, converter := domain.NewID(), domain.NewID()
	cats := []domain.Category{domain.CategoryCommunity, domain.CategoryVocational, domain.CategorySenior, domain.CategoryOnline}
	acc, err := domain.NewAccount("李四", domain.PersonalData{NationalIDHash: "bench"}, time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), now)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		score := 80.0
		o, err := domain.NewOutcome(domain.OutcomeInput{Category: string(cats[i%2]), Title: fmt.Sprintf("课程 %d", i), CourseCode: fmt.Sprintf("O-%d", i),
			Hours: float64(8 * (1 + i%6)), Result: domain.Result{Score: &score}, CompletedOn: now.AddDate(-1, 0, 0)}, issuer, acc.ID, domain.DefaultCreditPolicy(), now)
		if err != nil {
			b.Fatal(err)
		}
		if err := acc.Deposit(o, now); err != nil {
			b.Fatal(err)
		}
	}
	if err := store.CreateAccount(ctx, nil, acc); err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		m := domain.Match{Category: cats[i%len(cats)]}
		r := domain.Rule{ID: domain.NewID(), Code: fmt.Sprintf("R-%02d", i), Version: 1, Status: domain.RulePublished, Name: "规则",
			InstitutionID: converter, Purpose: domain.PurposeCredit, Condition: domain.Group{Op: domain.OpAll, Items: []domain.Item{{Match: &m}}},
			MinTotalCredits: float64(2 + i%5*10), Award: domain.Award{Mode: domain.AwardFixed, Credits: 1}, Approval: domain.ApprovalManual,
			EffectiveFrom: now.AddDate(-1, 0, 0)}
		if err := store.CreateRule(ctx, nil, &r); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 5000 {
		start := now.AddDate(0, 0, i%90)
		c, err := domain.NewCourse(domain.CourseInput{Code: fmt.Sprintf("C-%04d", i), Title: fmt.Sprintf("课程 %d", i), Category: string(cats[i%len(cats)]),
			Hours: float64(8 * (1 + i%12)), NextStart: &start, Place: "学习中心"}, issuer, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := store.CreateCourse(ctx, nil, &c); err != nil {
			b.Fatal(err)
		}
	}
	svc := service.New(store, nil, nil, service.Config{})
	learner := service.Actor{Role: domain.RoleLearner, ID: acc.ID}
	if _, err := svc.Pathways(ctx, learner); err != nil { // fills the catalogue cache
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ps, err := svc.Pathways(ctx, learner)
		if err != nil || len(ps) != 50 {
			b.Fatalf("%d pathways, %v", len(ps), err)
		}
	}
}
