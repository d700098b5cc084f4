package auth

import (
	"errors"
	"strings"
	"testing"

	"creditbank/domain"
)

func TestCheckNewPassword(t *testing.T) {
	const nationalID = "11010519850301018X"
	for _, tc := range []struct {
		name, password string
		ids            []string
		reason         string // "" when accepted
	}{
		{"a good one", "lantern-field-7", []string{"kate.li"}, ""},
		{"too short", "short-1", nil, "10 to 128"},
		{"most common of ten characters", "1234567890", nil, "most common"},
		{"common, other case", "QWERTYUIOP", nil, "most common"},
		{"common, full-width", "ｐａｓｓｗｏｒｄ１２３", nil, "most common"},
		{"the username", "kate.li.kate.li", []string{"kate.li.kate.li"}, "username or national ID"},
		{"the username, other case", "Staff.Member", []string{"staff.member"}, "username or national ID"},
		{"the username, a year added", "staff.member2024", []string{"staff.member"}, "username or national ID"},
		{"the username reversed", "rebmem.ffats", []string{"staff.member"}, "username or national ID"},
		{"the national ID", nationalID, []string{nationalID}, "username or national ID"},
		{"the national ID, lower-case x", strings.ToLower(nationalID), []string{nationalID}, "username or national ID"},
		{"the national ID with a suffix", nationalID + "!!ab", []string{nationalID}, "username or national ID"},
		{"a username inside a longer password", "demo-admin-2026", []string{"admin"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckNewPassword("newPassword", tc.password, tc.ids...)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "newPassword" ||
				!strings.Contains(ve.Problems[0].Reason, tc.reason) {
				t.Fatalf("got %v, want a problem with newPassword saying %q", err, tc.reason)
			}
		})
	}
}

// Every line of the embedded list is refused, so the list is really read.
func TestEveryCommonPasswordIsRefused(t *testing.T) {
	lines := strings.Fields(commonPasswordList)
	if len(lines) < 9_900 || len(commonPasswords()) < 9_900 {
		t.Fatalf("the list holds %d lines, %d distinct", len(lines), len(commonPasswords()))
	}
	refused := 0
	for _, p := range lines {
		if len(p) >= 10 && CheckNewPassword("password", p) != nil {
			refused++
		} else if len(p) >= 10 {
			t.Fatalf("%q was accepted", p)
		}
	}
	if refused == 0 {
		t.Fatal("no line of the list is long enough to test")
	}
}
