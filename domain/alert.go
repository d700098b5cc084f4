package domain

import (
	"slices"
	"time"

	"github.com/google/uuid"
)

// AlertKind is the closed set of things a learner is told about.
type AlertKind string

const (
	AlertCertificateExpiring AlertKind = "certificate_expiring" // an outcome's expiry is near
	AlertConversionReview    AlertKind = "conversion_needs_review"
	AlertConversionDecided   AlertKind = "conversion_decided" // approved or rejected since the last look
	AlertGrantEnding         AlertKind = "grant_ending"       // a live sharing grant ends soon
	// AlertObjection: someone objected to a conversion in public notice;
	// the alert never says who.
	AlertObjection AlertKind = "conversion_objection"
	// Kinds kept in the notice history only.
	AlertOutcomeRevoked     AlertKind = "outcome_revoked"
	AlertCertificateExpired AlertKind = "certificate_expired"
)

// Alert windows: how far ahead an expiry or a grant's end is worth a notice.
const (
	ExpiryAlertDays     = 90
	GrantEndAlertDays   = 14
	FirstLookWindowDays = 30 // decisions shown to a learner who never looked
)

// Alert is one notice on the learner's dashboard. Ref is the outcome,
// conversion or grant it is about; At is when it happens or happened.
type Alert struct {
	Kind     AlertKind
	Ref      uuid.UUID
	Title    string // the outcome's title or the conversion's rule name
	At       time.Time
	DaysLeft int              // for expiries and grant ends
	Status   ConversionStatus // for conversions
	// InstitutionID names the converting institution or the grant's holder.
	InstitutionID uuid.UUID
	// New is true for what happened after the last look (decisions) or
	// what is still open (reviews, coming expiries never acknowledged).
	New bool
	// Note is the reviewer's reason for a decision or the issuer's for a
	// revocation, as the learner is told it.
	Note string
}

// MarkAlertsSeen records that the learner has seen the alerts as they stood
// at upTo, so that decisions until then are no longer news. upTo may not
// lie in the future, and a later look is never undone by an earlier one.
func (a *Account) MarkAlertsSeen(upTo, now time.Time) error {
	if upTo.IsZero() || upTo.After(now) {
		return Invalid("seenAt", "must be the asOf time of an alerts listing (RFC 3339), not in the future")
	}
	t := Now(upTo)
	if a.AlertsSeenAt == nil || t.After(*a.AlertsSeenAt) {
		a.AlertsSeenAt = &t
	}
	return nil
}

// Alerts lists what the learner should know at now, soonest or newest first
// within each kind, kinds in a fixed order: reviews, decisions, expiries,
// grant ends. Decisions count as news only after the last look
// (AlertsSeenAt); a learner who never looked sees the last 30 days'.
func (a *Account) Alerts(now time.Time) []Alert {
	today := DateOf(now)
	var out []Alert
	since := Now(now).AddDate(0, 0, -FirstLookWindowDays)
	if a.AlertsSeenAt != nil {
		since = *a.AlertsSeenAt
	}
	var review, decided []Alert
	for _, c := range a.Conversions {
		switch {
		case c.Status == ConversionNeedsReview:
			review = append(review, Alert{Kind: AlertConversionReview, Ref: c.ID, Title: c.RuleName, At: c.AppliedAt,
				Status: c.Status, InstitutionID: c.InstitutionID, New: true})
		case c.decidedAlertAt().After(since):
			decided = append(decided, Alert{Kind: AlertConversionDecided, Ref: c.ID, Title: c.RuleName, At: c.decidedAlertAt(),
				Status: c.Status, InstitutionID: c.InstitutionID, New: true, Note: c.Note})
		}
		decided = append(decided, c.objectionAlerts(since)...)
	}
	slices.SortStableFunc(decided, func(x, y Alert) int { return y.At.Compare(x.At) })
	out = append(append(out, review...), decided...)
	var expiring []Alert
	for _, o := range a.Outcomes {
		if o.Status != OutcomeActive || o.ExpiresOn == nil {
			continue
		}
		days := int(o.ExpiresOn.Sub(today).Hours() / 24)
		if days < 0 || days > ExpiryAlertDays {
			continue
		}
		expiring = append(expiring, Alert{Kind: AlertCertificateExpiring, Ref: o.ID, Title: o.Title, At: *o.ExpiresOn,
			DaysLeft: days, InstitutionID: o.IssuerID, New: a.AlertsSeenAt == nil || a.AlertsSeenAt.Before(o.ExpiresOn.AddDate(0, 0, -ExpiryAlertDays))})
	}
	slices.SortStableFunc(expiring, func(x, y Alert) int { return x.At.Compare(y.At) })
	out = append(out, expiring...)
	var ending []Alert
	for _, g := range a.Grants {
		if !g.Live(now) {
			continue
		}
		left := g.ExpiresAt.Sub(Now(now))
		if left > GrantEndAlertDays*24*time.Hour {
			continue
		}
		ending = append(ending, Alert{Kind: AlertGrantEnding, Ref: g.ID, At: g.ExpiresAt, DaysLeft: int(left.Hours() / 24),
			InstitutionID: g.InstitutionID, New: a.AlertsSeenAt == nil || a.AlertsSeenAt.Before(g.ExpiresAt.Add(-GrantEndAlertDays*24*time.Hour))})
	}
	slices.SortStableFunc(ending, func(x, y Alert) int { return x.At.Compare(y.At) })
	return append(out, ending...)
}

// UnseenAlerts counts the alerts marked New: the dashboard's badge.
func UnseenAlerts(as []Alert) int {
	n := 0
	for _, a := range as {
		if a.New {
			n++
		}
	}
	return n
}

// NoticeHistory is every notice the learner has had, newest first, so that
// one seen and gone from Alerts can be read again: each conversion's latest
// decision with its reason, conversions sent back for review, objections,
// outcomes revoked with the issuer's reason, and certificates that expire
// within ExpiryAlertDays or have expired. New marks what came after the
// learner's last look.
func (a *Account) NoticeHistory(now time.Time) []Alert {
	var out []Alert
	after := func(t time.Time) bool { return a.AlertsSeenAt == nil || t.After(*a.AlertsSeenAt) }
	for _, c := range a.Conversions {
		if c.Status == ConversionNeedsReview {
			out = append(out, Alert{Kind: AlertConversionReview, Ref: c.ID, Title: c.RuleName, At: c.AppliedAt,
				Status: c.Status, InstitutionID: c.InstitutionID, New: true})
		}
		if at := c.decidedAlertAt(); !at.IsZero() {
			out = append(out, Alert{Kind: AlertConversionDecided, Ref: c.ID, Title: c.RuleName, At: at,
				Status: c.Status, InstitutionID: c.InstitutionID, New: after(at), Note: c.Note})
		}
		for _, o := range c.objectionAlerts(time.Time{}) {
			o.New = after(o.At)
			out = append(out, o)
		}
	}
	today := DateOf(now)
	for _, o := range a.Outcomes {
		switch {
		case o.Status == OutcomeRevoked && o.RevokedAt != nil:
			out = append(out, Alert{Kind: AlertOutcomeRevoked, Ref: o.ID, Title: o.Title, At: *o.RevokedAt,
				InstitutionID: o.IssuerID, New: after(*o.RevokedAt), Note: o.RevokedReason})
		case o.Status == OutcomeActive && o.ExpiresOn != nil:
			days := int(o.ExpiresOn.Sub(today).Hours() / 24)
			kind := AlertCertificateExpiring
			if days < 0 {
				kind = AlertCertificateExpired
			} else if days > ExpiryAlertDays {
				continue
			}
			out = append(out, Alert{Kind: kind, Ref: o.ID, Title: o.Title, At: *o.ExpiresOn, DaysLeft: days,
				InstitutionID: o.IssuerID, New: after(o.ExpiresOn.AddDate(0, 0, -ExpiryAlertDays))})
		}
	}
	slices.SortStableFunc(out, func(x, y Alert) int { return y.At.Compare(x.At) })
	return out
}
