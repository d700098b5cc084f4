package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// NewRuleDraft turns submitted rule content into version 1 of a new rule, in
// draft. Server-owned fields (ID, Version, Status, CreatedAt, PublishedAt,
// Revision) are set here whatever the input says; content is normalised
// (trimmed, code upper-cased) and fully validated.
func NewRuleDraft(in Rule, createdBy string, now time.Time) (Rule, error) {
	r := in.normalized()
	r.ID = NewID()
	r.Version = 1
	r.Status = RuleDraft
	r.CreatedAt = Now(now)
	r.CreatedBy = createdBy
	r.PublishedAt = nil
	r.Submission = Submission{}
	r.Revision = 0
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	return r, nil
}

// UpdateDraft replaces a draft's content with in's. Identity and ownership
// (ID, Code, Version, InstitutionID) and server-owned fields are kept: a rule
// cannot be moved to another institution or renamed into another rule family
// by editing. Published and retired versions are immutable (ErrConflict);
// edit a NextVersion instead. On error the rule is unchanged.
func (r *Rule) UpdateDraft(in Rule) error {
	if r.Status != RuleDraft {
		return fmt.Errorf("%w: rule %s version %d is %s; edit a new version", ErrConflict, r.Code, r.Version, r.Status)
	}
	next := in.normalized()
	next.ID, next.Code, next.Version, next.InstitutionID = r.ID, r.Code, r.Version, r.InstitutionID
	next.Status, next.CreatedAt, next.CreatedBy = r.Status, r.CreatedAt, r.CreatedBy
	next.PublishedAt, next.Revision = r.PublishedAt, r.Revision
	// Editing a submitted draft takes it out of the admin's queue: the
	// admin must not publish content other than what was submitted. A
	// returned draft keeps the admin's note to work from.
	next.Submission = r.Submission
	if next.Submission.State == SubmissionSubmitted {
		next.Submission = Submission{}
	}
	if err := next.Validate(); err != nil {
		return err
	}
	*r = next
	return nil
}

// NextVersion is a new draft copied from r with a new ID, the same Code and
// Version+1: the way to "edit" a published rule. The copy shares no memory
// with r. The caller sets CreatedBy and must persist it as a new document.
func (r Rule) NextVersion(now time.Time) Rule {
	n := r.normalized()
	n.ID = NewID()
	n.Version = r.Version + 1
	n.Status = RuleDraft
	n.CreatedAt = Now(now)
	n.PublishedAt = nil
	n.Submission = Submission{}
	n.Revision = 0
	return n
}

// Publish makes a draft binding. It validates again because a draft may have
// been stored before a validation rule tightened.
func (r *Rule) Publish(now time.Time) error {
	if r.Status != RuleDraft {
		return fmt.Errorf("%w: only a draft can be published (rule %s version %d is %s)", ErrConflict, r.Code, r.Version, r.Status)
	}
	if err := r.Validate(); err != nil {
		return err
	}
	t := Now(now)
	r.Status = RulePublished
	r.PublishedAt = &t
	r.Submission = Submission{}
	return nil
}

// Retire withdraws a draft or published version. New applications stop;
// conversions already decided keep the version they were decided under. If
// the rule had already taken effect, its effective period is closed at now so
// the record shows when it stopped applying.
func (r *Rule) Retire(now time.Time) error {
	if r.Status == RuleRetired {
		return fmt.Errorf("%w: rule %s version %d is already retired", ErrConflict, r.Code, r.Version)
	}
	t := Now(now)
	if t.After(r.EffectiveFrom) && (r.EffectiveTo == nil || r.EffectiveTo.After(t)) {
		r.EffectiveTo = &t
	}
	r.Status = RuleRetired
	return nil
}

// EffectiveAt reports whether learners may apply under this version at now:
// it is published and now lies in [EffectiveFrom, EffectiveTo).
func (r Rule) EffectiveAt(now time.Time) bool {
	return r.Status == RulePublished && r.inWindow(now)
}

func (r Rule) inWindow(now time.Time) bool {
	return !now.Before(r.EffectiveFrom) && (r.EffectiveTo == nil || now.Before(*r.EffectiveTo))
}

// normalized returns a deep copy with text trimmed and times in storage form,
// so that copies never alias the original's condition tree or slices.
func (r Rule) normalized() Rule {
	n := r
	n.Code = strings.ToUpper(strings.TrimSpace(r.Code))
	n.Name = strings.TrimSpace(r.Name)
	n.Description = strings.TrimSpace(r.Description)
	n.Target.CourseCode = strings.TrimSpace(r.Target.CourseCode)
	n.Target.ProgramCode = strings.TrimSpace(r.Target.ProgramCode)
	n.Condition = r.Condition.clone()
	n.Caps = slices.Clone(r.Caps)
	if !r.EffectiveFrom.IsZero() {
		n.EffectiveFrom = Now(r.EffectiveFrom)
	}
	if r.EffectiveTo != nil {
		t := Now(*r.EffectiveTo)
		n.EffectiveTo = &t
	}
	if r.PublishedAt != nil {
		t := *r.PublishedAt
		n.PublishedAt = &t
	}
	if r.Submission.At != nil {
		t := *r.Submission.At
		n.Submission.At = &t
	}
	return n
}

func (g Group) clone() Group {
	c := Group{Op: g.Op, N: g.N}
	if g.Items != nil {
		c.Items = make([]Item, len(g.Items))
	}
	for i, it := range g.Items {
		if it.Group != nil {
			sub := it.Group.clone()
			c.Items[i].Group = &sub
		}
		if it.Match != nil {
			m := *it.Match
			m.CourseCode = strings.TrimSpace(m.CourseCode)
			m.TitleContains = strings.TrimSpace(m.TitleContains)
			m.IssuerIDs = slices.Clone(m.IssuerIDs)
			m.UnitCodes = slices.Clone(m.UnitCodes)
			c.Items[i].Match = &m
		}
	}
	return c
}
