package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Conversion states of the public-notice (公示) and appeal (申诉) procedure.
// A conversion approved under a rule with a notice period is in_notice until
// the period ends (its credits stay earmarked), then final (spent). An
// appeal's decision is final too.
const (
	ConversionInNotice ConversionStatus = "in_notice"
	ConversionFinal    ConversionStatus = "final"
)

// AppealWindow is how long after a rejection the learner may appeal.
const AppealWindow = 30 * 24 * time.Hour

// MaxNoticeDays bounds a rule's notice period.
const MaxNoticeDays = 60

// MaxReasonLength bounds an objection's or an appeal's reason, in characters.
const MaxReasonLength = 1000

// Resolution is how an objection or an appeal ended.
type Resolution string

const (
	// ResolutionOpen: not decided yet.
	ResolutionOpen Resolution = ""
	// ResolutionUpheld: the objection or appeal succeeded (an objected
	// conversion was rejected; an appealed rejection was overturned).
	ResolutionUpheld Resolution = "upheld"
	// ResolutionDismissed: it failed (the conversion was approved after all;
	// the rejection stands).
	ResolutionDismissed Resolution = "dismissed"
)

// Objection is one objection (异议) raised during a public notice. By is
// who raised it: kept for the audit and the reviewer, never shown to the
// learner.
type Objection struct {
	ID         uuid.UUID
	At         time.Time
	By         string
	Reason     string
	Resolution Resolution
	ResolvedAt *time.Time
}

// Appeal is a learner's appeal (申诉) against a rejection. RejectedBy is the
// reviewer whose decision is appealed: someone else must decide.
type Appeal struct {
	At         time.Time
	Reason     string
	RejectedBy string
	Resolution Resolution
	DecidedBy  string
	DecidedAt  *time.Time
	Note       string
}

// ConversionAppealed is a rejection under appeal: it holds no credits and
// waits for a reviewer other than the one who rejected it.
const ConversionAppealed ConversionStatus = "appealed"

// inNoticeAt reports whether a conversion in notice may still be objected to.
func (c Conversion) inNoticeAt(now time.Time) bool {
	return c.Status == ConversionInNotice && c.NoticeEndsAt != nil && now.Before(*c.NoticeEndsAt)
}

// Decide is a reviewer's decision on a conversion in whatever state awaits
// one: an appeal is decided as an appeal; an approval under a rule with a
// notice period opens the notice; an objected conversion's objections are
// resolved with the decision (upheld by a rejection, dismissed by an
// approval). rule is the version applied for, needed to approve.
func (a *Account) Decide(convID uuid.UUID, reviewer, note string, approve bool, rule Rule, now time.Time) (*Conversion, error) {
	c, ok := a.Conversion(convID)
	if !ok {
		return nil, ErrNotFound
	}
	if c.Status == ConversionAppealed {
		return a.decideAppeal(c, reviewer, note, approve, rule, now)
	}
	var err error
	if approve {
		c, err = a.approveWithNotice(convID, reviewer, note, rule, now)
	} else {
		c, err = a.Reject(convID, reviewer, note, now)
	}
	if err != nil {
		return nil, err
	}
	resolution := ResolutionDismissed
	if !approve {
		resolution = ResolutionUpheld
	}
	for i := range c.Objections {
		if o := &c.Objections[i]; o.Resolution == ResolutionOpen {
			t := Now(now)
			o.Resolution, o.ResolvedAt = resolution, &t
		}
	}
	return c, nil
}

// approveWithNotice approves, or under a rule with a notice period puts the
// conversion in notice: decided, but its credits stay earmarked until the
// period ends (FinalizeNotices).
func (a *Account) approveWithNotice(convID uuid.UUID, reviewer, note string, rule Rule, now time.Time) (*Conversion, error) {
	if rule.NoticeDays <= 0 {
		return a.Approve(convID, reviewer, note, rule, now)
	}
	c, note, err := a.decidable(convID, reviewer, note)
	if err != nil {
		return nil, err
	}
	if rule.ID != c.RuleID {
		return nil, Invalid("ruleId", "not the rule version this conversion was applied for")
	}
	switch c.Status {
	case ConversionPending:
	case ConversionNeedsReview:
		ev := evaluate(rule, a, now, c.ID)
		if !ev.Eligible {
			return nil, &NotEligibleError{Evaluation: ev}
		}
		c.Evaluation = ev
		if c.Exclusive && ev.UsedCredits > 0 {
			c.Earmarked = ev.UsedCredits
			a.appendLedger(LedgerEarmark, -ev.UsedCredits, nil, &c.ID, now)
		}
	default:
		return nil, fmt.Errorf("%w: conversion is %s", ErrConflict, c.Status)
	}
	c.Status = ConversionInNotice
	c.decided(reviewer, note, now)
	ends := Now(now).Add(time.Duration(rule.NoticeDays) * 24 * time.Hour)
	c.NoticeEndsAt = &ends
	return c, nil
}

// FinalizeNotices makes every conversion whose notice period has ended
// final: its earmark is released and spent, as an approval without notice
// would have done. It returns the conversions it finalised.
func (a *Account) FinalizeNotices(now time.Time) []uuid.UUID {
	var done []uuid.UUID
	for i := range a.Conversions {
		c := &a.Conversions[i]
		if c.Status != ConversionInNotice || c.NoticeEndsAt == nil || now.Before(*c.NoticeEndsAt) {
			continue
		}
		if c.Earmarked > 0 {
			held := c.Earmarked
			c.Earmarked = 0
			a.appendLedger(LedgerRelease, held, nil, &c.ID, now)
		}
		if c.Exclusive && c.Evaluation.UsedCredits > 0 {
			c.Spent = c.Evaluation.UsedCredits
			a.appendLedger(LedgerSpend, -c.Evaluation.UsedCredits, nil, &c.ID, now)
		}
		c.Status = ConversionFinal
		done = append(done, c.ID)
	}
	return done
}

// DueNotice reports whether the conversion's notice period has ended.
func (c Conversion) DueNotice(now time.Time) bool {
	return c.Status == ConversionInNotice && c.NoticeEndsAt != nil && !now.Before(*c.NoticeEndsAt)
}

// Object records an objection to a conversion in notice: it goes back to
// the reviewers (pending, credits still earmarked) with the objection
// attached. by is kept for the audit, never shown to the learner.
func (a *Account) Object(convID uuid.UUID, by, reason string, now time.Time) (*Conversion, error) {
	c, ok := a.Conversion(convID)
	if !ok {
		return nil, ErrNotFound
	}
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	if !c.inNoticeAt(now) {
		return nil, fmt.Errorf("%w: conversion is %s, not in public notice", ErrConflict, c.Status)
	}
	c.Objections = append(c.Objections, Objection{ID: NewID(), At: Now(now), By: by, Reason: reason})
	c.Status = ConversionPending
	c.NoticeEndsAt = nil
	c.DecidedAt, c.DecidedBy = nil, ""
	return c, nil
}

// Appeal lodges the learner's appeal against a rejection, within
// AppealWindow of it and once only.
func (a *Account) Appeal(convID uuid.UUID, reason string, now time.Time) (*Conversion, error) {
	c, ok := a.Conversion(convID)
	if !ok {
		return nil, ErrNotFound
	}
	reason, err := checkReason(reason)
	if err != nil {
		return nil, err
	}
	switch {
	case c.Status != ConversionRejected:
		return nil, fmt.Errorf("%w: only a rejection can be appealed; conversion is %s", ErrConflict, c.Status)
	case c.Appeal != nil:
		return nil, fmt.Errorf("%w: the appeal was decided and is final", ErrConflict)
	case c.DecidedAt == nil || now.Sub(*c.DecidedAt) > AppealWindow:
		return nil, Invalid("reason", "the 30 days for an appeal have passed")
	}
	c.Appeal = &Appeal{At: Now(now), Reason: reason, RejectedBy: c.DecidedBy}
	c.Status = ConversionAppealed
	return c, nil
}

// decideAppeal decides an appeal. The reviewer who rejected cannot decide
// it (ErrForbidden). Upholding it evaluates the rule again on what the
// learner holds now and, if eligible, makes the conversion final at once
// (its credits spent); dismissing it leaves the rejection standing. Either
// way the decision is final.
func (a *Account) decideAppeal(c *Conversion, reviewer, note string, uphold bool, rule Rule, now time.Time) (*Conversion, error) {
	c, note, err := a.decidable(c.ID, reviewer, note)
	if err != nil {
		return nil, err
	}
	if reviewer == c.Appeal.RejectedBy {
		return nil, fmt.Errorf("%w: the reviewer who rejected cannot decide the appeal", ErrForbidden)
	}
	if note == "" {
		return nil, Invalid("note", "an appeal decision must be explained")
	}
	if uphold {
		if rule.ID != c.RuleID {
			return nil, Invalid("ruleId", "not the rule version this conversion was applied for")
		}
		for _, o := range a.Conversions {
			if o.ID != c.ID && o.Live() && o.RuleCode == c.RuleCode {
				return nil, fmt.Errorf("%w: a %s conversion of rule %s exists", ErrConflict, o.Status, o.RuleCode)
			}
		}
		ev := evaluate(rule, a, now, c.ID)
		if !ev.Eligible {
			return nil, &NotEligibleError{Evaluation: ev}
		}
		a.approve(c, ev, reviewer, note, now)
		c.Status = ConversionFinal
		c.Appeal.Resolution = ResolutionUpheld
	} else {
		c.Status = ConversionRejected
		c.decided(reviewer, note, now)
		c.Appeal.Resolution = ResolutionDismissed
	}
	t := Now(now)
	c.Appeal.DecidedBy, c.Appeal.DecidedAt, c.Appeal.Note = reviewer, &t, note
	return c, nil
}

func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > MaxReasonLength {
		return "", Invalid("reason", fmt.Sprintf("required, at most %d characters", MaxReasonLength))
	}
	return reason, nil
}

// decidedAlertAt is when the conversion's latest decision took effect, as
// the learner is told of it: an approval, a rejection, the start of a
// notice, the end of one, an appeal decided; zero when none applies.
func (c Conversion) decidedAlertAt() time.Time {
	switch c.Status {
	case ConversionApproved, ConversionRejected, ConversionInNotice:
		if c.DecidedAt != nil {
			return *c.DecidedAt
		}
	case ConversionFinal:
		at := time.Time{}
		if c.DecidedAt != nil {
			at = *c.DecidedAt
		}
		if c.NoticeEndsAt != nil && c.NoticeEndsAt.After(at) {
			at = *c.NoticeEndsAt
		}
		return at
	}
	return time.Time{}
}

// objectionAlerts tells the learner of objections raised since.
func (c Conversion) objectionAlerts(since time.Time) []Alert {
	var out []Alert
	for _, o := range c.Objections {
		if o.At.After(since) {
			out = append(out, Alert{Kind: AlertObjection, Ref: c.ID, Title: c.RuleName, At: o.At,
				Status: c.Status, InstitutionID: c.InstitutionID, New: true})
		}
	}
	return out
}
