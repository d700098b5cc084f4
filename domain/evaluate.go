package domain

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Evaluate applies a rule to an account at now and explains the result. It is
// pure and deterministic: the same rule, account content and time give an
// identical Evaluation, whatever order the account stores its outcomes in.
//
// Candidates are the account's outcomes that are active, unexpired and
// completed on or before now; for an exclusive rule, outcomes used by another
// live exclusive conversion are not candidates either (a non-exclusive rule,
// such as admission eligibility, may still rely on them). Selection is
// described in evaluate_select.go. The award is fixed, or ratio × credits used
// rounded down to half credits; caps per account and converting institution
// (per_year: conversions decided, or applied if undecided, in now's calendar
// year, UTC; lifetime: all) reduce it to what remains, and nothing remaining
// means not eligible. Evaluate does not check the rule's status or effective
// period, so drafts can be previewed and simulated; Apply does.
func Evaluate(rule Rule, acc *Account, now time.Time) Evaluation {
	return evaluate(rule, acc, now, uuid.Nil)
}

// evaluate is Evaluate ignoring one conversion (uuid.Nil: none), so that a
// conversion in review is re-evaluated as if it did not hold its outcomes or
// count towards its own caps.
func evaluate(rule Rule, acc *Account, now time.Time, ignore uuid.UUID) Evaluation {
	e := &evalRun{rule: rule, now: now, ignore: ignore, acc: acc}
	if e.acc == nil {
		e.acc = &Account{}
	}
	return e.run()
}

type evalRun struct {
	rule   Rule
	acc    *Account
	now    time.Time
	ignore uuid.UUID
	cands  []Outcome
	trace  []TraceStep
	// root, target and have describe the compiled condition after run, so
	// that pathway suggestions work from the very evaluation they explain.
	root   *condNode
	target int
	have   int
	// sorted, when set, is the account's outcomes already in selection
	// order: pathways evaluate one account against many rules.
	sorted []Outcome
}

func (e *evalRun) step(code string, f *StepFacts, format string, args ...any) {
	e.trace = append(e.trace, TraceStep{Code: code, Message: fmt.Sprintf(format, args...), facts: f})
}

func (e *evalRun) fail(sf Shortfall) Evaluation {
	e.step("not_eligible", nil, "不符合条件。%s", sf.Message)
	return Evaluation{Trace: e.trace, Shortfall: &sf, EvaluatedAt: Now(e.now)}
}

func (e *evalRun) run() Evaluation {
	if err := e.rule.Validate(); err != nil {
		// An invalid rule has no bounded, meaningful evaluation.
		e.step("rule.invalid", nil, "规则无效：%s", err.Error())
		return e.fail(Shortfall{Message: "规则本身无效，无法评估", detail: &ShortfallDetail{Reason: ShortInvalidRule}})
	}
	e.collectCandidates()
	root := compile(e.rule.Condition, "condition", e.cands, e.now)
	target := halfUnitsUp(e.rule.MinTotalCredits)
	if e.rule.Award.Mode == AwardSum {
		// A ratio award must come to at least half a credit, which needs
		// ≥ 0.5/ratio credits of outcomes; fewer would be rounded to nothing.
		target = max(target, halfUnitsUp(0.5/e.rule.Award.Ratio))
	}
	sel := newSelector(root, e.cands, target)
	e.root, e.target, e.have = root, target, sel.maxUnits()
	best := sel.run()
	if best == nil {
		e.traceFeasibility(root)
		return e.fail(e.shortfall(root, sel, target))
	}
	return e.decide(root, best, target)
}

// collectCandidates sorts the account's outcomes into the selection order and
// keeps the usable ones, tracing why each other one is left out.
func (e *evalRun) collectCandidates() {
	held := map[uuid.UUID]*Conversion{}
	if e.rule.Exclusive {
		for i := range e.acc.Conversions {
			c := &e.acc.Conversions[i]
			if c.ID == e.ignore || !c.Live() || !c.Exclusive {
				continue
			}
			for _, u := range c.Evaluation.Used {
				if _, ok := held[u.OutcomeID]; !ok {
					held[u.OutcomeID] = c
				}
			}
		}
	}
	all := e.sorted
	if all == nil {
		all = append([]Outcome(nil), e.acc.Outcomes...)
		sortCandidates(all)
	}
	e.cands = make([]Outcome, 0, len(all))
	today := DateOf(e.now)
	total := 0.0
	counted := e.countedAt()
	var units map[string]Outcome
	if e.rule.Award.Mode != "" {
		units = map[string]Outcome{}
	}
	for _, o := range all {
		key := ""
		if len(counted) > 0 {
			// Built only when there is something to compare with: most
			// learners have no earlier conversion at the institution.
			key = countedKey(o)
		}
		switch {
		case o.Status != OutcomeActive:
			e.step("excluded.revoked", &StepFacts{Outcomes: []OutcomeRef{ref(o)}}, "「%s」已撤销，不能用于转换", o.Title)
		case !o.Counts(e.now):
			e.step("excluded.expired", &StepFacts{Outcomes: []OutcomeRef{ref(o)}, Date: o.ExpiresOn}, "「%s」已于 %s 过期，不能用于转换", o.Title, o.ExpiresOn.Format("2006-01-02"))
		case DateOf(o.CompletedOn).After(today):
			e.step("excluded.not_completed", &StepFacts{Outcomes: []OutcomeRef{ref(o)}, Date: &o.CompletedOn}, "「%s」完成日期 %s 晚于评估日期", o.Title, o.CompletedOn.Format("2006-01-02"))
		case held[o.ID] != nil:
			c := held[o.ID]
			e.step("excluded.exclusive", &StepFacts{Outcomes: []OutcomeRef{ref(o)}, Rule: c.RuleName}, "「%s」已被转换申请「%s」（%s）独占使用", o.Title, c.RuleName, c.RuleCode)
		case key != "" && counted[key] != nil:
			c := counted[key]
			e.step("excluded.duplicate", &StepFacts{Form: "counted", Outcomes: []OutcomeRef{ref(o)}, Rule: c.RuleName, Unit: countedCode(o)}, "「%s」的%s已在本机构的转换申请「%s」（%s）中认定过学分，同一单元或课程不重复认定", o.Title, countedLabel(o), c.RuleName, c.RuleCode)
		case units != nil && o.UnitCode != "" && units[o.UnitCode].Title != "":
			e.step("excluded.duplicate", &StepFacts{Form: "same_unit", Outcomes: []OutcomeRef{ref(o)}, Other: units[o.UnitCode].Title, Unit: o.UnitCode}, "「%s」与「%s」是同一认证单元 %s，只计一次", o.Title, units[o.UnitCode].Title, o.UnitCode)
		default:
			if units != nil && o.UnitCode != "" {
				units[o.UnitCode] = o
			}
			e.cands = append(e.cands, o)
			total += o.Credits
		}
	}
	e.step("candidates", &StepFacts{Count: len(e.cands), Credits: total}, "可用成果 %d 项，共 %s 学分", len(e.cands), num(total))
}

func ref(o Outcome) OutcomeRef {
	return OutcomeRef{Title: o.Title, Category: o.Category, Credits: o.Credits}
}

// decide turns a selection into the award, applying rounding and caps.
func (e *evalRun) decide(root *condNode, sel *selection, target int) Evaluation {
	ev := Evaluation{EvaluatedAt: Now(e.now)}
	for _, i := range sel.idx {
		o := e.cands[i]
		ev.Used = append(ev.Used, UsedOutcome{OutcomeID: o.ID, Title: o.Title, Category: o.Category, Credits: o.Credits})
	}
	ev.UsedCredits = float64(sel.units) / 2
	e.traceSelection(root, sel)
	if target > 0 {
		var extra []string
		var extraRefs []OutcomeRef
		for _, p := range sel.picks {
			if p.leaf == nil {
				extra = append(extra, "「"+e.cands[p.idx].Title+"」")
				extraRefs = append(extraRefs, e.outcomeRef(p.idx))
			}
		}
		msg := fmt.Sprintf("所用成果合计 %s 学分，达到要求的 %s 学分", num(ev.UsedCredits), num(float64(target)/2))
		if len(extra) > 0 {
			msg += "（为达到合计要求另用 " + joinZH(extra) + "）"
		}
		e.step("total.ok", &StepFacts{Credits: ev.UsedCredits, Required: float64(target) / 2, Outcomes: extraRefs}, "%s", msg)
	}
	award := 0.0
	switch e.rule.Award.Mode {
	case AwardFixed:
		award = e.rule.Award.Credits
		e.step("award.fixed", &StepFacts{Credits: award}, "固定授予 %s 学分", num(award))
	case AwardSum:
		raw := e.rule.Award.Ratio * ev.UsedCredits
		award = FloorHalf(raw)
		e.step("award.sum", &StepFacts{Ratio: e.rule.Award.Ratio, From: ev.UsedCredits, Raw: raw}, "按比例授予：%s × %s 学分 = %s 学分", num(e.rule.Award.Ratio), num(ev.UsedCredits), num(raw))
		if award != raw {
			e.step("round.half", &StepFacts{Raw: raw, Credits: award}, "按半学分向下取整：%s → %s 学分", num(raw), num(award))
		}
	default:
		e.step("award.none", nil, "本规则认定资格，不授予学分")
	}
	for _, c := range e.rule.Caps {
		var ok bool
		if award, ok = e.applyCap(c, award); !ok {
			return e.fail(Shortfall{Message: fmt.Sprintf("已达到%s在该机构的转换上限 %s 学分", e.capLabel(c.Scope), num(c.MaxCredits)),
				detail: &ShortfallDetail{Reason: ShortCap, Scope: c.Scope, Max: c.MaxCredits, Year: e.now.In(DistrictZone).Year()}})
		}
	}
	if e.rule.CapPerYear > 0 {
		var ok bool
		if award, ok = e.applyRuleCap(award); !ok {
			return e.fail(Shortfall{Message: fmt.Sprintf("已达到本规则 %d 年度上限 %s 学分", e.now.In(DistrictZone).Year(), num(e.rule.CapPerYear)),
				detail: &ShortfallDetail{Reason: ShortRuleCap, Max: e.rule.CapPerYear, Year: e.now.In(DistrictZone).Year()}})
		}
	}
	ev.Eligible = true
	ev.AwardedCredits = award
	if e.rule.Award.Mode == "" {
		e.step("eligible", &StepFacts{Form: "qualifies", Count: len(ev.Used), Credits: ev.UsedCredits}, "符合条件：使用 %d 项成果（%s 学分），资格认定通过", len(ev.Used), num(ev.UsedCredits))
	} else {
		e.step("eligible", &StepFacts{Form: "awarded", Count: len(ev.Used), From: ev.UsedCredits, Credits: award}, "符合条件：使用 %d 项成果（%s 学分），授予 %s 学分", len(ev.Used), num(ev.UsedCredits), num(award))
	}
	ev.Trace = e.trace
	return ev
}

// applyCap limits the award to what the cap leaves; false means nothing is left.
func (e *evalRun) applyCap(c Cap, award float64) (float64, bool) {
	got := e.awardedUnder(c.Scope)
	left := FloorHalf(c.MaxCredits - got)
	code, label := "cap."+string(c.Scope), e.capLabel(c.Scope)
	f := func(form string) *StepFacts {
		return &StepFacts{Form: form, Scope: c.Scope, Year: e.now.In(DistrictZone).Year(), Got: got, Max: c.MaxCredits, Left: left, From: award, Credits: min(award, max(left, 0))}
	}
	switch {
	case left <= 0:
		e.step(code, f("reached"), "%s在该机构已获转换 %s 学分，已达上限 %s 学分", label, num(got), num(c.MaxCredits))
		return 0, false
	case award > left:
		e.step(code, f("reduced"), "%s在该机构已获转换 %s 学分，上限 %s 学分，剩余 %s 学分：授予由 %s 减为 %s 学分",
			label, num(got), num(c.MaxCredits), num(left), num(award), num(left))
		return left, true
	default:
		e.step(code, f("within"), "%s在该机构已获转换 %s 学分，本次 %s 学分，未超过上限 %s 学分", label, num(got), num(award), num(c.MaxCredits))
		return award, true
	}
}

// awardedUnder sums the credits awarded by this account's live conversions at
// the rule's institution within the cap's scope.
func (e *evalRun) awardedUnder(scope CapScope) float64 {
	year := e.now.In(DistrictZone).Year()
	total := 0.0
	for _, c := range e.acc.Conversions {
		if c.ID == e.ignore || !c.Live() || c.InstitutionID != e.rule.InstitutionID {
			continue
		}
		at := c.AppliedAt
		if c.DecidedAt != nil {
			at = *c.DecidedAt
		}
		if scope == CapPerYear && at.In(DistrictZone).Year() != year {
			continue
		}
		total += c.Evaluation.AwardedCredits
	}
	return total
}

func (e *evalRun) capLabel(s CapScope) string {
	if s == CapPerYear {
		return fmt.Sprintf("%d 年度", e.now.In(DistrictZone).Year())
	}
	return "累计"
}
