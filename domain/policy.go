package domain

import "math"

// CreditPolicy converts study hours to bank credits. Admins edit it; the
// default is 16 hours per credit for every category.
type CreditPolicy struct {
	HoursPerCredit map[Category]float64
	Version        int64
}

// DefaultHoursPerCredit is the district default for every category.
const DefaultHoursPerCredit = 16

// Limits on a single outcome, from the district credit policy.
const (
	MaxOutcomeCredits = 60
	MaxOutcomeHours   = 2000
)

// The range an admin may set hours per credit in. The fastest rate also
// bounds what an issuer may state: no outcome or course earns more than one
// credit per MinHoursPerCredit study hours, whatever the policy says today,
// so neither a slip in the policy (0.0001 h per credit) nor an issuer's
// claim (60 credits for a 1-hour course) can mint credits.
const (
	MinHoursPerCredit = 4
	MaxHoursPerCredit = 64
)

// MaxStatedCredits is the most credits an issuer may state for the hours:
// one per MinHoursPerCredit hours, in half-credit steps.
func MaxStatedCredits(hours float64) float64 { return FloorHalf(hours / MinHoursPerCredit) }

// StatedCreditsTooHigh is the reason given for stated credits beyond
// MaxStatedCredits; one fixed sentence, so the UI can translate it.
const StatedCreditsTooHigh = "more than the hours allow: the credit policy gives at most one credit per 4 study hours"

// checkStatedCredits reports stated credits beyond what the hours allow;
// only called once hours and credits are each valid.
func checkStatedCredits(v *ValidationError, credits, hours float64) {
	if credits > MaxStatedCredits(hours) {
		v.Add("credits", StatedCreditsTooHigh)
	}
}

// DefaultCreditPolicy returns 16 hours per credit for every category.
func DefaultCreditPolicy() CreditPolicy {
	p := CreditPolicy{HoursPerCredit: map[Category]float64{}}
	for _, c := range Categories {
		p.HoursPerCredit[c] = DefaultHoursPerCredit
	}
	return p
}

// CreditsFor derives credits from hours in half-credit steps, rounding down so
// that nobody is credited for hours they did not study.
func (p CreditPolicy) CreditsFor(c Category, hours float64) float64 {
	per := p.HoursPerCredit[c]
	switch {
	case !(per > 0):
		per = DefaultHoursPerCredit
	case per < MinHoursPerCredit:
		// A rate stored before the policy was bounded pays no more than
		// the bound allows.
		per = MinHoursPerCredit
	case per > MaxHoursPerCredit:
		per = MaxHoursPerCredit
	}
	return FloorHalf(hours / per)
}

// Validate checks that every category's rate is within the policy's range.
func (p CreditPolicy) Validate() error {
	v := &ValidationError{}
	for c, h := range p.HoursPerCredit {
		if _, err := ParseCategory(string(c)); err != nil {
			v.Add("hoursPerCredit."+string(c), "unknown category")
			continue
		}
		if !(h >= MinHoursPerCredit && h <= MaxHoursPerCredit) {
			v.Add("hoursPerCredit."+string(c), "must be between 4 and 64")
		}
	}
	return v.Err()
}

// FloorHalf rounds down to a multiple of 0.5. The small epsilon keeps values
// like 2.9999999 (from float division) from losing half a credit; it is far
// below any hours an issuer reports (about 0.03 s at 16 h/credit). NaN counts
// as nothing.
func FloorHalf(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return math.Floor(x*2+1e-6) / 2
}
