package storetest

import (
	"testing"

	"creditbank/domain"
	"creditbank/domain/domaintest"
)

// FillAccount fills an account as domaintest.Fill does and then leaves out
// what a stored account never holds: each conversion keeps its evaluation
// as recorded, without the data a fresh evaluation carries for its reader.
func FillAccount(t testing.TB, a *domain.Account) {
	t.Helper()
	domaintest.Fill(t, a)
	for i := range a.Conversions {
		a.Conversions[i].Evaluation = a.Conversions[i].Evaluation.Recorded()
	}
}
