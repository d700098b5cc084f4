package domain

import "fmt"

// MaxMatchUnits bounds the units one match may list.
const MaxMatchUnits = 50

func validateUnitCodes(v *ValidationError, codes []string, path string) {
	if len(codes) > MaxMatchUnits {
		v.AddCode(path, ProblemTooLong, map[string]any{"max": MaxMatchUnits}, fmt.Sprintf("at most %d units", MaxMatchUnits))
		return
	}
	seen := map[string]bool{}
	for i, c := range codes {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case c != NormalizeUnitCode(c) || !validUnitCode(c):
			v.AddCode(p, ProblemFormat, nil, "must be a unit code (upper case letters, digits, - . _)")
		case seen[c]:
			v.AddCode(p, ProblemListedTwice, nil, "listed twice")
		}
		seen[c] = true
	}
}

func validateNoticeAndRuleCap(v *ValidationError, r Rule) {
	if r.CapPerYear != 0 {
		if r.Award.Mode == "" {
			v.AddCode("capPerYear", ProblemNeeds, map[string]any{"other": "award.mode"}, "a yearly cap needs an award")
		}
		checkHalfCredits(v, "capPerYear", r.CapPerYear, 0, 1000, false)
	}
	switch {
	case r.NoticeDays < 0 || r.NoticeDays > MaxNoticeDays:
		v.AddCode("noticeDays", ProblemBetween, map[string]any{"min": 0, "max": MaxNoticeDays}, fmt.Sprintf("must be between 0 and %d", MaxNoticeDays))
	case r.NoticeDays > 0 && r.Approval != ApprovalManual:
		// A public notice precedes a reviewer's decision taking effect;
		// an automatic approval has no one to answer an objection.
		v.AddCode("noticeDays", ProblemNeeds, map[string]any{"other": "approval", "value": "manual"}, "a notice period needs manual approval")
	}
}

// NormalizedUnitCodes is how rule input spells units: trimmed, upper case.
func NormalizedUnitCodes(codes []string) []string {
	if len(codes) == 0 {
		return nil
	}
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = NormalizeUnitCode(c)
	}
	return out
}
