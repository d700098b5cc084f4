package domain

import "github.com/google/uuid"

// StatusIndex is the position of an outcome's bit in a bitstring status
// list: every credential certifying the outcome points at it, so flipping
// it revokes them all. A position is never given to another outcome.
type StatusIndex struct {
	OutcomeID uuid.UUID
	List      string
	Index     int
}
