package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/storetest"
)

func TestZZMeasureSearch(t *testing.T) {
	s := openAt(t, filepath.Join(t.TempDir(), "m.db"))
	now := time.Now()
	issuer := domain.NewID()
	for i := range 5000 {
		a := storetest.NewAccount(now)
		a.Name = fmt.Sprintf("学员%05d", i)
		for k := range 4 {
			a.Outcomes = append(a.Outcomes, func() domain.Outcome {
				o := storetest.NewOutcome(issuer, fmt.Sprintf("课程%d-%d", i, k), 1, now)
				o.AccountID = a.ID
				return o
			}())
		}
		if err := s.CreateAccount(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []storage.OutcomeQuery{{}, {LearnerName: "学员04321"}, {CourseCode: "课程777-"}, {Status: domain.OutcomeRevoked}} {
		start := time.Now()
		n := 0
		for range 20 {
			items, _, err := s.SearchIssuedOutcomes(t.Context(), issuer, q, storage.Page{Limit: 20})
			if err != nil {
				t.Fatal(err)
			}
			n = len(items)
		}
		fmt.Printf("MEASURE %+v: %d items, %v per page\n", q, n, time.Since(start)/20)
	}
}
