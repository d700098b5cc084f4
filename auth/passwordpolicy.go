package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"creditbank/domain"
)

// commonPasswordList is the 10 000 most common passwords, one a line
// (commonpasswords/README.md says where it comes from).
//
//go:embed commonpasswords/top10000.txt
var commonPasswordList string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10_000)
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			set[strings.ToLower(line)] = struct{}{}
		}
	}
	return set
})

// maxAddedToIdentifier is how many letters or digits a password may add to
// a username or national ID and still count as a variant of it
// ("kate.li2024" for kate.li): guessing those is the first thing an
// attacker who knows the name tries.
const maxAddedToIdentifier = 4

// CheckNewPassword is the rule for a password being set: 10 to 128
// characters (domain.ValidatePassword), not one of the 10 000 most common
// passwords, and not one of identifiers (the username or national ID) or a
// trivial variant of it: another case, punctuation, reversed, or with a
// few characters added. Failures are validation errors naming field.
func CheckNewPassword(field, password string, identifiers ...string) error {
	if err := domain.ValidatePassword(password); err != nil {
		return domain.Invalid(field, "must be 10 to 128 characters")
	}
	if _, common := commonPasswords()[strings.ToLower(norm.NFKC.String(password))]; common {
		return domain.Invalid(field, "is one of the 10 000 most common passwords; choose one that is harder to guess")
	}
	p := foldForComparison(password)
	for _, id := range identifiers {
		if variantOf(p, foldForComparison(id)) {
			return domain.Invalid(field, "must not be your username or national ID, or a variant of it")
		}
	}
	return nil
}

// foldForComparison keeps only the letters and digits, in lower case,
// after NFKC.
func foldForComparison(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKC.String(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

func variantOf(password, id string) bool {
	if id == "" {
		return false
	}
	for _, form := range []string{id, reversed(id)} {
		if strings.Contains(password, form) && len(password)-len(form) <= maxAddedToIdentifier {
			return true
		}
	}
	return false
}

func reversed(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
