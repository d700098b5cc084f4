package domain

import (
	"strconv"
	"time"

	"github.com/google/uuid"
)

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
//
// Every deposit computes it, so outcomes are first summed per category,
// issuer and month in small lists (an account has few distinct ones), and a
// key string is built once per distinct value rather than four per outcome.
// Each key's credits are still added in outcome order, so the sums are the
// same to the last bit as adding outcome by outcome.
func (a *Account) StatTallies() StatTallies {
	// Room for a typical account on the stack; append moves a larger one
	// to the heap.
	var (
		categoryRoom [8]tallyOf[Category]
		issuerRoom   [8]tallyOf[uuid.UUID]
		monthRoom    [32]tallyOf[int]
		categories   = tallyList[Category](categoryRoom[:0])
		issuers      = tallyList[uuid.UUID](issuerRoom[:0])
		months       = tallyList[int](monthRoom[:0]) // year*16 + month
		outcomes     StatTally
		revoked      int64
	)
	for i := range a.Outcomes {
		o := &a.Outcomes[i]
		if o.Status == OutcomeRevoked {
			revoked++
			continue
		}
		y, m, _ := o.CompletedOn.Date()
		month := y*16 + int(m)
		outcomes.Count++
		outcomes.Credits += o.Credits
		categories.add(o.Category, o.Credits)
		issuers.add(o.IssuerID, o.Credits)
		months.add(month, o.Credits)
	}
	t := make(StatTallies, 6+len(categories)+len(issuers)+len(months)+len(a.Conversions))
	t.add(TallyAccounts, 1, 0)
	if a.Claimed() {
		t.add(TallyClaimed, 1, 0)
	}
	if !a.BirthDate.IsZero() {
		t.add(TallyBirthYear+strconv.Itoa(a.BirthDate.Year()), 1, 0)
	}
	if revoked > 0 {
		t[TallyRevoked] = StatTally{Count: revoked}
	}
	if outcomes.Count > 0 {
		t[TallyOutcomes] = outcomes
	}
	for _, c := range categories {
		t[TallyCategory+string(c.key)] = c.tally
	}
	for _, c := range issuers {
		t[TallyIssuer+c.key.String()] = c.tally
	}
	latest := ""
	for _, c := range months {
		key := monthKey(c.key)
		t[key] = c.tally
		latest = max(latest, key[len(TallyMonth):])
	}
	if latest != "" {
		t[TallyLastActive+latest] = StatTally{Count: 1}
	}
	for _, c := range a.Conversions {
		t.add(TallyConversion+string(c.Status), 1, 0)
		if c.Status == ConversionApproved || c.Status == ConversionFinal {
			t.add(TallyConvertedCredits, 0, c.Evaluation.AwardedCredits)
		}
	}
	a.addFrameworkTallies(t)
	return t
}

// tallyList sums outcomes per distinct key, in order of first appearance.
type tallyList[K comparable] []tallyOf[K]

type tallyOf[K comparable] struct {
	key   K
	tally StatTally
}

func (l *tallyList[K]) add(key K, credits float64) {
	for i := range *l {
		if (*l)[i].key == key {
			(*l)[i].tally.Count++
			(*l)[i].tally.Credits += credits
			return
		}
	}
	*l = append(*l, tallyOf[K]{key, StatTally{Count: 1, Credits: credits}})
}

// monthKey is TallyMonth and year*16+month formatted as "2006-01" does, in
// one allocation (time.Format costs more than the rest of StatTallies for a
// learner's ten months).
func monthKey(ym int) string {
	year, month := ym>>4, ym&15
	if year < 0 || year > 9999 {
		return TallyMonth + time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	var b [len(TallyMonth) + 7]byte
	n := copy(b[:], TallyMonth)
	b[n], b[n+1], b[n+2], b[n+3] = '0'+byte(year/1000), '0'+byte(year/100%10), '0'+byte(year/10%10), '0'+byte(year%10)
	b[n+4], b[n+5], b[n+6] = '-', '0'+byte(month/10), '0'+byte(month%10)
	return string(b[:])
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
