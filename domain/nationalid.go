package domain

import (
	"strings"
	"time"
)

// NationalID is a validated 18-character resident identity number
// (居民身份证号, GB 11643-1999). It is personal data: never log it.
type NationalID string

var nationalIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const nationalIDCheckChars = "10X98765432"

// ParseNationalID checks length, digits, the ISO 7064 MOD 11-2 check character
// and the birth date. A lowercase x is accepted and normalised to X.
func ParseNationalID(raw string) (NationalID, error) {
	s := strings.ToUpper(strings.TrimSpace(raw))
	if len(s) != 18 {
		return "", Invalid("nationalId", "must be 18 characters")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return "", Invalid("nationalId", "first 17 characters must be digits")
		}
		sum += int(c-'0') * nationalIDWeights[i]
	}
	last := s[17]
	if (last < '0' || last > '9') && last != 'X' {
		return "", Invalid("nationalId", "last character must be a digit or X")
	}
	if nationalIDCheckChars[sum%11] != last {
		return "", Invalid("nationalId", "check character does not match")
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil {
		return "", Invalid("nationalId", "birth date is not a valid date")
	}
	if birth.Year() < 1900 || birth.After(time.Now()) {
		return "", Invalid("nationalId", "birth date is out of range")
	}
	return NationalID(s), nil
}

// BirthDate is the date encoded in characters 7–14.
func (id NationalID) BirthDate() time.Time {
	t, _ := time.Parse("20060102", string(id)[6:14])
	return t
}

// Masked shows the first 6 and last 4 characters only.
func (id NationalID) Masked() string { return MaskNationalID(string(id)) }

// MaskNationalID masks any identity-like string to first 6 + last 4.
func MaskNationalID(s string) string {
	if len(s) < 10 {
		return strings.Repeat("*", len(s))
	}
	return s[:6] + strings.Repeat("*", len(s)-10) + s[len(s)-4:]
}

// MaskPhone keeps the first 3 and last 4 digits of a phone number. Shorter
// numbers (local landlines) keep only the last 4, since 3+4 would show all of
// a 7-digit number.
func MaskPhone(p string) string {
	if len(p) < 7 {
		return strings.Repeat("*", len(p))
	}
	if len(p) < 11 {
		return strings.Repeat("*", len(p)-4) + p[len(p)-4:]
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// ParsePhone accepts a mainland mobile number (11 digits starting with 1)
// or a landline of 7–15 digits with optional dashes.
func ParsePhone(raw string) (string, error) {
	s := strings.ReplaceAll(strings.TrimSpace(raw), "-", "")
	s = strings.TrimPrefix(s, "+86")
	if len(s) < 7 || len(s) > 15 {
		return "", Invalid("phone", "must have 7 to 15 digits")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", Invalid("phone", "must contain digits only")
		}
	}
	// 11 digits is a mobile (1…) or an area-coded landline (0…, e.g. 010-12345678).
	if len(s) == 11 && s[0] != '1' && s[0] != '0' {
		return "", Invalid("phone", "mobile numbers start with 1")
	}
	return s, nil
}

// CompleteNationalID appends the check character to 17 digits. Demo data and
// tests use it to make valid identity numbers.
func CompleteNationalID(first17 string) (NationalID, error) {
	if len(first17) != 17 {
		return "", Invalid("nationalId", "need 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return "", Invalid("nationalId", "need 17 digits")
		}
		sum += int(c-'0') * nationalIDWeights[i]
	}
	return ParseNationalID(first17 + string(nationalIDCheckChars[sum%11]))
}
