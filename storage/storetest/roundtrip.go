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
