package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"creditbank/domain"
	"creditbank/storage/storetest"
)

// BenchmarkUpdateAccountParallel: compare-and-swap saves of 10-outcome
// accounts from many goroutines (each on its own account), the shape of
// concurrent deposits. Group commit shares one fsync among them; run with
// -cpu 2 -benchtime 5s and compare ns/op with the single-writer case.
func BenchmarkUpdateAccountParallel(b *testing.B) {
	s := openAt(b, filepath.Join(b.TempDir(), "b.db"))
	const accounts = 256
	accs := make([]*domain.Account, accounts)
	issuer := domain.NewID()
	for i := range accs {
		a := storetest.NewAccount(timeNow())
		for k := 0; k < 10; k++ {
			if err := a.Deposit(storetest.NewOutcome(issuer, fmt.Sprint("课程", k), 1, timeNow()), timeNow()); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.CreateAccount(b.Context(), nil, a); err != nil {
			b.Fatal(err)
		}
		accs[i] = a
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		a := accs[next.Add(1)%accounts]
		fresh, err := s.GetAccount(b.Context(), a.ID)
		if err != nil {
			b.Error(err)
			return
		}
		for pb.Next() {
			if err := s.UpdateAccount(b.Context(), nil, fresh); err != nil {
				b.Error(err)
				return
			}
		}
	})
	groups, writes := s.WriteGroups()
	b.ReportMetric(float64(writes)/float64(max(groups, 1)), "writes/commit")
}
