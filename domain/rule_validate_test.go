package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"creditbank/domain"

	"github.com/google/uuid"
)

// engProblems returns "field: reason" for each problem of a validation error.
func engProblems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *ValidationError", err)
	}
	if !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field+": "+p.Reason)
	}
	return out
}

func engDeep(depth int) domain.Group {
	g := engCat(domain.CategoryCommunity)
	for range depth - 1 {
		g = engAll(engG(g))
	}
	return g
}

func TestRuleValidate(t *testing.T) {
	com := domain.Match{Category: domain.CategoryCommunity}
	cases := []struct {
		name string
		mod  func(r *domain.Rule)
		want []string // exact problems, in order
	}{
		{"valid", func(r *domain.Rule) {}, nil},
		{"code pattern", func(r *domain.Rule) { r.Code = "cb test" },
			[]string{"code: must be 2–32 characters of A–Z, 0–9, _ or -, starting with a letter or digit"}},
		{"code starting with dash", func(r *domain.Rule) { r.Code = "-AB" },
			[]string{"code: must be 2–32 characters of A–Z, 0–9, _ or -, starting with a letter or digit"}},
		{"name, purpose, institution, approval", func(r *domain.Rule) {
			r.Name, r.Purpose, r.InstitutionID, r.Approval = " ", "transfer", uuid.Nil, "sometimes"
		}, []string{
			"name: required, at most 100 characters",
			"institutionId: required",
			"purpose: must be one of exemption, admission, credit",
			"approval: must be one of auto, manual",
		}},
		{"exemption names its course", func(r *domain.Rule) { r.Purpose = domain.PurposeExemption },
			[]string{"target.courseCode: required for an exemption rule: the course it exempts"}},
		{"admission names its programme", func(r *domain.Rule) { r.Purpose = domain.PurposeAdmission },
			[]string{"target.programCode: required for an admission rule: the programme it admits to"}},
		{"n_of n above the item count", func(r *domain.Rule) {
			r.Condition = engAll(engM(com), engM(com), engG(engNOf(3, engM(com), engM(com))))
		}, []string{"condition.items[2].n: must be ≤ 2"}},
		{"n_of n below 1", func(r *domain.Rule) { r.Condition = engNOf(0, engM(com)) },
			[]string{"condition.n: must be ≥ 1"}},
		{"n outside n_of", func(r *domain.Rule) {
			r.Condition = domain.Group{Op: domain.OpAny, N: 1, Items: []domain.Item{engM(com)}}
		},
			[]string{"condition.n: only for op n_of"}},
		{"unknown op and empty items", func(r *domain.Rule) { r.Condition = domain.Group{Op: "most"} },
			[]string{"condition.op: must be one of all, any, n_of", "condition.items: must not be empty"}},
		{"empty nested group", func(r *domain.Rule) { r.Condition = engAll(engM(com), engG(engAny())) },
			[]string{"condition.items[1].items: must not be empty"}},
		{"item with both or neither", func(r *domain.Rule) {
			g := engAny(engM(com))
			r.Condition = engAll(domain.Item{}, domain.Item{Group: &g, Match: &com})
		}, []string{
			"condition.items[0]: must be exactly one of a group (op, items) or a match",
			"condition.items[1]: must be exactly one of a group (op, items) or a match",
		}},
		{"match without constraint", func(r *domain.Rule) { r.Condition = engAll(engM(domain.Match{TitleContains: "  "})) },
			[]string{"condition.items[0]: a match needs at least one constraint"}},
		{"match fields", func(r *domain.Rule) {
			r.Condition = engAll(engM(com), engG(engAny(engM(domain.Match{
				Category: "sports", IssuerIDs: []uuid.UUID{engIssuerA, uuid.Nil}, MinLevel: -1, MinScore: 101,
				MinCredits: -0.5, MinHours: 2001, MaxAgeYears: -3,
			}))))
		}, []string{
			"condition.items[1].items[0].category: must be one of academic, vocational, certificate, community, senior, online, other",
			"condition.items[1].items[0].issuerIds[1]: must be an institution id",
			"condition.items[1].items[0].minLevel: must not be negative",
			"condition.items[1].items[0].minScore: must be ≤ 100",
			"condition.items[1].items[0].minCredits: must not be negative",
			"condition.items[1].items[0].minHours: must be ≤ 2000",
			"condition.items[1].items[0].maxAgeYears: must not be negative",
		}},
		{"fixed award credits", func(r *domain.Rule) { r.Award = domain.Award{Mode: domain.AwardFixed, Credits: 0} },
			[]string{"award.credits: must be > 0"}},
		{"fixed award half steps", func(r *domain.Rule) { r.Award = domain.Award{Mode: domain.AwardFixed, Credits: 1.25, Ratio: 0.5} },
			[]string{"award.credits: must be a multiple of 0.5", "award.ratio: only for mode sum"}},
		{"fixed award at most 60", func(r *domain.Rule) { r.Award.Credits = 60.5 },
			[]string{"award.credits: must be ≤ 60"}},
		{"sum ratio at most 1", func(r *domain.Rule) { r.Award = domain.Award{Mode: domain.AwardSum, Ratio: 1.5, Credits: 2} },
			[]string{"award.ratio: must be > 0 and ≤ 1", "award.credits: only for mode fixed"}},
		{"sum ratio of exactly 1", func(r *domain.Rule) { r.Award = domain.Award{Mode: domain.AwardSum, Ratio: 1} }, nil},
		{"award mode", func(r *domain.Rule) { r.Award = domain.Award{Mode: "bonus"} },
			[]string{"award.mode: must be one of fixed, sum"}},
		{"award required outside admission", func(r *domain.Rule) { r.Award = domain.Award{} },
			[]string{"award.mode: required: fixed or sum"}},
		{"admission without award or caps", func(r *domain.Rule) {
			r.Purpose, r.Target.ProgramCode, r.Award = domain.PurposeAdmission, "GZ01", domain.Award{}
			r.Caps = []domain.Cap{{Scope: domain.CapLifetime, MaxCredits: 2}}
		}, []string{"caps: caps need an award"}},
		{"caps", func(r *domain.Rule) {
			r.Caps = []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 4}, {Scope: "monthly", MaxCredits: 0}, {Scope: domain.CapPerYear, MaxCredits: 2}}
		}, []string{
			"caps[1].scope: must be one of per_year, lifetime",
			"caps[1].maxCredits: must be > 0",
			"caps[2].scope: only one cap per scope",
		}},
		{"minTotalCredits", func(r *domain.Rule) { r.MinTotalCredits = -1 },
			[]string{"minTotalCredits: must not be negative"}},
		{"target credits", func(r *domain.Rule) { r.Target.Credits = 0.3 },
			[]string{"target.credits: must be a multiple of 0.5"}},
		{"effective period", func(r *domain.Rule) { end := r.EffectiveFrom; r.EffectiveTo = &end },
			[]string{"effectiveTo: must be after effectiveFrom"}},
		{"effectiveFrom required", func(r *domain.Rule) { r.EffectiveFrom = time.Time{} },
			[]string{"effectiveFrom: required"}},
		{"depth 8 is allowed", func(r *domain.Rule) { r.Condition = engDeep(8) }, nil},
		{"depth 9 is not", func(r *domain.Rule) { r.Condition = engDeep(9) },
			[]string{"condition" + strings.Repeat(".items[0]", 8) + ": groups nest at most 8 levels deep"}},
		{"at most 100 items", func(r *domain.Rule) {
			var items []domain.Item
			for range 101 {
				items = append(items, engM(com))
			}
			r.Condition = engAny(items...)
		}, []string{"condition: at most 100 items in total"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := engRule(engCat(domain.CategoryCommunity))
			tc.mod(&r)
			got := engProblems(t, r.Validate())
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}
