package api

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// fuzzAccounts are learners with a spread of outcomes for accepted rules to
// be evaluated against.
func fuzzAccounts(t *testing.T, now time.Time, issuer uuid.UUID) []*domain.Account {
	t.Helper()
	policy := domain.DefaultCreditPolicy()
	var out []*domain.Account
	for i, set := range [][]domain.OutcomeInput{
		nil,
		{{Category: "community", Title: "插花", CourseCode: "C1", Hours: 32, Result: domain.Result{Passed: ptr(true)}, CompletedOn: now.AddDate(-1, 0, 0)}},
		{
			{Category: "academic", Title: "高等数学", CourseCode: "MATH101", Hours: 64, Credits: ptr(4.0), Result: domain.Result{Score: ptr(91.0)}, CompletedOn: now.AddDate(-3, 0, 0), Level: 5},
			{Category: "vocational", Title: "电工", CourseCode: "V-ELEC", Hours: 120, Result: domain.Result{Grade: "B"}, CompletedOn: now.AddDate(0, -2, 0), Level: 3},
			{Category: "certificate", Title: "证书", CourseCode: "CERT", Hours: 16, Result: domain.Result{Passed: ptr(true)}, CompletedOn: now.AddDate(-10, 0, 0)},
		},
	} {
		acc, err := domain.NewAccount("学员", domain.PersonalData{NationalIDHash: "h" + string(rune('a'+i))}, now.AddDate(-40, 0, 0), now)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range set {
			o, err := domain.NewOutcome(in, issuer, acc.ID, policy, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := acc.Deposit(o, now); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, acc)
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// FuzzRuleValidate feeds arbitrary JSON through the API's rule request, its
// conversion to a domain rule and NewRuleDraft. Nothing may panic, and any
// rule the validator accepts must evaluate on real accounts to a sane,
// finite, non-negative award.
func FuzzRuleValidate(f *testing.F) {
	inst := uuid.MustParse("01900000-0000-7000-8000-000000000001")
	for _, s := range []string{
		`{"code":"R1","name":"社区","institutionId":"01900000-0000-7000-8000-000000000001","purpose":"credit","condition":{"op":"all","items":[{"category":"community","minCredits":1}]},"award":{"mode":"fixed","credits":2},"approval":"auto"}`,
		`{"code":"R2","name":"免修","purpose":"exemption","target":{"courseCode":"MATH101"},"condition":{"op":"any","items":[{"courseCode":"MATH101","minScore":80},{"op":"n_of","n":2,"items":[{"category":"academic"},{"minLevel":4},{"titleContains":"数学"}]}]},"award":{"mode":"sum","ratio":0.5},"caps":[{"scope":"per_year","maxCredits":10},{"scope":"lifetime","maxCredits":30}],"exclusive":true,"approval":"manual","minTotalCredits":3}`,
		`{"code":"R3","name":"入学","purpose":"admission","target":{"programCode":"P1"},"condition":{"op":"n_of","n":0,"items":[]},"award":{"mode":"fixed","credits":0.5}}`,
		`{"code":"R4","name":"x","purpose":"credit","condition":{"op":"all","items":[{"op":"all","items":[{"op":"all","items":[{"op":"all","items":[{"op":"all","items":[{"category":"online"}]}]}]}]}]},"award":{"mode":"fixed","credits":1}}`,
		`{"code":"R5","name":"x","purpose":"credit","condition":{"op":"all","items":[{"maxAgeYears":-1,"minHours":1e308}]},"award":{"mode":"sum","ratio":1e-300},"effectiveFrom":"2020-01-01","effectiveTo":"2019-01-01"}`,
		`{"code":"R6","name":"x","purpose":"credit","condition":{"category":"community"},"award":{"mode":"fixed","credits":60}}`,
		`{"code":"","condition":null}`, `{}`, `[]`, `{"caps":[{}]}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var req ruleRequest
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if dec.Decode(&req) != nil {
			return
		}
		in, err := req.toDomain(now)
		if err != nil {
			return
		}
		if in.InstitutionID == uuid.Nil {
			in.InstitutionID = inst
		}
		r, err := domain.NewRuleDraft(in, "fuzz", now)
		if err != nil {
			return
		}
		if err := r.Publish(now); err != nil {
			t.Fatalf("a valid draft does not publish: %v", err)
		}
		for _, acc := range fuzzAccounts(t, now, inst) {
			for _, at := range []time.Time{now, now.AddDate(1, 0, 0)} {
				ev := domain.Evaluate(r, acc, at)
				if math.IsNaN(ev.AwardedCredits) || math.IsInf(ev.AwardedCredits, 0) || ev.AwardedCredits < 0 {
					t.Fatalf("rule %s awards %v", raw, ev.AwardedCredits)
				}
				if !ev.Eligible && ev.AwardedCredits != 0 {
					t.Fatalf("ineligible evaluation awards %v", ev.AwardedCredits)
				}
				_ = evaluationDTO(ev)
			}
		}
	})
}
