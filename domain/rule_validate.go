package domain

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Bounds on a rule's condition. They keep both validation and evaluation
// cheap enough to run over every account in a simulation.
const (
	MaxRuleDepth = 8
	MaxRuleItems = 100
	// MaxSumRatio is 1: a conversion never grants more credits than the
	// outcomes it uses carry, so credits cannot be multiplied by converting.
	MaxSumRatio = 1.0
)

var ruleCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{1,31}$`)

// Validate checks the whole rule and reports every problem at once, each named
// by its JSON path as the API shows it (e.g. "condition.items[2].n"). Items of
// a group are addressed directly: a nested group's fields follow its index
// ("condition.items[0].items[1].category"), because in JSON an item is either
// a group or a match, not a wrapper around one.
func (r Rule) Validate() error {
	v := &ValidationError{}
	if !ruleCodePattern.MatchString(r.Code) {
		v.AddCode("code", ProblemFormat, nil, "must be 2–32 characters of A–Z, 0–9, _ or -, starting with a letter or digit")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Name)); n == 0 || n > 100 {
		v.AddCode("name", requiredOrLong(n), map[string]any{"max": 100}, "required, at most 100 characters")
	} else {
		checkPlainText(v, "name", r.Name)
	}
	if utf8.RuneCountInString(r.Description) > 2000 {
		v.AddCode("description", ProblemTooLong, map[string]any{"max": 2000}, "at most 2000 characters")
	}
	if r.InstitutionID == uuid.Nil {
		v.AddCode("institutionId", ProblemRequired, nil, "required")
	}
	switch r.Purpose {
	case PurposeExemption:
		if strings.TrimSpace(r.Target.CourseCode) == "" {
			v.AddCode("target.courseCode", ProblemRequired, nil, "required for an exemption rule: the course it exempts")
		}
	case PurposeAdmission:
		if strings.TrimSpace(r.Target.ProgramCode) == "" {
			v.AddCode("target.programCode", ProblemRequired, nil, "required for an admission rule: the programme it admits to")
		}
	case PurposeCredit:
	default:
		v.AddCode("purpose", ProblemOneOf, nil, "must be one of exemption, admission, credit")
	}
	validateTarget(v, r.Target)
	switch r.Approval {
	case ApprovalAuto, ApprovalManual:
	default:
		v.AddCode("approval", ProblemOneOf, nil, "must be one of auto, manual")
	}
	gv := groupValidator{v: v}
	gv.group(r.Condition, "condition", 1)
	if gv.items > MaxRuleItems {
		v.AddCode("condition", ProblemTooLong, map[string]any{"max": MaxRuleItems}, fmt.Sprintf("at most %d items in total", MaxRuleItems))
	}
	checkHalfCredits(v, "minTotalCredits", r.MinTotalCredits, 0, 1000, true)
	validateAward(v, r)
	validateCaps(v, r)
	validateNoticeAndRuleCap(v, r)
	if r.EffectiveFrom.IsZero() {
		v.AddCode("effectiveFrom", ProblemRequired, nil, "required")
	} else if r.EffectiveTo != nil && !r.EffectiveTo.After(r.EffectiveFrom) {
		v.AddCode("effectiveTo", ProblemAfter, map[string]any{"other": "effectiveFrom"}, "must be after effectiveFrom")
	}
	return v.Err()
}

func validateTarget(v *ValidationError, t RuleTarget) {
	if utf8.RuneCountInString(t.CourseCode) > 64 {
		v.AddCode("target.courseCode", ProblemTooLong, map[string]any{"max": 64}, "at most 64 characters")
	}
	if utf8.RuneCountInString(t.ProgramCode) > 64 {
		v.AddCode("target.programCode", ProblemTooLong, map[string]any{"max": 64}, "at most 64 characters")
	}
	checkHalfCredits(v, "target.credits", t.Credits, 0, MaxOutcomeCredits, true)
}

func validateAward(v *ValidationError, r Rule) {
	a := r.Award
	switch a.Mode {
	case AwardFixed:
		checkHalfCredits(v, "award.credits", a.Credits, 0, MaxOutcomeCredits, false)
		if a.Ratio != 0 {
			v.AddCode("award.ratio", ProblemOnlyWith, map[string]any{"other": "award.mode", "value": "sum"}, "only for mode sum")
		}
	case AwardSum:
		if !(a.Ratio > 0 && a.Ratio <= MaxSumRatio) {
			v.AddCode("award.ratio", ProblemBetween, map[string]any{"min": 0, "max": MaxSumRatio}, "must be > 0 and ≤ 1")
		}
		if a.Credits != 0 {
			v.AddCode("award.credits", ProblemOnlyWith, map[string]any{"other": "award.mode", "value": "fixed"}, "only for mode fixed")
		}
	case "":
		// Admission grants eligibility, not credits, so it may award nothing.
		if r.Purpose != PurposeAdmission {
			v.AddCode("award.mode", ProblemRequired, nil, "required: fixed or sum")
		} else if a.Credits != 0 || a.Ratio != 0 {
			v.AddCode("award.mode", ProblemRequired, nil, "required when credits or ratio is given")
		}
	default:
		v.AddCode("award.mode", ProblemOneOf, nil, "must be one of fixed, sum")
	}
}

func validateCaps(v *ValidationError, r Rule) {
	if len(r.Caps) > 0 && r.Award.Mode == "" {
		v.AddCode("caps", ProblemNeeds, map[string]any{"other": "award.mode"}, "caps need an award")
	}
	seen := map[CapScope]bool{}
	for i, c := range r.Caps {
		p := fmt.Sprintf("caps[%d]", i)
		switch c.Scope {
		case CapPerYear, CapLifetime:
			if seen[c.Scope] {
				v.AddCode(p+".scope", ProblemListedTwice, nil, "only one cap per scope")
			}
			seen[c.Scope] = true
		default:
			v.AddCode(p+".scope", ProblemOneOf, nil, "must be one of per_year, lifetime")
		}
		checkHalfCredits(v, p+".maxCredits", c.MaxCredits, 0, 1000, false)
	}
}

// checkHalfCredits checks a credit amount: within (lo, hi] (or [lo, hi] when
// zeroOK) and in half-credit steps like every amount in the bank.
func checkHalfCredits(v *ValidationError, field string, x, lo, hi float64, zeroOK bool) {
	switch {
	case zeroOK && x == 0:
	case x < 0:
		v.AddCode(field, ProblemNegative, nil, "must not be negative")
	case x <= lo:
		v.AddCode(field, ProblemGreaterThan, map[string]any{"min": lo}, fmt.Sprintf("must be > %s", num(lo)))
	case x > hi:
		v.AddCode(field, ProblemAtMost, map[string]any{"max": hi}, fmt.Sprintf("must be ≤ %s", num(hi)))
	case x*2 != float64(int64(x*2)):
		v.AddCode(field, ProblemHalfStep, nil, "must be a multiple of 0.5")
	}
}

type groupValidator struct {
	v     *ValidationError
	items int
}

func (gv *groupValidator) group(g Group, path string, depth int) {
	v := gv.v
	if depth > MaxRuleDepth {
		v.AddCode(path, ProblemTooDeep, map[string]any{"max": MaxRuleDepth}, fmt.Sprintf("groups nest at most %d levels deep", MaxRuleDepth))
		return
	}
	switch g.Op {
	case OpAll, OpAny:
		if g.N != 0 {
			v.AddCode(path+".n", ProblemOnlyWith, map[string]any{"other": "op", "value": "n_of"}, "only for op n_of")
		}
	case OpNOf:
		if g.N < 1 {
			v.AddCode(path+".n", ProblemAtLeast, map[string]any{"min": 1}, "must be ≥ 1")
		} else if g.N > len(g.Items) {
			v.AddCode(path+".n", ProblemAtMost, map[string]any{"max": len(g.Items)}, fmt.Sprintf("must be ≤ %d", len(g.Items)))
		}
	default:
		v.AddCode(path+".op", ProblemOneOf, nil, "must be one of all, any, n_of")
	}
	if len(g.Items) == 0 {
		v.AddCode(path+".items", ProblemRequired, nil, "must not be empty")
	}
	for i, it := range g.Items {
		gv.items++
		if gv.items > MaxRuleItems {
			// Counting stops here; Validate reports the total once.
			return
		}
		p := fmt.Sprintf("%s.items[%d]", path, i)
		switch {
		case (it.Group == nil) == (it.Match == nil):
			v.AddCode(p, ProblemGroupOrMatch, nil, "must be exactly one of a group (op, items) or a match")
		case it.Group != nil:
			gv.group(*it.Group, p, depth+1)
		default:
			validateMatch(v, *it.Match, p)
		}
	}
}

func validateMatch(v *ValidationError, m Match, path string) {
	if m.constraints() == 0 {
		v.AddCode(path, ProblemEmptyMatch, nil, "a match needs at least one constraint")
	}
	if m.Category != "" {
		if _, err := ParseCategory(string(m.Category)); err != nil {
			v.AddCode(path+".category", ProblemOneOf, nil, "must be one of academic, vocational, certificate, community, senior, online, other")
		}
	}
	if len(m.IssuerIDs) > 50 {
		v.AddCode(path+".issuerIds", ProblemTooLong, map[string]any{"max": 50}, "at most 50 institutions")
	}
	for i, id := range m.IssuerIDs {
		if id == uuid.Nil {
			v.AddCode(fmt.Sprintf("%s.issuerIds[%d]", path, i), ProblemFormat, nil, "must be an institution id")
		}
	}
	if utf8.RuneCountInString(m.CourseCode) > 64 {
		v.AddCode(path+".courseCode", ProblemTooLong, map[string]any{"max": 64}, "at most 64 characters")
	}
	if utf8.RuneCountInString(m.TitleContains) > 100 {
		v.AddCode(path+".titleContains", ProblemTooLong, map[string]any{"max": 100}, "at most 100 characters")
	}
	checkRange(v, path+".minLevel", float64(m.MinLevel), 10)
	checkRange(v, path+".minScore", m.MinScore, 100)
	checkRange(v, path+".minCredits", m.MinCredits, MaxOutcomeCredits)
	checkRange(v, path+".minHours", m.MinHours, MaxOutcomeHours)
	checkRange(v, path+".maxAgeYears", float64(m.MaxAgeYears), 100)
	validateUnitCodes(v, m.UnitCodes, path+".unitCodes")
}

// requiredOrLong tells an empty text from an overlong one.
func requiredOrLong(n int) string {
	if n == 0 {
		return ProblemRequired
	}
	return ProblemTooLong
}

func checkRange(v *ValidationError, field string, x, hi float64) {
	if x < 0 {
		v.AddCode(field, ProblemNegative, nil, "must not be negative")
	} else if x > hi {
		v.AddCode(field, ProblemAtMost, map[string]any{"max": hi}, fmt.Sprintf("must be ≤ %s", num(hi)))
	}
}
