package domain

import (
	"time"

	"github.com/google/uuid"
)

// ConversionStatus is the closed set of conversion states.
type ConversionStatus string

const (
	ConversionPending     ConversionStatus = "pending"
	ConversionApproved    ConversionStatus = "approved"
	ConversionRejected    ConversionStatus = "rejected"
	ConversionNeedsReview ConversionStatus = "needs_review"
)

// Conversion is one application of one rule version to one account.
type Conversion struct {
	ID            uuid.UUID
	AccountID     uuid.UUID
	RuleID        uuid.UUID
	RuleCode      string
	RuleVersion   int
	RuleName      string
	InstitutionID uuid.UUID
	Purpose       Purpose
	Exclusive     bool
	Status        ConversionStatus
	Evaluation    Evaluation
	// Earmarked and Spent are the credits this conversion currently holds or
	// has consumed; they feed the balance and are moved only via the ledger.
	Earmarked float64
	Spent     float64
	AppliedAt time.Time
	DecidedAt *time.Time
	DecidedBy string
	Note      string
	// NoticeEndsAt is when a conversion in public notice becomes final.
	NoticeEndsAt *time.Time
	Objections   []Objection
	Appeal       *Appeal
}

// Live reports whether the conversion still holds or may hold credits.
func (c Conversion) Live() bool {
	switch c.Status {
	case ConversionPending, ConversionApproved, ConversionNeedsReview, ConversionInNotice, ConversionFinal:
		return true
	}
	return false
}

// Conversion finds a conversion by id.
func (a *Account) Conversion(id uuid.UUID) (*Conversion, bool) {
	for i := range a.Conversions {
		if a.Conversions[i].ID == id {
			return &a.Conversions[i], true
		}
	}
	return nil, false
}

// reviewConversionsUsing sends every live conversion that used a revoked
// outcome back to review and returns the credits it held or spent.
func (a *Account) reviewConversionsUsing(outcomeID uuid.UUID, now time.Time) {
	for i := range a.Conversions {
		c := &a.Conversions[i]
		if c.Status != ConversionPending && c.Status != ConversionApproved && c.Status != ConversionInNotice && c.Status != ConversionFinal {
			continue
		}
		uses := false
		for _, u := range c.Evaluation.Used {
			if u.OutcomeID == outcomeID {
				uses = true
				break
			}
		}
		if !uses {
			continue
		}
		back := c.Earmarked + c.Spent
		c.Earmarked, c.Spent = 0, 0
		c.Status = ConversionNeedsReview
		if back != 0 {
			id := c.ID
			a.appendLedger(LedgerReverse, back, nil, &id, now)
		}
	}
}
