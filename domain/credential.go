package domain

import (
	"time"

	"github.com/google/uuid"
)

// StatusIndex is the position of an outcome's bit in a bitstring status
// list: every credential certifying the outcome points at it, so flipping
// it revokes them all. A position is never given to another outcome.
type StatusIndex struct {
	OutcomeID uuid.UUID
	List      string
	Index     int
}

// VerificationCode is the short code printed (as a QR code) on a paper
// transcript: it names the signed transcript at the bank, so that a reader
// of the paper can have exactly that transcript verified.
type VerificationCode struct {
	Code      string
	Token     string // the signed transcript
	CreatedAt time.Time
	ExpiresAt time.Time
}
