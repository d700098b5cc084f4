package domain

// Statistic keys of the framework, units, public notice and appeal.
const (
	TallyLevel     = "level:"     // active outcomes by framework level: count, credits
	TallyUnit      = "unit:"      // active outcomes by certification unit: count, credits
	TallyNotice    = "notice:"    // conversions through public notice: open (in notice) or final
	TallyObjection = "objection:" // objections by resolution: open, upheld, dismissed
	TallyAppeal    = "appeal:"    // appeals by resolution: open, upheld, dismissed
	// TallyDecisionDays counts decided conversions; its Credits field sums
	// the days from application to decision (a mean is the one divided by
	// the other). TallyAppealDays is the same for appeals.
	TallyDecisionDays = "decision_days"
	TallyAppealDays   = "appeal_days"
)

// Resolution names for statistics: an open one is "open".
func resolutionKey(r Resolution) string {
	if r == ResolutionOpen {
		return "open"
	}
	return string(r)
}

// addFrameworkTallies adds the account's levels, units, notices,
// objections, appeals and decision times to t.
func (a *Account) addFrameworkTallies(t StatTallies) {
	for i := range a.Outcomes {
		o := &a.Outcomes[i]
		if o.Status == OutcomeRevoked {
			continue
		}
		if o.Level > 0 {
			t.add(TallyLevel+itoa(o.Level), 1, o.Credits)
		}
		if o.UnitCode != "" {
			t.add(TallyUnit+o.UnitCode, 1, o.Credits)
		}
	}
	for i := range a.Conversions {
		c := &a.Conversions[i]
		switch {
		case c.Status == ConversionInNotice:
			t.add(TallyNotice+"open", 1, 0)
		case c.Status == ConversionFinal && c.NoticeEndsAt != nil:
			t.add(TallyNotice+"final", 1, 0)
		}
		for _, o := range c.Objections {
			t.add(TallyObjection+resolutionKey(o.Resolution), 1, 0)
		}
		if ap := c.Appeal; ap != nil {
			t.add(TallyAppeal+resolutionKey(ap.Resolution), 1, 0)
			if ap.DecidedAt != nil {
				t.add(TallyAppealDays, 1, ap.DecidedAt.Sub(ap.At).Hours()/24)
			}
		}
		// From application to the latest decision (an appeal's, once
		// decided); automatic approvals take no one's time.
		if c.DecidedAt != nil && c.DecidedBy != AutoReviewer {
			t.add(TallyDecisionDays, 1, c.DecidedAt.Sub(c.AppliedAt).Hours()/24)
		}
	}
}
