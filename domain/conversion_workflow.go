package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// NotEligibleError carries the evaluation that refused an application, so
// the API can answer 422 with its trace and shortfall. It matches
// ErrNotEligible with errors.Is.
type NotEligibleError struct {
	Evaluation Evaluation
}

func (e *NotEligibleError) Error() string {
	if e.Evaluation.Shortfall != nil && e.Evaluation.Shortfall.Message != "" {
		return "not eligible: " + e.Evaluation.Shortfall.Message
	}
	return "not eligible"
}

func (e *NotEligibleError) Is(target error) bool { return target == ErrNotEligible }

// AutoReviewer is DecidedBy for conversions approved by an auto rule.
const AutoReviewer = "auto"

// MaxNoteLength bounds a reviewer's note, in characters.
const MaxNoteLength = 500

// Apply is a learner's application of a rule. A manual rule creates a pending
// conversion; an auto rule approves at once. Only exclusive rules move
// credits (earmark while pending, spend once approved): a non-exclusive
// conversion such as admission eligibility records the decision but holds
// nothing, which is what keeps the available balance non-negative, since
// exclusive conversions always use disjoint outcomes. The returned pointer
// is into a.Conversions: it is valid until the next change to the account.
func (a *Account) Apply(rule Rule, now time.Time) (*Conversion, error) {
	return a.ApplyWithID(NewID(), rule, now)
}

// ApplyWithID is Apply with the conversion's ID chosen by the caller: a
// retried request names the conversion its first attempt created, so that
// it can recognise it.
func (a *Account) ApplyWithID(id uuid.UUID, rule Rule, now time.Time) (*Conversion, error) {
	if a.Status != AccountActive {
		return nil, Invalid("learner", "account is suspended")
	}
	if rule.Status != RulePublished {
		return nil, Invalid("ruleId", fmt.Sprintf("rule %s version %d is %s, not published", rule.Code, rule.Version, rule.Status))
	}
	if !rule.EffectiveAt(now) {
		return nil, Invalid("ruleId", "rule "+rule.Code+" is not in effect at this time ("+rule.periodText()+")")
	}
	for _, c := range a.Conversions {
		if c.Live() && c.RuleCode == rule.Code {
			return nil, fmt.Errorf("%w: a %s conversion of rule %s already exists", ErrConflict, c.Status, rule.Code)
		}
	}
	ev := Evaluate(rule, a, now)
	if !ev.Eligible {
		return nil, &NotEligibleError{Evaluation: ev}
	}
	c := Conversion{
		ID:            id,
		AccountID:     a.ID,
		RuleID:        rule.ID,
		RuleCode:      rule.Code,
		RuleVersion:   rule.Version,
		RuleName:      rule.Name,
		InstitutionID: rule.InstitutionID,
		Purpose:       rule.Purpose,
		Exclusive:     rule.Exclusive,
		Status:        ConversionPending,
		Evaluation:    ev,
		AppliedAt:     Now(now),
	}
	a.Conversions = append(a.Conversions, c)
	cp := &a.Conversions[len(a.Conversions)-1]
	if rule.Approval == ApprovalAuto {
		a.approve(cp, ev, AutoReviewer, "", now)
		return cp, nil
	}
	if cp.Exclusive && ev.UsedCredits > 0 {
		cp.Earmarked = ev.UsedCredits
		a.appendLedger(LedgerEarmark, -ev.UsedCredits, nil, &cp.ID, now)
	}
	return cp, nil
}

// Approve decides a conversion positively. A pending one is approved as
// evaluated (its earmark is released and spent). One in needs_review is
// evaluated again against the outcomes it can use now, under the rule
// version it was applied for, and approved with that new evaluation or
// refused with *NotEligibleError (it then stays in review). rule must be that
// version; retired versions are fine, because decisions honour the version
// applied for.
func (a *Account) Approve(convID uuid.UUID, reviewer, note string, rule Rule, now time.Time) (*Conversion, error) {
	c, note, err := a.decidable(convID, reviewer, note)
	if err != nil {
		return nil, err
	}
	if rule.ID != c.RuleID {
		return nil, Invalid("ruleId", "not the rule version this conversion was applied for")
	}
	switch c.Status {
	case ConversionPending:
		if c.Earmarked > 0 {
			held := c.Earmarked
			c.Earmarked = 0
			a.appendLedger(LedgerRelease, held, nil, &c.ID, now)
		}
		a.approve(c, c.Evaluation, reviewer, note, now)
	case ConversionNeedsReview:
		ev := evaluate(rule, a, now, c.ID)
		if !ev.Eligible {
			return nil, &NotEligibleError{Evaluation: ev}
		}
		a.approve(c, ev, reviewer, note, now)
	default:
		return nil, fmt.Errorf("%w: conversion is %s", ErrConflict, c.Status)
	}
	return c, nil
}

// Reject decides a conversion negatively, with the reason (note) the
// learner is given. A pending one releases its earmark; one in
// needs_review had its credits reversed already.
func (a *Account) Reject(convID uuid.UUID, reviewer, note string, now time.Time) (*Conversion, error) {
	c, note, err := a.decidable(convID, reviewer, note)
	if err != nil {
		return nil, err
	}
	if c.Status != ConversionPending && c.Status != ConversionNeedsReview {
		return nil, fmt.Errorf("%w: conversion is %s", ErrConflict, c.Status)
	}
	if note == "" {
		// The learner is told why; a refusal without a reason cannot be
		// understood or appealed.
		return nil, Invalid("note", "required: the reason the learner is given")
	}
	if c.Status == ConversionPending && c.Earmarked > 0 {
		held := c.Earmarked
		c.Earmarked = 0
		a.appendLedger(LedgerRelease, held, nil, &c.ID, now)
	}
	c.Status = ConversionRejected
	c.decided(reviewer, note, now)
	return c, nil
}

// approve records a positive decision with the evaluation it rests on; an
// exclusive conversion spends the credits of the outcomes it uses.
func (a *Account) approve(c *Conversion, ev Evaluation, reviewer, note string, now time.Time) {
	c.Evaluation = ev
	c.Status = ConversionApproved
	c.decided(reviewer, note, now)
	if c.Exclusive && ev.UsedCredits > 0 {
		c.Spent = ev.UsedCredits
		a.appendLedger(LedgerSpend, -ev.UsedCredits, nil, &c.ID, now)
	}
}

func (c *Conversion) decided(reviewer, note string, now time.Time) {
	t := Now(now)
	c.DecidedAt = &t
	c.DecidedBy = reviewer
	c.Note = note
}

// decidable finds the conversion and checks the reviewer's input.
func (a *Account) decidable(convID uuid.UUID, reviewer, note string) (*Conversion, string, error) {
	c, ok := a.Conversion(convID)
	if !ok {
		return nil, "", ErrNotFound
	}
	v := &ValidationError{}
	if strings.TrimSpace(reviewer) == "" {
		v.Add("reviewer", "required")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNoteLength {
		v.Add("note", fmt.Sprintf("at most %d characters", MaxNoteLength))
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return c, note, nil
}

func (r Rule) periodText() string {
	from := r.EffectiveFrom.UTC().Format("2006-01-02")
	if r.EffectiveTo == nil {
		return "effective from " + from
	}
	return "effective " + from + " to " + r.EffectiveTo.UTC().Format("2006-01-02")
}
