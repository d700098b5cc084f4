package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// coreNow is a fixed clock so that "future" and "expired" never depend on
// when the suite runs.
var coreNow = time.Date(2025, 6, 15, 10, 30, 0, 0, time.UTC)

func coreF(v float64) *float64 { return &v }
func coreB(v bool) *bool       { return &v }
func coreT(v time.Time) *time.Time {
	return &v
}

func coreDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// coreCheckChar computes the GB 11643 check character from first principles
// (weights 2^(17-i) mod 11, check c with sum+c ≡ 1 mod 11) rather than from
// the production tables, so a wrong table in the code would fail the tests.
func coreCheckChar(t *testing.T, first17 string) byte {
	t.Helper()
	if len(first17) != 17 {
		t.Fatalf("coreCheckChar: need 17 digits, got %q", first17)
	}
	sum := 0
	w := 1 << 17
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			t.Fatalf("coreCheckChar: %q has a non-digit", first17)
		}
		sum += int(c-'0') * ((w >> i) % 11)
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// coreID builds a valid 18-character ID from a 17-digit body.
func coreID(t *testing.T, first17 string) string {
	t.Helper()
	return first17 + string(coreCheckChar(t, first17))
}

// coreWrongCheck builds an ID whose check character is deliberately wrong.
func coreWrongCheck(t *testing.T, first17 string) string {
	t.Helper()
	good := coreCheckChar(t, first17)
	bad := byte('0')
	if good == '0' {
		bad = '1'
	}
	return first17 + string(bad)
}

// coreProblemFields asserts err is a validation error and returns the fields
// it names, in order.
func coreProblemFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		t.Fatal("expected a validation error, got nil")
	}
	if !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	var ve *domain.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *ValidationError", err, err)
	}
	fields := make([]string, 0, len(ve.Problems))
	for _, p := range ve.Problems {
		if p.Reason == "" {
			t.Errorf("problem for field %q has no reason", p.Field)
		}
		fields = append(fields, p.Field)
	}
	return fields
}

// coreWantField asserts err is a validation error naming field.
func coreWantField(t *testing.T, err error, field string) {
	t.Helper()
	fields := coreProblemFields(t, err)
	if !slices.Contains(fields, field) {
		t.Fatalf("validation error names %v, want it to name %q (error: %v)", fields, field, err)
	}
}

// coreInput is a valid, passed community-education outcome worth 1 credit.
func coreInput() domain.OutcomeInput {
	return domain.OutcomeInput{
		Category:    "community",
		Title:       "社区书法入门",
		CourseCode:  "CC-101",
		Hours:       16,
		Result:      domain.Result{Score: coreF(85)},
		CompletedOn: coreDate(2024, time.March, 1),
	}
}

func coreOutcome(t *testing.T, in domain.OutcomeInput, issuer uuid.UUID) domain.Outcome {
	t.Helper()
	o, err := domain.NewOutcome(in, issuer, uuid.Nil, domain.DefaultCreditPolicy(), coreNow)
	if err != nil {
		t.Fatalf("NewOutcome(%+v): %v", in, err)
	}
	return o
}

func coreAccount(t *testing.T) *domain.Account {
	t.Helper()
	a, err := domain.NewAccount("张三", domain.PersonalData{NationalIDMasked: "500224********123X"},
		coreDate(1980, time.January, 2), coreNow)
	if err != nil {
		t.Fatalf("NewAccount: %v", err)
	}
	return a
}

// coreDeposit banks an outcome built from in and fails the test on error.
func coreDeposit(t *testing.T, a *domain.Account, in domain.OutcomeInput, issuer uuid.UUID) domain.Outcome {
	t.Helper()
	o := coreOutcome(t, in, issuer)
	if err := a.Deposit(o, coreNow); err != nil {
		t.Fatalf("Deposit(%q): %v", o.Title, err)
	}
	return o
}

func coreErrContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error mentioning %q, got nil", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not mention %q", err, p)
		}
	}
}
