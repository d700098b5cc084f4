package domain

import "strings"

// plainTextProblem says why s cannot be shown as a person's or an
// institution's name or as a title, or "" when it can. Output is escaped
// everywhere, but markup and invisible characters stored in a record end up
// in printed transcripts, credentials and other systems' screens, where a
// right-to-left override can make "rcs.exe" read as another word and a
// control character breaks a CSV cell.
func plainTextProblem(s string) string {
	if strings.ContainsAny(s, "<>") {
		return "must not contain markup (< or >)"
	}
	for _, r := range s {
		switch {
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return "must not contain control characters"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return "must not contain text-direction override characters"
		}
	}
	return ""
}

// checkPlainText adds field's problem to v, if any.
func checkPlainText(v *ValidationError, field, s string) {
	if p := plainTextProblem(s); p != "" {
		v.Add(field, p)
	}
}
