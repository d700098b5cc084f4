package api

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// benchAccount is a learner's account of n outcomes from three issuers,
// every fourth with an expiry, a conversion for every ten and one grant.
func benchAccount(b *testing.B, n int) *domain.Account {
	b.Helper()
	at := time.Date(2026, 12, 1, 9, 30, 15, 123_000_000, time.UTC)
	a, err := domain.NewAccount("王小红", domain.PersonalData{NationalIDMasked: "110105********0012"}, time.Date(1961, 5, 3, 0, 0, 0, 0, time.UTC), at.AddDate(-3, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	issuers := []uuid.UUID{domain.NewID(), domain.NewID(), domain.NewID()}
	categories := []domain.Category{domain.CategoryCommunity, domain.CategoryVocational, domain.CategorySenior}
	for i := 0; i < n; i++ {
		score := 60 + float64(i%10)*3.5
		in := domain.OutcomeInput{Category: string(categories[i%3]), Title: fmt.Sprintf("社区课程 %d", i), CourseCode: fmt.Sprintf("COM-%03d", i),
			Hours: 16, Result: domain.Result{Score: &score}, CompletedOn: at.AddDate(0, -2-i%24, 0)}
		if i%4 == 0 {
			exp := domain.DateOf(at).AddDate(2, 0, 0)
			in.ExpiresOn = &exp
		}
		o, err := domain.NewOutcome(in, issuers[i%3], a.ID, domain.DefaultCreditPolicy(), at.AddDate(0, -1, 0))
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Deposit(o, at.AddDate(0, -1, 0)); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < n/10; i++ {
		decided := at
		a.Conversions = append(a.Conversions, domain.Conversion{ID: domain.NewID(), AccountID: a.ID, RuleID: domain.NewID(), RuleCode: "R-1",
			RuleVersion: 2, RuleName: "社区课程免修", InstitutionID: issuers[1], Purpose: domain.Purpose("exemption"), Status: domain.ConversionStatus("approved"),
			AppliedAt: at.Add(-time.Hour), DecidedAt: &decided, DecidedBy: "staff:" + issuers[1].String(), Note: "同意",
			Evaluation: domain.Evaluation{Eligible: true, AwardedCredits: 4, UsedCredits: 5, EvaluatedAt: at.Add(-time.Hour),
				Used:  []domain.UsedOutcome{{OutcomeID: a.Outcomes[i].ID, Title: a.Outcomes[i].Title, Category: a.Outcomes[i].Category, Credits: 2.5}},
				Trace: []domain.TraceStep{{Code: "match", Message: "matched item 1"}, {Code: "award", Message: "4 credits"}}}})
	}
	if _, err := a.GrantAccess(issuers[0], 30, at); err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkRecordJSON: rendering a learner's own record on a cache miss
// (recordFrom, then the writer) and the writer alone, beside encoding/json
// (go test -run '^$' -bench RecordJSON ./app/api/).
func BenchmarkRecordJSON(b *testing.B) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{10, 500} {
		a := benchAccount(b, n)
		rec := recordFrom(a, now, true)
		b.Run(fmt.Sprintf("outcomes=%d/render", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := recordFrom(a, now, true)
				if _, err := recordJSON(&r); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("outcomes=%d/writer", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := recordJSON(&rec); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("outcomes=%d/encoding-json", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(&rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
