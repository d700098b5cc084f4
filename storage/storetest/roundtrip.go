package storetest

import (
	"slices"
	"testing"

	"creditbank/domain"
	"creditbank/storage"
)

func roundTripTests() []contractTest {
	return []contractTest{
		{"RichAccount", func(t *testing.T, s storage.Store) {
			issuer, inst := domain.NewID(), domain.NewID()
			a := createAccount(t, s, NewRichAccount(issuer, inst, now()))
			deepEqual(t, getAccount(t, s, a.ID), a, "rich account after create")
			g, err := a.GrantAccess(domain.NewID(), 3, now())
			noErr(t, err, "grant")
			noErr(t, s.UpdateAccount(t.Context(), nil, a), "update")
			got := getAccount(t, s, a.ID)
			deepEqual(t, got, a, "rich account after update")
			if !got.SharedWith(g.InstitutionID, now()) {
				t.Fatal("the new grant did not survive")
			}
			noErr(t, got.VerifyLedger(), "ledger chain after a round trip")
			outcomes, _, err := s.ListOutcomesByIssuer(t.Context(), issuer, storage.Page{})
			noErr(t, err, "list outcomes")
			wantOutcomes := slices.Clone(a.Outcomes)
			slices.SortFunc(wantOutcomes, func(x, y domain.Outcome) int { return compareIDs(x.ID, y.ID) })
			deepEqual(t, outcomes, wantOutcomes, "listed outcomes")
			conversions, _, err := s.ListConversionsByInstitution(t.Context(), inst, "", storage.Page{})
			noErr(t, err, "list conversions")
			wantConversions := slices.Clone(a.Conversions)
			slices.SortFunc(wantConversions, func(x, y domain.Conversion) int { return compareIDs(x.ID, y.ID) })
			deepEqual(t, conversions, wantConversions, "listed conversions")
		}},
		{"ConversionKeepsEvaluationData", func(t *testing.T, s storage.Store) {
			// A conversion applied for keeps its evaluation's data (each
			// step's facts), so that a saved conversion is worded in its
			// reader's language like a fresh evaluation.
			issuer, inst := domain.NewID(), domain.NewID()
			at := now()
			a := NewAccount(at)
			for _, o := range []domain.Outcome{NewOutcome(issuer, "插花", 1.5, at), NewOutcome(issuer, "太极拳", 2, at)} {
				noErr(t, a.Deposit(o, at), "deposit")
			}
			r := NewRule(inst, "R-FACTS", 1, at)
			r.Status = domain.RulePublished
			r.MinTotalCredits = 3
			r.EffectiveFrom = domain.DateOf(at.AddDate(0, 0, -7))
			c, err := a.Apply(*r, at)
			noErr(t, err, "apply")
			withFacts := 0
			for _, st := range c.Evaluation.Trace {
				if st.Facts() != nil {
					withFacts++
				}
			}
			if withFacts < 2 {
				t.Fatalf("the conversion's evaluation has %d steps with facts: %+v", withFacts, c.Evaluation.Trace)
			}
			createAccount(t, s, a)
			deepEqual(t, getAccount(t, s, a.ID), a, "account with an evaluated conversion")
			queue, _, err := s.ListConversionsByInstitution(t.Context(), inst, domain.ConversionPending, storage.Page{})
			noErr(t, err, "review queue")
			if len(queue) != 1 {
				t.Fatalf("review queue holds %d conversions", len(queue))
			}
			deepEqual(t, queue[0].Evaluation, a.Conversions[0].Evaluation, "queued conversion's evaluation")
		}},
		{"RichRule", func(t *testing.T, s storage.Store) {
			r := NewRichRule(domain.NewID(), "OU-GE", now())
			noErr(t, s.CreateRule(t.Context(), nil, r), "create")
			if r.Revision != 4 {
				t.Fatalf("a restored revision changed to %d", r.Revision)
			}
			got, err := s.GetRule(t.Context(), r.ID)
			noErr(t, err, "get")
			deepEqual(t, got, r, "rich rule")
		}},
	}
}
