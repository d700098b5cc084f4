package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// OutcomeStatus is the closed set of outcome states. Outcomes are never
// deleted: a mistaken one is revoked and the ledger says so.
type OutcomeStatus string

const (
	OutcomeActive  OutcomeStatus = "active"
	OutcomeRevoked OutcomeStatus = "revoked"
)

// Result is how the learner did. Exactly one of Score, Grade or Passed is set.
type Result struct {
	Score    *float64 // 0..100
	PassMark *float64 // defaults to 60
	Grade    string   // A..F
	Passed   *bool
}

// DefaultPassMark applies when the issuer states none.
const DefaultPassMark = 60

// Validate checks the result's shape and that it is a pass: only passed
// outcomes are banked.
func (r Result) Validate() error {
	set := 0
	if r.Score != nil {
		set++
	}
	if r.Grade != "" {
		set++
	}
	if r.Passed != nil {
		set++
	}
	if set != 1 {
		return Invalid("result", "give exactly one of score, grade or passed")
	}
	switch {
	case r.Score != nil:
		// Written as a positive range so that NaN (parseable from CSV) fails too.
		if !(*r.Score >= 0 && *r.Score <= 100) {
			return Invalid("result.score", "must be between 0 and 100")
		}
		mark := float64(DefaultPassMark)
		if r.PassMark != nil {
			if !(*r.PassMark >= 0 && *r.PassMark <= 100) {
				return Invalid("result.passMark", "must be between 0 and 100")
			}
			mark = *r.PassMark
		}
		if *r.Score < mark {
			return Invalid("result.score", "below the pass mark: only passed outcomes are banked")
		}
	case r.Grade != "":
		switch r.Grade {
		case "A", "B", "C", "D", "E":
		case "F":
			return Invalid("result.grade", "grade F is a fail: only passed outcomes are banked")
		default:
			return Invalid("result.grade", "must be one of A–F")
		}
	case r.Passed != nil:
		if !*r.Passed {
			return Invalid("result.passed", "only passed outcomes are banked")
		}
	}
	return nil
}

// ScoreValue is a comparable score for rules: the score itself, or a grade
// mapped onto the 100-point scale (A=95, B=85, C=75, D=65, E=60), or 60 for a
// plain pass.
func (r Result) ScoreValue() float64 {
	switch {
	case r.Score != nil:
		return *r.Score
	case r.Grade != "":
		return map[string]float64{"A": 95, "B": 85, "C": 75, "D": 65, "E": 60}[r.Grade]
	default:
		return DefaultPassMark
	}
}

// Outcome is one banked learning outcome (学习成果).
type Outcome struct {
	ID            uuid.UUID
	AccountID     uuid.UUID
	IssuerID      uuid.UUID
	Category      Category
	Title         string
	CourseCode    string
	Hours         float64
	Credits       float64
	CreditsStated bool // the issuer stated credits instead of deriving them from hours
	Result        Result
	Level         int // optional qualification level (e.g. 1–5 for skill certificates)
	// UnitCode names the certification unit (认证单元) the outcome
	// certifies, if any; its level is the unit's.
	UnitCode      string
	CompletedOn   time.Time
	ExpiresOn     *time.Time
	Status        OutcomeStatus
	RevokedReason string
	RevokedAt     *time.Time
	IssuedAt      time.Time
	IssuedBy      string // actor id of the staff member or client that deposited it
}

// OutcomeInput is what an issuer submits; NewOutcome validates it.
type OutcomeInput struct {
	Category    string
	Title       string
	CourseCode  string
	Hours       float64
	Credits     *float64
	Result      Result
	Level       int
	UnitCode    string
	CompletedOn time.Time
	ExpiresOn   *time.Time
}

var earliestOutcome = time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)

// NewOutcome validates an issuer's input against the credit policy and returns
// an active outcome with its credits computed. All problems are reported at once.
func NewOutcome(in OutcomeInput, issuerID, accountID uuid.UUID, policy CreditPolicy, now time.Time) (Outcome, error) {
	v := &ValidationError{}
	cat, err := ParseCategory(in.Category)
	if err != nil {
		v.Add("category", "must be one of academic, vocational, certificate, community, senior, online, other")
	}
	title := strings.TrimSpace(in.Title)
	if title == "" || utf8.RuneCountInString(title) > 200 {
		v.Add("title", "required, at most 200 characters")
	} else {
		checkPlainText(v, "title", title)
	}
	code := strings.TrimSpace(in.CourseCode)
	if utf8.RuneCountInString(code) > 64 {
		v.Add("courseCode", "at most 64 characters")
	}
	if !(in.Hours > 0 && in.Hours <= MaxOutcomeHours) {
		v.Add("hours", "must be > 0 and ≤ 2000")
	}
	credits := 0.0
	stated := in.Credits != nil
	if stated {
		credits = *in.Credits
		if !(credits > 0 && credits <= MaxOutcomeCredits) {
			v.Add("credits", "must be > 0 and ≤ 60")
		} else if credits*2 != float64(int(credits*2)) {
			v.Add("credits", "must be a multiple of 0.5")
		} else if in.Hours > 0 && in.Hours <= MaxOutcomeHours {
			checkStatedCredits(v, credits, in.Hours)
		}
	} else if cat == CategoryAcademic {
		v.Add("credits", "required for academic outcomes")
	}
	if err := in.Result.Validate(); err != nil {
		var ve *ValidationError
		if asValidation(err, &ve) {
			v.Problems = append(v.Problems, ve.Problems...)
		}
	}
	if in.Level < 0 || in.Level > 10 {
		v.Add("level", "must be between 0 and 10")
	}
	if u := NormalizeUnitCode(in.UnitCode); u != "" && !validUnitCode(u) {
		v.Add("unitCode", "not a unit code")
	}
	today := DateOf(now)
	completed := DateOf(in.CompletedOn)
	if in.CompletedOn.IsZero() {
		v.Add("completedOn", "required (YYYY-MM-DD)")
	} else if completed.After(today) {
		v.Add("completedOn", "must not be in the future")
	} else if completed.Before(earliestOutcome) {
		v.Add("completedOn", "must not be before 1950-01-01")
	}
	var expires *time.Time
	if in.ExpiresOn != nil {
		e := DateOf(*in.ExpiresOn)
		if !e.After(completed) {
			v.Add("expiresOn", "must be after completedOn")
		}
		expires = &e
	}
	if err := v.Err(); err != nil {
		return Outcome{}, err
	}
	if !stated {
		credits = policy.CreditsFor(cat, in.Hours)
		if credits <= 0 {
			return Outcome{}, Invalid("hours", "too few hours for half a credit under the credit policy")
		}
		if credits > MaxOutcomeCredits {
			return Outcome{}, Invalid("credits", "the hours give more than 60 credits under the credit policy: state credits explicitly")
		}
	}
	return Outcome{
		ID:            NewID(),
		AccountID:     accountID,
		IssuerID:      issuerID,
		Category:      cat,
		Title:         title,
		CourseCode:    code,
		Hours:         in.Hours,
		Credits:       credits,
		CreditsStated: stated,
		Result:        in.Result,
		Level:         in.Level,
		UnitCode:      NormalizeUnitCode(in.UnitCode),
		CompletedOn:   completed,
		ExpiresOn:     expires,
		Status:        OutcomeActive,
		IssuedAt:      Now(now),
	}, nil
}

// CheckCompletedAfterBirth refuses an outcome dated before its learner was
// born (the birth date the national ID states); a zero birth date is unknown.
func (o Outcome) CheckCompletedAfterBirth(birth time.Time) error {
	if !birth.IsZero() && o.CompletedOn.Before(DateOf(birth)) {
		return Invalid("completedOn", "must not be before the learner's date of birth (from the national ID)")
	}
	return nil
}

// Counts reports whether the outcome counts towards the balance at now:
// active and not expired.
func (o Outcome) Counts(now time.Time) bool {
	if o.Status != OutcomeActive {
		return false
	}
	return o.ExpiresOn == nil || DateOf(now).Before(*o.ExpiresOn)
}

// SameAs reports whether two outcomes record the same achievement: the same
// issuer, course, title and completion date. Used to refuse double deposits.
func (o Outcome) SameAs(p Outcome) bool {
	return o.IssuerID == p.IssuerID && o.CourseCode == p.CourseCode &&
		o.Title == p.Title && o.CompletedOn.Equal(p.CompletedOn)
}
