package storetest

import (
	"testing"

	"creditbank/domain"
	"creditbank/domain/domaintest"
)

// FillAccount fills an account as domaintest.Fill does, and also the data
// of each conversion's steps and shortfall, which Fill cannot reach (the
// domain keeps them unexported): every layer that stores or shows an
// account must carry them too. Every value is distinct, across steps as
// within one.
func FillAccount(t testing.TB, a *domain.Account) {
	t.Helper()
	f := &domaintest.Filler{}
	f.Fill(t, a)
	FillEvaluationData(t, f, a)
}

// FillEvaluationData gives every step and shortfall of a's conversions
// data filled by f.
func FillEvaluationData(t testing.TB, f *domaintest.Filler, a *domain.Account) {
	t.Helper()
	for i := range a.Conversions {
		e := &a.Conversions[i].Evaluation
		for j, s := range e.Trace {
			var facts domain.StepFacts
			f.Fill(t, &facts)
			e.Trace[j] = domain.NewTraceStep(s.Code, s.Message, &facts)
		}
		if e.Shortfall != nil {
			var d domain.ShortfallDetail
			f.Fill(t, &d)
			sf := domain.NewShortfall(e.Shortfall.Credits, e.Shortfall.Message, &d)
			e.Shortfall = &sf
		}
	}
}
