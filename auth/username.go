package auth

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"creditbank/domain"
)

// maxUsernameLen bounds a sign-in name kept as a throttle key. Staff names
// are at most 32 characters and national IDs 18.
const maxUsernameLen = 64

// CanonicalUsername is the one form of a sign-in name: the login throttle
// keys on it, the lookup finds the user by it and staff are registered
// under it, so no spelling of a name reaches the user through a bucket of
// its own. NFKC first (full-width digits, the Kelvin sign K becomes K);
// then a national ID in its canonical form (a final x becomes X), or else
// an ASCII name in lower case. Anything else names no one and is refused:
// case mapping outside ASCII is where spellings collide (İ lower-cases to
// i plus a combining dot, and strings.ToUpper and strings.ToLower disagree
// on which names are equal).
func CanonicalUsername(raw string) (string, bool) {
	s := strings.TrimSpace(norm.NFKC.String(raw))
	if s == "" || len(s) > maxUsernameLen {
		return "", false
	}
	if id, err := domain.ParseNationalID(s); err == nil {
		return string(id), true
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return strings.ToLower(s), true
}
