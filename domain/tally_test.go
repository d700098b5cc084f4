package domain

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestStatTalliesAndDelta(t *testing.T) {
	issuer := uuid.New()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	a := &Account{ID: uuid.New(), BirthDate: time.Date(1962, 3, 15, 0, 0, 0, 0, time.UTC), Status: AccountActive}
	out := func(c Category, credits float64, month time.Month) Outcome {
		return Outcome{ID: uuid.New(), IssuerID: issuer, Category: c, Credits: credits, Status: OutcomeActive,
			CompletedOn: time.Date(2025, month, 10, 0, 0, 0, 0, time.UTC), IssuedAt: now}
	}
	a.Outcomes = []Outcome{out(CategoryCommunity, 2, 5), out(CategorySenior, 1.5, 9)}
	before := a.StatTallies()
	tests := []struct {
		key   string
		count int64
		cred  float64
	}{
		{TallyAccounts, 1, 0}, {TallyOutcomes, 2, 3.5}, {TallyCategory + "community", 1, 2}, {TallyCategory + "senior", 1, 1.5},
		{TallyIssuer + issuer.String(), 2, 3.5}, {TallyMonth + "2025-05", 1, 2}, {TallyBirthYear + "1962", 1, 0},
		{TallyLastActive + "2025-09", 1, 0},
	}
	for _, tc := range tests {
		if got := before[tc.key]; got.Count != tc.count || got.Credits != tc.cred {
			t.Errorf("%s: %+v, want %d/%v", tc.key, got, tc.count, tc.cred)
		}
	}
	if _, ok := before[TallyClaimed]; ok {
		t.Errorf("unclaimed account counted as claimed")
	}

	// Revoking the senior outcome moves it to "revoked" and the last active
	// month back to May.
	a.Outcomes[1].Status = OutcomeRevoked
	d := a.StatTallies().Delta(before)
	want := map[string]StatTally{
		TallyOutcomes: {-1, -1.5}, TallyCategory + "senior": {-1, -1.5}, TallyIssuer + issuer.String(): {-1, -1.5},
		TallyMonth + "2025-09": {-1, -1.5}, TallyRevoked: {1, 0}, TallyLastActive + "2025-09": {-1, 0}, TallyLastActive + "2025-05": {1, 0},
	}
	if len(d) != len(want) {
		t.Fatalf("delta %v, want %v", d, want)
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("delta %s = %+v, want %+v", k, d[k], v)
		}
	}
	if len(a.StatTallies().Delta(a.StatTallies())) != 0 {
		t.Errorf("an unchanged account has a non-empty delta")
	}
}

func TestStatTalliesAddSumsDeltasAndDropsZeros(t *testing.T) {
	tests := []struct {
		name      string
		sum, more StatTallies
		want      StatTallies
	}{
		{"into empty", StatTallies{}, StatTallies{"outcomes": {1, 2.5}}, StatTallies{"outcomes": {1, 2.5}}},
		{"same key adds", StatTallies{"outcomes": {1, 2.5}}, StatTallies{"outcomes": {2, 1}}, StatTallies{"outcomes": {3, 3.5}}},
		{"cancelling keys vanish", StatTallies{"month:2026-01": {1, 2}, "accounts": {1, 0}},
			StatTallies{"month:2026-01": {-1, -2}}, StatTallies{"accounts": {1, 0}}},
		{"credits alone keep a key", StatTallies{"converted": {0, 3}}, StatTallies{"converted": {0, 1}}, StatTallies{"converted": {0, 4}}},
		{"nothing to add", StatTallies{"accounts": {1, 0}}, nil, StatTallies{"accounts": {1, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.sum.Add(tc.more)
			if !reflect.DeepEqual(tc.sum, tc.want) {
				t.Fatalf("sum %v, want %v", tc.sum, tc.want)
			}
		})
	}
}
