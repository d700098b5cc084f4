package domain

import (
	"slices"
	"time"
)

// Clone returns a deep copy: nothing the copy holds is shared with a, so a
// caller may change either freely. Stores keep decoded accounts and hand
// out clones, which costs far less than decoding the document again.
func (a *Account) Clone() *Account {
	if a == nil {
		return nil
	}
	c := *a
	c.CredentialsChangedAt = cloneTime(a.CredentialsChangedAt)
	c.AlertsSeenAt = cloneTime(a.AlertsSeenAt)
	if a.Outcomes != nil {
		c.Outcomes = make([]Outcome, len(a.Outcomes))
		for i, o := range a.Outcomes {
			c.Outcomes[i] = o.clone()
		}
	}
	if a.Conversions != nil {
		c.Conversions = make([]Conversion, len(a.Conversions))
		for i, cv := range a.Conversions {
			c.Conversions[i] = cv.clone()
		}
	}
	if a.Ledger != nil {
		c.Ledger = make([]LedgerEntry, len(a.Ledger))
		for i, e := range a.Ledger {
			e.OutcomeID = clonePtr(e.OutcomeID)
			e.ConversionID = clonePtr(e.ConversionID)
			c.Ledger[i] = e
		}
	}
	if a.Grants != nil {
		c.Grants = make([]Grant, len(a.Grants))
		for i, g := range a.Grants {
			g.WithdrawnAt = cloneTime(g.WithdrawnAt)
			c.Grants[i] = g
		}
	}
	if a.Helpers != nil {
		c.Helpers = make([]HelperGrant, len(a.Helpers))
		for i, h := range a.Helpers {
			h.WithdrawnAt = cloneTime(h.WithdrawnAt)
			c.Helpers[i] = h
		}
	}
	if a.AccessLog != nil {
		c.AccessLog = append([]AccessEntry(nil), a.AccessLog...)
	}
	return &c
}

func (o Outcome) clone() Outcome {
	o.Result = o.Result.clone()
	o.ExpiresOn = cloneTime(o.ExpiresOn)
	o.RevokedAt = cloneTime(o.RevokedAt)
	return o
}

func (r Result) clone() Result {
	r.Score = clonePtr(r.Score)
	r.PassMark = clonePtr(r.PassMark)
	r.Passed = clonePtr(r.Passed)
	return r
}

func (c Conversion) clone() Conversion {
	c.DecidedAt = cloneTime(c.DecidedAt)
	c.Evaluation = c.Evaluation.clone()
	c.NoticeEndsAt = cloneTime(c.NoticeEndsAt)
	if c.Objections != nil {
		objs := make([]Objection, len(c.Objections))
		for i, o := range c.Objections {
			o.ResolvedAt = cloneTime(o.ResolvedAt)
			objs[i] = o
		}
		c.Objections = objs
	}
	if c.Appeal != nil {
		ap := *c.Appeal
		ap.DecidedAt = cloneTime(ap.DecidedAt)
		c.Appeal = &ap
	}
	return c
}

func (e Evaluation) clone() Evaluation {
	if e.Used != nil {
		e.Used = append([]UsedOutcome(nil), e.Used...)
	}
	if e.Trace != nil {
		e.Trace = append([]TraceStep(nil), e.Trace...)
		for i := range e.Trace {
			e.Trace[i].facts = e.Trace[i].facts.clone()
		}
	}
	if e.Shortfall != nil {
		sf := *e.Shortfall
		if d := sf.detail; d != nil {
			c := *d
			c.Categories = slices.Clone(c.Categories)
			if c.Missing != nil {
				c.Missing = slices.Clone(c.Missing)
				for i := range c.Missing {
					c.Missing[i].Item = *c.Missing[i].Item.clone()
				}
			}
			sf.detail = &c
		}
		e.Shortfall = &sf
	}
	return e
}

func (f *StepFacts) clone() *StepFacts {
	if f == nil {
		return nil
	}
	c := *f
	c.Item = c.Item.clone()
	c.Outcomes = slices.Clone(c.Outcomes)
	c.Misses = slices.Clone(c.Misses)
	c.Date = cloneTime(c.Date)
	return &c
}

func (r *ItemRef) clone() *ItemRef {
	if r == nil {
		return nil
	}
	c := *r
	if c.Match != nil {
		m := *c.Match
		m.IssuerIDs = slices.Clone(m.IssuerIDs)
		m.UnitCodes = slices.Clone(m.UnitCodes)
		c.Match = &m
	}
	return &c
}

func cloneTime(t *time.Time) *time.Time { return clonePtr(t) }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
