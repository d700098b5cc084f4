// Package domain holds the credit bank's pure model: accounts, outcomes,
// the ledger, rules and their evaluation. It knows nothing of HTTP or storage.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// The one error vocabulary of the product. The API layer maps each of these to
// an HTTP status in a single table; anything else is an internal error.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrInvalid         = errors.New("invalid input")
	ErrNotEligible     = errors.New("not eligible")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrRateLimited     = errors.New("rate limited")
	// ErrUnavailable is a store that cannot be read or written right now
	// (disk full or read-only, database unreachable, primary stepping
	// down). Nothing was changed, or the change is safe to retry: the
	// caller may try again later.
	ErrUnavailable = errors.New("store temporarily unavailable")
	// ErrStale is a compare-and-swap loss: someone saved the aggregate first.
	// It is a conflict, so it maps to 409 if retries run out.
	ErrStale = fmt.Errorf("%w: version changed", ErrConflict)
	// ErrDuplicate marks an outcome already banked (same issuer, course, title, date).
	ErrDuplicate = fmt.Errorf("%w: duplicate outcome", ErrConflict)
	// ErrNameMismatch is a claim of an account an institution opened (no
	// password yet) under a name other than the one on record.
	ErrNameMismatch = fmt.Errorf("%w: the name does not match the record for this national ID", ErrConflict)
)

// FieldProblem names one bad field by its JSON path. Reason is an English
// sentence for API users; Code and Params name the same problem in a stable
// form, so that a client words it in its reader's language beside the
// field's own label.
type FieldProblem struct {
	Field  string         `json:"field"`
	Reason string         `json:"reason"`
	Code   string         `json:"code,omitempty"`
	Params map[string]any `json:"params,omitempty"`
}

// Problem codes. The params each carries are named beside it.
const (
	ProblemRequired     = "required"       // —
	ProblemTooLong      = "too_long"       // max (characters or entries)
	ProblemFormat       = "format"         // — the form's hint says the format
	ProblemOneOf        = "one_of"         // —
	ProblemNegative     = "negative"       // —
	ProblemGreaterThan  = "greater_than"   // min (exclusive)
	ProblemAtLeast      = "at_least"       // min
	ProblemAtMost       = "at_most"        // max
	ProblemBetween      = "between"        // min, max
	ProblemHalfStep     = "half_step"      // —
	ProblemAfter        = "after"          // other (the field it must follow)
	ProblemOnlyWith     = "only_with"      // other, value: allowed only when other is value
	ProblemNeeds        = "needs"          // other, value: needs other (set to value)
	ProblemListedTwice  = "listed_twice"   // —
	ProblemEmptyMatch   = "empty_match"    // — a condition that asks for nothing
	ProblemGroupOrMatch = "group_or_match" // —
	ProblemTooDeep      = "too_deep"       // max
)

// ValidationError lists every problem found in one input, so a caller can fix
// them all at once. It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Problems []FieldProblem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Reason
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Add records a problem; it returns the receiver for chaining in validators.
func (e *ValidationError) Add(field, reason string) *ValidationError {
	e.Problems = append(e.Problems, FieldProblem{Field: field, Reason: reason})
	return e
}

// AddCode records a problem with its stable code and parameters.
func (e *ValidationError) AddCode(field, code string, params map[string]any, reason string) *ValidationError {
	e.Problems = append(e.Problems, FieldProblem{Field: field, Reason: reason, Code: code, Params: params})
	return e
}

// Err returns nil when no problem was recorded.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

// Invalid is a one-field validation error.
func Invalid(field, reason string) error {
	return (&ValidationError{}).Add(field, reason)
}
