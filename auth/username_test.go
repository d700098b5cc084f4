package auth

import "testing"

func TestCanonicalUsername(t *testing.T) {
	for _, tc := range []struct {
		name, raw, want string
		ok              bool
	}{
		{"plain", "ou.registrar", "ou.registrar", true},
		{"case and spaces", "  OU.Registrar ", "ou.registrar", true},
		{"Kelvin sign is K", "\u212Aate", "kate", true},
		{"full-width letters", "ａｄｍｉｎ", "admin", true},
		{"dotted capital I is refused", "\u0130nstructor", "", false},
		{"dotless i is refused", "\u0131nstructor", "", false},
		{"Cyrillic a is refused", "\u0430dmin", "", false},
		{"national ID, lower-case x", "11010519850301018x", "11010519850301018X", true},
		{"national ID, full-width digits", "１１０１０５１９８５０３０１０１８ｘ", "11010519850301018X", true},
		{"empty", "   ", "", false},
		{"too long", string(make([]byte, 65)), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := CanonicalUsername(tc.raw)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("CanonicalUsername(%q) = %q, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
			}
		})
	}
}
