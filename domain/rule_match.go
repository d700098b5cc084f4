package domain

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// constraints counts the fields that actually constrain; a match without any
// would accept every outcome, which is never what a rule author means.
func (m Match) constraints() int {
	n := 0
	for _, set := range []bool{
		m.Category != "", len(m.IssuerIDs) > 0, strings.TrimSpace(m.CourseCode) != "",
		strings.TrimSpace(m.TitleContains) != "", m.MinLevel > 0, m.MinScore > 0,
		m.MinCredits > 0, m.MinHours > 0, m.MaxAgeYears > 0, len(m.UnitCodes) > 0,
	} {
		if set {
			n++
		}
	}
	return n
}

// Accepts reports whether an outcome satisfies every constraint of the match
// at now. Candidate filtering (revoked, expired, exclusively used) is not its
// concern. It is mismatch without composing the explanation, because rule
// evaluation and pathway suggestions test thousands of outcomes and courses
// per request; TestAcceptsAgreesWithMismatch keeps the two in step.
func (m Match) Accepts(o Outcome, now time.Time) bool {
	switch {
	case m.Category != "" && o.Category != m.Category:
		return false
	case len(m.IssuerIDs) > 0 && !slices.Contains(m.IssuerIDs, o.IssuerID):
		return false
	case m.MinLevel > 0 && o.Level < m.MinLevel:
		return false
	case m.MinScore > 0 && o.Result.ScoreValue() < m.MinScore:
		return false
	case m.MinCredits > 0 && o.Credits < m.MinCredits:
		return false
	case m.MinHours > 0 && o.Hours < m.MinHours:
		return false
	case m.MaxAgeYears > 0 && DateOf(o.CompletedOn).Before(DateOf(now).AddDate(-m.MaxAgeYears, 0, 0)):
		return false
	case len(m.UnitCodes) > 0 && !slices.Contains(m.UnitCodes, o.UnitCode):
		return false
	}
	if c := strings.TrimSpace(m.CourseCode); c != "" && !strings.EqualFold(strings.TrimSpace(o.CourseCode), c) {
		return false
	}
	if t := strings.TrimSpace(m.TitleContains); t != "" && !strings.Contains(strings.ToLower(o.Title), strings.ToLower(t)) {
		return false
	}
	return true
}

// mismatch names, in Chinese for the trace, the first constraint the outcome
// fails, or returns "" when it matches. Category comes first so that a trace
// can tell "wrong kind of outcome" from "right kind, not good enough".
func (m Match) mismatch(o Outcome, now time.Time) string {
	field, have, want := m.mismatchOf(o, now)
	switch field {
	case "category":
		return fmt.Sprintf("类别为 %s，不是 %s", have, want)
	case "issuer":
		return "颁发机构不在指定范围内"
	case "unit":
		if have == "" {
			return "未对应认证单元，要求 " + want
		}
		return fmt.Sprintf("认证单元为 %s，要求 %s", have, want)
	case "course":
		return fmt.Sprintf("课程代码为 %q，要求 %q", have, want)
	case "title":
		return fmt.Sprintf("名称不含「%s」", want)
	case "level":
		return fmt.Sprintf("等级 %s 低于 %s", have, want)
	case "score":
		return fmt.Sprintf("成绩 %s 低于 %s", have, want)
	case "credits":
		return fmt.Sprintf("学分 %s 低于 %s", have, want)
	case "hours":
		return fmt.Sprintf("学时 %s 低于 %s", have, want)
	case "age":
		return fmt.Sprintf("完成于 %s，已超过 %s 年", have, want)
	}
	return ""
}

// mismatchOf names the first requirement o fails (see NearMiss), what o has
// and what the match wants; "" when o is accepted.
func (m Match) mismatchOf(o Outcome, now time.Time) (field, have, want string) {
	switch {
	case m.Category != "" && o.Category != m.Category:
		return "category", string(o.Category), string(m.Category)
	case len(m.IssuerIDs) > 0 && !slices.Contains(m.IssuerIDs, o.IssuerID):
		return "issuer", "", ""
	case len(m.UnitCodes) > 0 && !slices.Contains(m.UnitCodes, o.UnitCode):
		return "unit", o.UnitCode, strings.Join(m.UnitCodes, "、")
	case strings.TrimSpace(m.CourseCode) != "" && !strings.EqualFold(strings.TrimSpace(o.CourseCode), strings.TrimSpace(m.CourseCode)):
		return "course", o.CourseCode, strings.TrimSpace(m.CourseCode)
	case strings.TrimSpace(m.TitleContains) != "" &&
		!strings.Contains(strings.ToLower(o.Title), strings.ToLower(strings.TrimSpace(m.TitleContains))):
		return "title", "", strings.TrimSpace(m.TitleContains)
	case m.MinLevel > 0 && o.Level < m.MinLevel:
		return "level", strconv.Itoa(o.Level), strconv.Itoa(m.MinLevel)
	case m.MinScore > 0 && o.Result.ScoreValue() < m.MinScore:
		return "score", num(o.Result.ScoreValue()), num(m.MinScore)
	case m.MinCredits > 0 && o.Credits < m.MinCredits:
		return "credits", num(o.Credits), num(m.MinCredits)
	case m.MinHours > 0 && o.Hours < m.MinHours:
		return "hours", num(o.Hours), num(m.MinHours)
	case m.MaxAgeYears > 0 && DateOf(o.CompletedOn).Before(DateOf(now).AddDate(-m.MaxAgeYears, 0, 0)):
		return "age", o.CompletedOn.Format("2006-01-02"), strconv.Itoa(m.MaxAgeYears)
	}
	return "", "", ""
}

// describe renders the match's constraints for the trace.
func (m Match) describe() string {
	var parts []string
	if m.Category != "" {
		parts = append(parts, fmt.Sprintf("%s 类（%s）", m.Category, m.Category.NameZH()))
	}
	if len(m.IssuerIDs) == 1 {
		parts = append(parts, "指定颁发机构")
	} else if len(m.IssuerIDs) > 1 {
		parts = append(parts, fmt.Sprintf("%d 个指定颁发机构之一", len(m.IssuerIDs)))
	}
	if c := strings.TrimSpace(m.CourseCode); c != "" {
		parts = append(parts, "课程代码 "+c)
	}
	if len(m.UnitCodes) == 1 {
		parts = append(parts, "认证单元 "+m.UnitCodes[0])
	} else if len(m.UnitCodes) > 1 {
		parts = append(parts, "认证单元 "+strings.Join(m.UnitCodes, "、")+" 之一")
	}
	if t := strings.TrimSpace(m.TitleContains); t != "" {
		parts = append(parts, "名称含「"+t+"」")
	}
	if m.MinLevel > 0 {
		parts = append(parts, fmt.Sprintf("等级 ≥ %d", m.MinLevel))
	}
	if m.MinScore > 0 {
		parts = append(parts, "成绩 ≥ "+num(m.MinScore))
	}
	if m.MinCredits > 0 {
		parts = append(parts, "学分 ≥ "+num(m.MinCredits))
	}
	if m.MinHours > 0 {
		parts = append(parts, "学时 ≥ "+num(m.MinHours))
	}
	if m.MaxAgeYears > 0 {
		parts = append(parts, fmt.Sprintf("近 %d 年内完成", m.MaxAgeYears))
	}
	return strings.Join(parts, "，")
}

// num formats a number the shortest exact way (2, 1.5, 0.75).
func num(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
