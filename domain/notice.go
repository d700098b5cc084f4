package domain

import (
	"time"

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
