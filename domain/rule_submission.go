package domain

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SubmissionState is where a draft stands on its way to publication: the
// converting institution submits it, the admin publishes it or returns it
// with a note. The closed set is below.
type SubmissionState string

const (
	SubmissionNone      SubmissionState = ""
	SubmissionSubmitted SubmissionState = "submitted"
	SubmissionReturned  SubmissionState = "returned"
)

// Submission records the last step of a draft's submission: who took it,
// when, and (for a return) the admin's note.
type Submission struct {
	State SubmissionState
	At    *time.Time
	By    string
	Note  string
}

// MaxReturnNote bounds the admin's note on a returned draft.
const MaxReturnNote = 1000

// Submitted reports whether the draft waits in the admin's queue.
func (r Rule) Submitted() bool {
	return r.Status == RuleDraft && r.Submission.State == SubmissionSubmitted
}

// Submit puts a draft in the admin's queue for publication. It validates
// first, so the queue holds only publishable drafts.
func (r *Rule) Submit(by string, now time.Time) error {
	if r.Status != RuleDraft {
		return fmt.Errorf("%w: only a draft can be submitted (rule %s version %d is %s)", ErrConflict, r.Code, r.Version, r.Status)
	}
	if r.Submission.State == SubmissionSubmitted {
		return fmt.Errorf("%w: rule %s version %d is already submitted", ErrConflict, r.Code, r.Version)
	}
	if err := r.Validate(); err != nil {
		return err
	}
	t := Now(now)
	r.Submission = Submission{State: SubmissionSubmitted, At: &t, By: by}
	return nil
}

// ReturnDraft sends a submitted draft back to its institution with a note
// saying what to change.
func (r *Rule) ReturnDraft(by, note string, now time.Time) error {
	if !r.Submitted() {
		return fmt.Errorf("%w: rule %s version %d is not waiting for publication", ErrConflict, r.Code, r.Version)
	}
	note = strings.TrimSpace(note)
	switch n := utf8.RuneCountInString(note); {
	case n == 0:
		return (&ValidationError{}).AddCode("note", ProblemRequired, nil, "required: say what to change")
	case n > MaxReturnNote:
		return (&ValidationError{}).AddCode("note", ProblemTooLong, map[string]any{"max": MaxReturnNote}, fmt.Sprintf("at most %d characters", MaxReturnNote))
	}
	t := Now(now)
	r.Submission = Submission{State: SubmissionReturned, At: &t, By: by, Note: note}
	return nil
}
