package domain_test

import (
	"math"
	"testing"

	"creditbank/domain"
)

func TestCoreFloorHalf(t *testing.T) {
	tests := []struct {
		name string
		in   float64
		want float64
	}{
		{"zero", 0, 0},
		{"negative", -1.5, 0},
		{"NaN", math.NaN(), 0},
		{"just under a half", 0.49, 0},
		{"exact half", 0.5, 0.5},
		{"between steps", 1.74, 1.5},
		{"just under a whole", 1.99, 1.5},
		{"exact whole", 2, 2},
		{"float noise from 4.8/1.6", 4.8 / 1.6, 3},
		{"float noise from 0.3/0.1", 0.3 / 0.1, 3},
		{"float noise 2.9999999", 2.9999999, 3},
		{"float noise 2.4999999", 2.4999999, 2.5},
		{"genuinely short 2.999", 2.999, 2.5},
		{"genuinely short 2.49", 2.49, 2},
		{"large", 124.99, 124.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.FloorHalf(tt.in); got != tt.want {
				t.Fatalf("FloorHalf(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCoreCreditsFor(t *testing.T) {
	p := domain.DefaultCreditPolicy()
	p.HoursPerCredit[domain.CategoryVocational] = 20
	p.HoursPerCredit[domain.CategoryOnline] = 0 // a broken rate must not divide by zero
	// Rates stored before the policy was bounded count at the nearest bound.
	p.HoursPerCredit[domain.CategorySenior] = 0.0001
	p.HoursPerCredit[domain.CategoryOther] = 1000
	tests := []struct {
		cat   domain.Category
		hours float64
		want  float64
	}{
		{domain.CategoryCommunity, 8, 0.5},
		{domain.CategoryCommunity, 24, 1.5},
		{domain.CategoryCommunity, 7, 0},
		{domain.CategoryVocational, 24, 1},
		{domain.CategoryVocational, 30, 1.5},
		{domain.CategoryVocational, 9, 0},
		{domain.CategoryOnline, 16, 1},
		{domain.CategorySenior, 1, 0},
		{domain.CategorySenior, 10, 2.5},
		{domain.CategoryOther, 64, 1},
		{domain.CategoryOther, 1000, 15.5},
	}
	for _, tt := range tests {
		if got := p.CreditsFor(tt.cat, tt.hours); got != tt.want {
			t.Errorf("CreditsFor(%s, %v) = %v, want %v", tt.cat, tt.hours, got, tt.want)
		}
	}
}

func TestCoreDefaultCreditPolicy(t *testing.T) {
	p := domain.DefaultCreditPolicy()
	if len(p.HoursPerCredit) != len(domain.Categories) {
		t.Fatalf("default policy has %d rates, want one per category (%d)", len(p.HoursPerCredit), len(domain.Categories))
	}
	for _, c := range domain.Categories {
		if p.HoursPerCredit[c] != 16 {
			t.Errorf("default rate for %s = %v, want 16", c, p.HoursPerCredit[c])
		}
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("default policy does not validate: %v", err)
	}
}

func TestCoreCreditPolicyValidateAcceptsItsRange(t *testing.T) {
	for _, rate := range []float64{domain.MinHoursPerCredit, 16, 20.5, domain.MaxHoursPerCredit} {
		if err := (domain.CreditPolicy{HoursPerCredit: map[domain.Category]float64{domain.CategorySenior: rate}}).Validate(); err != nil {
			t.Errorf("rate %v: %v", rate, err)
		}
	}
}

func TestCoreCreditPolicyValidate(t *testing.T) {
	tests := []struct {
		name  string
		rate  map[domain.Category]float64
		field string
	}{
		{"zero rate", map[domain.Category]float64{domain.CategorySenior: 0}, "hoursPerCredit.senior"},
		{"negative rate", map[domain.Category]float64{domain.CategoryOnline: -4}, "hoursPerCredit.online"},
		{"rate above 64", map[domain.Category]float64{domain.CategoryOther: 64.5}, "hoursPerCredit.other"},
		{"rate below 4", map[domain.Category]float64{domain.CategoryOther: 3.9}, "hoursPerCredit.other"},
		{"0.0001 hours per credit", map[domain.Category]float64{domain.CategoryVocational: 0.0001}, "hoursPerCredit.vocational"},
		{"NaN rate", map[domain.Category]float64{domain.CategoryOther: math.NaN()}, "hoursPerCredit.other"},
		{"unknown category", map[domain.Category]float64{"hobby": 16}, "hoursPerCredit.hobby"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.CreditPolicy{HoursPerCredit: tt.rate}.Validate()
			coreWantField(t, err, tt.field)
		})
	}
}
