package domain_test

import (
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

func TestCoreCheckCharHelperMatchesPublishedExamples(t *testing.T) {
	// The helper is the oracle for the ID tests, so pin it to IDs whose check
	// characters are known independently (the GB 11643 worked example among them).
	for _, id := range []string{"11010519491231002X", "500224198001021003", "50022419800102102X"} {
		if got := coreID(t, id[:17]); got != id {
			t.Errorf("coreID(%q) = %q, want %q", id[:17], got, id)
		}
	}
}

func TestCoreParseNationalIDValid(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"GB 11643 example ending in X", "11010519491231002X", "11010519491231002X"},
		{"ending in a digit", "500224198001021003", "500224198001021003"},
		{"computed, ending in X", coreID(t, "50022419800102137"), "50022419800102137X"},
		{"computed, ending in 0", coreID(t, "31010420000229123"), coreID(t, "31010420000229123")},
		{"lowercase x normalised", "11010519491231002x", "11010519491231002X"},
		{"leading and trailing spaces trimmed", "  500224198001021003\t\n", "500224198001021003"},
		{"born on 1900-01-01", coreID(t, "44030119000101123"), coreID(t, "44030119000101123")},
		{"leap day 2000", coreID(t, "11010120000229001"), coreID(t, "11010120000229001")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := domain.ParseNationalID(tt.raw)
			if err != nil {
				t.Fatalf("ParseNationalID(%q): %v", tt.raw, err)
			}
			if string(id) != tt.want {
				t.Fatalf("ParseNationalID(%q) = %q, want %q", tt.raw, id, tt.want)
			}
		})
	}
}

func TestCoreParseNationalIDInvalid(t *testing.T) {
	future := time.Now().AddDate(1, 0, 0).Format("20060102")
	tests := []struct {
		name string
		raw  string
		// reason fragment: makes sure each case fails for the reason under test,
		// not incidentally for another one.
		reason string
	}{
		{"empty", "", "18 characters"},
		{"17 characters", "50022419800102100", "18 characters"},
		{"19 characters", "5002241980010210030", "18 characters"},
		{"15-digit old style", "500224800102100", "18 characters"},
		{"bad check digit", coreWrongCheck(t, "50022419800102100"), "check character"},
		{"X where a digit belongs", "50022419800102100X", "check character"},
		{"digit where X belongs", "110105194912310020", "check character"},
		{"letter inside", "5002241980A1021003", "digits"},
		{"space inside", "500224 98001021003", "digits"},
		{"bad last character", "50022419800102100Y", "last character"},
		{"February 30", coreID(t, "50022419800230100"), "birth date"},
		{"February 29 in a common year", coreID(t, "50022419810229100"), "birth date"},
		{"month 13", coreID(t, "50022419801301100"), "birth date"},
		{"month 00", coreID(t, "50022419800001100"), "birth date"},
		{"day 32", coreID(t, "50022419800132100"), "birth date"},
		{"born before 1900", coreID(t, "50022418991231100"), "birth date"},
		{"born in the future", coreID(t, "500224"+future+"100"), "birth date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := domain.ParseNationalID(tt.raw)
			if err == nil {
				t.Fatalf("ParseNationalID(%q) = %q, want an error", tt.raw, id)
			}
			coreWantField(t, err, "nationalId")
			if !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("ParseNationalID(%q): error %q, want it to mention %q", tt.raw, err, tt.reason)
			}
		})
	}
}

func TestCoreNationalIDBirthDate(t *testing.T) {
	id, err := domain.ParseNationalID("11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := id.BirthDate(), coreDate(1949, time.December, 31); !got.Equal(want) {
		t.Fatalf("BirthDate() = %v, want %v", got, want)
	}
}

func TestCoreNationalIDMasked(t *testing.T) {
	tests := []struct {
		raw  string
		want string
	}{
		{"50022419800102137X", "500224********137X"},
		{"500224198001021003", "500224********1003"},
		{"11010519491231002x", "110105********002X"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			id, err := domain.ParseNationalID(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			got := id.Masked()
			if got != tt.want {
				t.Fatalf("Masked() = %q, want %q", got, tt.want)
			}
			// The birth date is the sensitive middle: it must never show.
			if strings.Contains(got, string(id)[6:14]) {
				t.Fatalf("Masked() = %q leaks the birth date", got)
			}
		})
	}
}

func TestCoreMaskNationalIDShortInput(t *testing.T) {
	// Garbage shorter than the visible parts must not be echoed back.
	for _, s := range []string{"", "123", "123456789"} {
		if got := domain.MaskNationalID(s); got != strings.Repeat("*", len(s)) {
			t.Errorf("MaskNationalID(%q) = %q, want all stars", s, got)
		}
	}
}

func TestCoreMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"02312345678", "023****5678"},
		{"075512345678", "075*****5678"},
		{"6123456", "***3456"},
		{"61234567", "****4567"},
		{"123456", "******"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := domain.MaskPhone(tt.in); got != tt.want {
				t.Fatalf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCoreParsePhone(t *testing.T) {
	good := []struct{ in, want string }{
		{"13812345678", "13812345678"},
		{" 13812345678 ", "13812345678"},
		{"+8613812345678", "13812345678"},
		{"138-1234-5678", "13812345678"},
		{"023-6123-4567", "02361234567"},
		{"010-12345678", "01012345678"},
		{"0755-12345678", "075512345678"},
		{"6123456", "6123456"},
	}
	for _, tt := range good {
		t.Run("ok "+tt.in, func(t *testing.T) {
			got, err := domain.ParsePhone(tt.in)
			if err != nil {
				t.Fatalf("ParsePhone(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParsePhone(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	bad := []string{
		"",
		"123456",           // too short
		"1234567890123456", // too long
		"1381234567a",
		"138 1234 5678",
		"23812345678", // 11 digits, neither mobile nor area-coded landline
		"+86",
	}
	for _, in := range bad {
		t.Run("bad "+in, func(t *testing.T) {
			got, err := domain.ParsePhone(in)
			if err == nil {
				t.Fatalf("ParsePhone(%q) = %q, want an error", in, got)
			}
			coreWantField(t, err, "phone")
		})
	}
}
