package domain

import (
	"errors"
	"time"

	"github.com/google/uuid"
)

// NewID returns a time-ordered UUID (v7), so that ordering by ID is ordering
// by creation, which keeps paging cursors simple on every store.
func NewID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// Now normalises a timestamp for storage: UTC, millisecond precision, because
// MongoDB dates keep milliseconds and ledger hashes must survive a round trip.
func Now(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// DateOf is the calendar date of t (UTC midnight).
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, Invalid(field, "must be a date YYYY-MM-DD")
	}
	return t, nil
}

func asValidation(err error, target **ValidationError) bool { return errors.As(err, target) }
