package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"creditbank/domain"
)

// FuzzParseNationalID: any input either fails with a validation error or
// yields a canonical ID that re-parses to itself, carries a correct check
// character and a plausible birth date, and masks to first 6 + last 4.
func FuzzParseNationalID(f *testing.F) {
	for _, seed := range []string{
		"11010519491231002X", "11010519491231002x", " 11010519491231002X\n", "110105194912310021",
		"", "X", "11010519491331002X", "11010500000000002X", "11010529991231002X", "1101051949123100２X",
		"110105-1949123-1002X", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002XX", "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
		"11010518991231002X", "110105200002290021", "110105190002290021", "ǅǅǅǅǅǅǅǅǅ",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := domain.ParseNationalID(raw)
		if err != nil {
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("%q: error is not a validation error: %v", raw, err)
			}
			if id != "" {
				t.Fatalf("%q: error with a value %q", raw, id)
			}
			return
		}
		s := string(id)
		if len(s) != 18 || !utf8.ValidString(s) || strings.ToUpper(s) != s {
			t.Fatalf("%q: parsed to non-canonical %q", raw, s)
		}
		again, err := domain.ParseNationalID(s)
		if err != nil || again != id {
			t.Fatalf("%q: canonical form %q does not re-parse (%v)", raw, s, err)
		}
		if completed, err := domain.CompleteNationalID(s[:17]); err != nil || completed != id {
			t.Fatalf("%q: check character of %q disagrees with CompleteNationalID (%q, %v)", raw, s, completed, err)
		}
		birth := id.BirthDate()
		if birth.IsZero() || birth.Year() < 1900 || birth.After(time.Now()) {
			t.Fatalf("%q: birth date %v", raw, birth)
		}
		m := id.Masked()
		if len(m) != 18 || m[:6] != s[:6] || m[14:] != s[14:] || strings.Trim(m[6:14], "*") != "" {
			t.Fatalf("%q: masked %q reveals too much or too little", raw, m)
		}
	})
}
