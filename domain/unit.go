package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// UnitStatus is the closed set of certification-unit states. A draft is not
// yet usable; an active unit may be referenced by outcomes, courses and
// rules; a retired one stays readable (outcomes keep pointing at it) but
// takes no new outcomes.
type UnitStatus string

const (
	UnitDraft   UnitStatus = "draft"
	UnitActive  UnitStatus = "active"
	UnitRetired UnitStatus = "retired"
)

// AssessmentType is how a unit's outcomes are assessed (the EU
// micro-credential standard asks every credential to say so).
type AssessmentType string

const (
	AssessExam        AssessmentType = "exam"
	AssessPractical   AssessmentType = "practical"
	AssessProject     AssessmentType = "project"
	AssessPortfolio   AssessmentType = "portfolio"
	AssessObservation AssessmentType = "observation"
	AssessCoursework  AssessmentType = "coursework"
)

// AssessmentTypes lists every assessment type in display order.
var AssessmentTypes = []AssessmentType{
	AssessExam, AssessPractical, AssessProject, AssessPortfolio, AssessObservation, AssessCoursework,
}

// Unit is a certification unit (认证单元): a defined piece of learning with a
// code, a level of the framework and a credit value, so that rules compare
// like with like instead of matching free-text titles.
type Unit struct {
	Code             string
	TitleZH          string
	TitleEN          string
	Level            int
	Credits          float64
	Hours            float64
	Category         Category
	LearningOutcomes string
	Assessment       AssessmentType
	QANote           string
	Status           UnitStatus
	// Version counts saves; it guards the document with compare-and-swap
	// and is the unit's published version number.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	UpdatedBy string
}

// UnitInput is what an admin or an accredited institution submits.
type UnitInput struct {
	Code             string
	TitleZH          string
	TitleEN          string
	Level            int
	Credits          float64
	Hours            float64
	Category         string
	LearningOutcomes string
	Assessment       string
	QANote           string
	Status           string
}

// NormalizeUnitCode is how unit codes compare: trimmed, upper case.
func NormalizeUnitCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func validUnitCode(code string) bool {
	if len(code) < 2 || len(code) > 40 {
		return false
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// NewUnit validates a new unit against the framework. A unit starts as a
// draft unless the input says active.
func NewUnit(in UnitInput, fw Framework, by string, now time.Time) (Unit, error) {
	u := Unit{Code: NormalizeUnitCode(in.Code), Status: UnitDraft, CreatedAt: Now(now)}
	v := &ValidationError{}
	if !validUnitCode(u.Code) {
		v.Add("code", "2–40 characters: letters, digits, - . _")
	}
	if in.Status == "" {
		in.Status = string(UnitDraft)
	}
	if in.Status == string(UnitRetired) {
		v.Add("status", "a new unit is draft or active")
	}
	if err := u.apply(in, fw, by, now, v); err != nil {
		return Unit{}, err
	}
	return u, nil
}

// Revise applies an edit: the code never changes, a retired unit is never
// revived, and every edit is a new version (the store bumps Version).
func (u *Unit) Revise(in UnitInput, fw Framework, by string, now time.Time) error {
	v := &ValidationError{}
	if c := NormalizeUnitCode(in.Code); c != "" && c != u.Code {
		v.Add("code", "a unit's code cannot change")
	}
	if in.Status == "" {
		in.Status = string(u.Status)
	}
	if u.Status == UnitRetired && in.Status != string(UnitRetired) {
		v.Add("status", "a retired unit stays retired; create a new unit instead")
	}
	if u.Status == UnitActive && in.Status == string(UnitDraft) {
		v.Add("status", "an active unit cannot go back to draft; retire it instead")
	}
	next := *u
	if err := next.apply(in, fw, by, now, v); err != nil {
		return err
	}
	*u = next
	return nil
}

func (u *Unit) apply(in UnitInput, fw Framework, by string, now time.Time, v *ValidationError) error {
	u.TitleZH, u.TitleEN = strings.TrimSpace(in.TitleZH), strings.TrimSpace(in.TitleEN)
	if n := utf8.RuneCountInString(u.TitleZH); n == 0 || n > 200 {
		v.Add("titleZh", "required, at most 200 characters")
	}
	if n := utf8.RuneCountInString(u.TitleEN); n == 0 || n > 200 {
		v.Add("titleEn", "required, at most 200 characters")
	}
	u.Level = in.Level
	if in.Level < 1 {
		v.Add("level", "required: a level of the framework")
	} else if err := fw.CheckLevel("level", in.Level); err != nil {
		v.Problems = append(v.Problems, err.(*ValidationError).Problems...)
	}
	u.Credits, u.Hours = in.Credits, in.Hours
	if !(in.Credits > 0 && in.Credits <= MaxOutcomeCredits) {
		v.Add("credits", "must be > 0 and ≤ 60")
	} else if FloorHalf(in.Credits) != in.Credits {
		v.Add("credits", "in steps of 0.5")
	}
	if !(in.Hours > 0 && in.Hours <= MaxOutcomeHours) {
		v.Add("hours", "must be > 0 and ≤ 2000")
	}
	cat, err := ParseCategory(in.Category)
	if err != nil {
		v.Add("category", "unknown category")
	}
	u.Category = cat
	u.LearningOutcomes = strings.TrimSpace(in.LearningOutcomes)
	if n := utf8.RuneCountInString(u.LearningOutcomes); n == 0 || n > 4000 {
		v.Add("learningOutcomes", "required, at most 4000 characters")
	}
	u.Assessment = AssessmentType(in.Assessment)
	if !validAssessment(u.Assessment) {
		v.Add("assessment", "must be one of exam, practical, project, portfolio, observation, coursework")
	}
	u.QANote = strings.TrimSpace(in.QANote)
	if utf8.RuneCountInString(u.QANote) > 1000 {
		v.Add("qaNote", "at most 1000 characters")
	}
	switch st := UnitStatus(in.Status); st {
	case UnitDraft, UnitActive, UnitRetired:
		u.Status = st
	default:
		v.Add("status", "must be draft, active or retired")
	}
	u.UpdatedAt, u.UpdatedBy = Now(now), by
	return v.Err()
}

func validAssessment(a AssessmentType) bool {
	for _, x := range AssessmentTypes {
		if x == a {
			return true
		}
	}
	return false
}

// CheckUse says whether an outcome may be issued against the unit now.
func (u Unit) CheckUse(field string) error {
	if u.Status != UnitActive {
		return Invalid(field, "unit "+u.Code+" is "+string(u.Status)+", not active")
	}
	return nil
}

// UnitQuery narrows a unit list (zero values = any).
type UnitQuery struct {
	Category Category
	Status   UnitStatus
	Level    int
}

// Matches is the semantics every store's ListUnits implements.
func (q UnitQuery) Matches(u Unit) bool {
	return (q.Category == "" || u.Category == q.Category) &&
		(q.Status == "" || u.Status == q.Status) &&
		(q.Level == 0 || u.Level == q.Level)
}

// ApplyUnit fills an outcome from the unit it certifies, as ApplyCourse
// does from a catalogue course: what the issuer left out comes from the
// unit, and what the issuer stated must not contradict it. The outcome's
// level is the unit's; credits are the unit's unless the issuer states them
// or reports fewer hours than the unit asks.
func ApplyUnit(in *OutcomeInput, u Unit) error {
	v := &ValidationError{}
	if err := u.CheckUse("unitCode"); err != nil {
		return err
	}
	in.UnitCode = u.Code
	switch {
	case strings.TrimSpace(in.Category) == "":
		in.Category = string(u.Category)
	case in.Category != string(u.Category):
		v.Add("category", "differs from the unit's category ("+string(u.Category)+")")
	}
	switch {
	case in.Level == 0:
		in.Level = u.Level
	case in.Level != u.Level:
		v.Add("level", "differs from the unit's level "+itoa(u.Level))
	}
	if in.Hours == 0 {
		in.Hours = u.Hours
	}
	if err := v.Err(); err != nil {
		return err
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = u.TitleZH
	}
	if in.Credits == nil && in.Hours >= u.Hours {
		cr := u.Credits
		in.Credits = &cr
	}
	return nil
}
