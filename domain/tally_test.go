package domain

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
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

// statTalliesOutcomeByOutcome is the plain definition StatTallies must
// match: every outcome adds to its four keys in turn.
func statTalliesOutcomeByOutcome(a *Account) StatTallies {
	t := StatTallies{}
	t.add(TallyAccounts, 1, 0)
	if a.Claimed() {
		t.add(TallyClaimed, 1, 0)
	}
	if !a.BirthDate.IsZero() {
		t.add(TallyBirthYear+strconv.Itoa(a.BirthDate.Year()), 1, 0)
	}
	latest := ""
	for _, o := range a.Outcomes {
		if o.Status == OutcomeRevoked {
			t.add(TallyRevoked, 1, 0)
			continue
		}
		month := o.CompletedOn.Format("2006-01")
		t.add(TallyOutcomes, 1, o.Credits)
		t.add(TallyCategory+string(o.Category), 1, o.Credits)
		t.add(TallyIssuer+o.IssuerID.String(), 1, o.Credits)
		t.add(TallyMonth+month, 1, o.Credits)
		latest = max(latest, month)
	}
	if latest != "" {
		t.add(TallyLastActive+latest, 1, 0)
	}
	for _, c := range a.Conversions {
		t.add(TallyConversion+string(c.Status), 1, 0)
		if c.Status == ConversionApproved {
			t.add(TallyConvertedCredits, 0, c.Evaluation.AwardedCredits)
		}
	}
	return t
}

// StatTallies sums per distinct key instead of outcome by outcome; on
// random accounts (repeated and rare keys, revoked outcomes, credits whose
// sums depend on the order they are added in, years of one to five
// digits) it must give exactly the same keys and the same bits.
func TestStatTalliesMatchOutcomeByOutcomeSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	issuers := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	categories := []Category{CategoryCommunity, CategorySenior, CategoryVocational, CategoryOther}
	statuses := []ConversionStatus{ConversionPending, ConversionApproved, ConversionRejected}
	for i := range 2000 {
		a := &Account{ID: uuid.New(), Status: AccountActive}
		if rng.IntN(3) > 0 {
			a.BirthDate = time.Date(1930+rng.IntN(80), 5, 1, 0, 0, 0, 0, time.UTC)
		}
		if rng.IntN(2) == 0 {
			a.PasswordHash = "claimed"
		}
		for range rng.IntN(1 + []int{3, 12, 60, 400}[i%4]) {
			year := 1950 + rng.IntN(77)
			if rng.IntN(50) == 0 {
				year = []int{5, 999, 10000, 12345}[rng.IntN(4)]
			}
			o := Outcome{ID: uuid.New(), IssuerID: issuers[rng.IntN(len(issuers))], Category: categories[rng.IntN(len(categories))],
				Credits: float64(rng.IntN(100)) / 10, Status: OutcomeActive,
				CompletedOn: time.Date(year, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)}
			if rng.IntN(10) == 0 {
				o.Status = OutcomeRevoked
			}
			a.Outcomes = append(a.Outcomes, o)
		}
		for range rng.IntN(4) {
			c := Conversion{ID: uuid.New(), Status: statuses[rng.IntN(len(statuses))]}
			c.Evaluation.AwardedCredits = float64(rng.IntN(70)) / 7
			a.Conversions = append(a.Conversions, c)
		}
		got, want := a.StatTallies(), statTalliesOutcomeByOutcome(a)
		if len(got) != len(want) {
			t.Fatalf("account %d: %d keys, want %d\n got %v\nwant %v", i, len(got), len(want), got, want)
		}
		for k, w := range want {
			g, ok := got[k]
			if !ok || g.Count != w.Count || math.Float64bits(g.Credits) != math.Float64bits(w.Credits) {
				t.Fatalf("account %d: %s = %+v (present %v), want %+v", i, k, g, ok, w)
			}
		}
	}
}

// BenchmarkStatTallies: a learner's ten outcomes from three issuers, as a
// deposit computes them, against the outcome-by-outcome definition.
func BenchmarkStatTallies(b *testing.B) {
	issuers := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	a := &Account{ID: uuid.New(), Status: AccountActive, BirthDate: time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i := range 10 {
		a.Outcomes = append(a.Outcomes, Outcome{IssuerID: issuers[i%3], Category: []Category{CategoryCommunity, CategorySenior, CategoryVocational}[i%3],
			Credits: 1.5, Status: OutcomeActive, CompletedOn: time.Date(2016+i, time.Month(1+i), 1, 0, 0, 0, 0, time.UTC)})
	}
	for _, bc := range []struct {
		name string
		fn   func(*Account) StatTallies
	}{{"grouped", (*Account).StatTallies}, {"outcome-by-outcome", statTalliesOutcomeByOutcome}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.fn(a)
			}
		})
	}
}
