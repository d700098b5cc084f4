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
	if per <= 0 {
		per = DefaultHoursPerCredit
	}
	return FloorHalf(hours / per)
}

// Validate checks that every category has a positive rate.
func (p CreditPolicy) Validate() error {
	v := &ValidationError{}
	for c, h := range p.HoursPerCredit {
		if _, err := ParseCategory(string(c)); err != nil {
			v.Add("hoursPerCredit."+string(c), "unknown category")
			continue
		}
		if !(h > 0 && h <= 1000) {
			v.Add("hoursPerCredit."+string(c), "must be > 0 and ≤ 1000")
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
