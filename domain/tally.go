package domain

import "strconv"

// StatTally is one district statistic's count and credits.
type StatTally struct {
	Count   int64
	Credits float64
}

// StatTallies maps a statistic's key to its tally. Keys name a dimension
// and a value ("category:community", "issuer:<id>", "month:2026-03", …);
// the stores keep their sum over all accounts, updated with every account
// write, so district statistics cost the same however many accounts there
// are.
type StatTallies map[string]StatTally

// Statistic keys, and prefixes of keyed ones.
const (
	TallyAccounts         = "accounts"
	TallyClaimed          = "claimed"
	TallyOutcomes         = "outcomes"
	TallyRevoked          = "revoked"
	TallyConvertedCredits = "converted"
	TallyCategory         = "category:"
	TallyIssuer           = "issuer:"
	TallyMonth            = "month:"      // of completion, outcomes and credits
	TallyConversion       = "conversion:" // by status
	TallyBirthYear        = "born:"       // accounts by birth year (age bands at reading time)
	TallyLastActive       = "active:"     // accounts by the month of their latest outcome
)

func (t StatTallies) add(key string, count int64, credits float64) {
	v := t[key]
	v.Count += count
	v.Credits += credits
	t[key] = v
}

// StatTallies is this account's contribution to the district statistics.
// Revoked outcomes count only as revoked; expiry is not considered (a
// statistic of what was banked, not of what is spendable today).
func (a *Account) StatTallies() StatTallies {
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

// Delta is what changes in the sums when an account contributing old
// comes to contribute t: keys whose tally differs, with the difference.
func (t StatTallies) Delta(old StatTallies) StatTallies {
	d := StatTallies{}
	for k, v := range t {
		o := old[k]
		if v != o {
			d[k] = StatTally{Count: v.Count - o.Count, Credits: v.Credits - o.Credits}
		}
	}
	for k, o := range old {
		if _, ok := t[k]; !ok {
			d[k] = StatTally{Count: -o.Count, Credits: -o.Credits}
		}
	}
	return d
}

// Add adds other into t (a sum of deltas); keys that come to zero are
// dropped, since applying them would change nothing.
func (t StatTallies) Add(other StatTallies) {
	for k, v := range other {
		t.add(k, v.Count, v.Credits)
		if s := t[k]; s.Count == 0 && s.Credits == 0 {
			delete(t, k)
		}
	}
}
