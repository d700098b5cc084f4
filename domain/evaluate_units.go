package domain

import (
	"strings"

	"github.com/google/uuid"
)

// Duplicate detection (学分银行的重复认定检查): one learner's unit, or course
// of one issuer, counts towards credits at a converting institution once.
// An outcome whose unit or course a live conversion at the rule's
// institution already awarded credits for is not a candidate of a rule that
// awards credits; nor is a second outcome of a unit another candidate
// already certifies (the same unit taken twice). Rules that award nothing
// (admission eligibility) may rely on anything.

// countedKey is what an outcome counts as: its unit, or else its issuer's
// course; "" when it names neither.
func countedKey(o Outcome) string {
	if o.UnitCode != "" {
		return "unit:" + o.UnitCode
	}
	if c := strings.TrimSpace(o.CourseCode); c != "" {
		return "course:" + o.IssuerID.String() + ":" + strings.ToUpper(c)
	}
	return ""
}

// countedCode is the unit or course code a key stands for.
func countedCode(o Outcome) string {
	if o.UnitCode != "" {
		return o.UnitCode
	}
	return strings.TrimSpace(o.CourseCode)
}

// countedLabel names a key's unit or course for the trace.
func countedLabel(o Outcome) string {
	if o.UnitCode != "" {
		return "认证单元 " + o.UnitCode
	}
	return "课程 " + strings.TrimSpace(o.CourseCode)
}

// countedAt maps the keys that live conversions at the rule's institution
// awarded credits for to the conversion that did.
func (e *evalRun) countedAt() map[string]*Conversion {
	if e.rule.Award.Mode == "" {
		return nil
	}
	var byID map[uuid.UUID]*Outcome
	var out map[string]*Conversion
	for i := range e.acc.Conversions {
		c := &e.acc.Conversions[i]
		if c.ID == e.ignore || !c.Live() || c.InstitutionID != e.rule.InstitutionID || c.Evaluation.AwardedCredits <= 0 {
			continue
		}
		if byID == nil {
			byID = make(map[uuid.UUID]*Outcome, len(e.acc.Outcomes))
			for j := range e.acc.Outcomes {
				byID[e.acc.Outcomes[j].ID] = &e.acc.Outcomes[j]
			}
		}
		for _, u := range c.Evaluation.Used {
			o, ok := byID[u.OutcomeID]
			if !ok {
				continue
			}
			if k := countedKey(*o); k != "" {
				if out == nil {
					out = map[string]*Conversion{}
				}
				if _, seen := out[k]; !seen {
					out[k] = c
				}
			}
		}
	}
	return out
}

// awardedByRule sums what live conversions of this rule (any version)
// awarded in now's calendar year, for the rule's own yearly cap.
func (e *evalRun) awardedByRule() float64 {
	year := e.now.In(DistrictZone).Year()
	total := 0.0
	for _, c := range e.acc.Conversions {
		if c.ID == e.ignore || !c.Live() || c.RuleCode != e.rule.Code || c.InstitutionID != e.rule.InstitutionID {
			continue
		}
		at := c.AppliedAt
		if c.DecidedAt != nil {
			at = *c.DecidedAt
		}
		if at.In(DistrictZone).Year() != year {
			continue
		}
		total += c.Evaluation.AwardedCredits
	}
	return total
}

// applyRuleCap limits the award to what the rule's own yearly cap leaves.
func (e *evalRun) applyRuleCap(award float64) (float64, bool) {
	got := e.awardedByRule()
	left := FloorHalf(e.rule.CapPerYear - got)
	year := e.now.In(DistrictZone).Year()
	f := func(form string) *StepFacts {
		return &StepFacts{Form: form, Rule: e.rule.Name, Year: year, Got: got, Max: e.rule.CapPerYear, Left: left, From: award, Credits: min(award, max(left, 0))}
	}
	switch {
	case left <= 0:
		e.step("cap.rule_per_year", f("reached"), "本规则「%s」%d 年度已授予 %s 学分，已达本规则年度上限 %s 学分", e.rule.Name, year, num(got), num(e.rule.CapPerYear))
		return 0, false
	case award > left:
		e.step("cap.rule_per_year", f("reduced"), "本规则「%s」%d 年度已授予 %s 学分，本规则年度上限 %s 学分，剩余 %s 学分：授予由 %s 减为 %s 学分",
			e.rule.Name, year, num(got), num(e.rule.CapPerYear), num(left), num(award), num(left))
		return left, true
	default:
		e.step("cap.rule_per_year", f("within"), "本规则「%s」%d 年度已授予 %s 学分，本次 %s 学分，未超过本规则年度上限 %s 学分",
			e.rule.Name, year, num(got), num(award), num(e.rule.CapPerYear))
		return award, true
	}
}
