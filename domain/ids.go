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

// DistrictZone is China Standard Time. Calendar dates (completion, expiry,
// "today") are the district's dates: an outcome finished this morning in
// Beijing is not "in the future" just because UTC is still on yesterday.
var DistrictZone = time.FixedZone("CST", 8*3600)

// DateOf is the district calendar date of t, represented as UTC midnight so
// dates compare and serialise uniformly. A value that already is a UTC
// midnight (a parsed YYYY-MM-DD) keeps its date.
func DateOf(t time.Time) time.Time {
	if u := t.UTC(); u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return u
	}
	y, m, d := t.In(DistrictZone).Date()
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
