package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Course is one entry of an issuing institution's published catalogue
// (课程目录). Learners find courses through it, pathways suggest them, and an
// issuer may deposit an outcome "for" a course so that the outcome cannot
// contradict what the institution advertised.
type Course struct {
	ID            uuid.UUID
	InstitutionID uuid.UUID
	// Code is unique within one institution (two colleges may both run "SF-101").
	Code     string
	Title    string
	Category Category
	Hours    float64
	// Credits is set only when the institution states them; otherwise the
	// credit policy derives them from hours, as for outcomes.
	Credits *float64
	Level   int
	// UnitCode is the certification unit the course leads to, if any;
	// pathways suggest it to learners whom a rule asks for that unit.
	UnitCode  string
	NextStart *time.Time // a district calendar date; nil when not yet scheduled
	Online    bool
	Place     string // where it is taught; may be empty only for online courses
	// CapacityNote is free text ("限 30 人", "名额充足"): capacity is the
	// institution's to manage, the bank only relays it.
	CapacityNote string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Version guards the document with compare-and-swap like an account's.
	Version int64
}

// CourseInput is what institution staff submit for a catalogue entry.
type CourseInput struct {
	Code         string
	Title        string
	Category     string
	Hours        float64
	Credits      *float64
	Level        int
	UnitCode     string
	NextStart    *time.Time
	Online       bool
	Place        string
	CapacityNote string
}

// NewCourse validates a new catalogue entry of an institution.
func NewCourse(in CourseInput, institutionID uuid.UUID, now time.Time) (Course, error) {
	c := Course{ID: NewID(), InstitutionID: institutionID, CreatedAt: Now(now)}
	if err := c.apply(in, now); err != nil {
		return Course{}, err
	}
	return c, nil
}

// Update replaces the editable fields; the code may change too, which the
// store checks for uniqueness again.
func (c *Course) Update(in CourseInput, now time.Time) error {
	next := *c
	if err := next.apply(in, now); err != nil {
		return err
	}
	*c = next
	return nil
}

func (c *Course) apply(in CourseInput, now time.Time) error {
	v := &ValidationError{}
	code := strings.TrimSpace(in.Code)
	if code == "" || utf8.RuneCountInString(code) > 64 {
		v.Add("code", "required, at most 64 characters")
	} else if strings.ContainsAny(code, ",;\t\r\n") {
		// Codes travel through CSV imports: keep them free of separators.
		v.Add("code", "must not contain commas, semicolons, tabs or line breaks")
	}
	title := strings.TrimSpace(in.Title)
	if title == "" || utf8.RuneCountInString(title) > 200 {
		v.Add("title", "required, at most 200 characters")
	} else {
		checkPlainText(v, "title", title)
	}
	cat, err := ParseCategory(in.Category)
	if err != nil {
		v.Add("category", "must be one of academic, vocational, certificate, community, senior, online, other")
	}
	if !(in.Hours > 0 && in.Hours <= MaxOutcomeHours) {
		v.Add("hours", "must be > 0 and ≤ 2000")
	}
	var credits *float64
	if in.Credits != nil {
		cr := *in.Credits
		if !(cr > 0 && cr <= MaxOutcomeCredits) {
			v.Add("credits", "must be > 0 and ≤ 60")
		} else if cr*2 != float64(int(cr*2)) {
			v.Add("credits", "must be a multiple of 0.5")
		} else if in.Hours > 0 && in.Hours <= MaxOutcomeHours {
			checkStatedCredits(v, cr, in.Hours)
		}
		credits = &cr
	} else if cat == CategoryAcademic {
		v.Add("credits", "required for academic courses")
	}
	if in.Level < 0 || in.Level > 10 {
		v.Add("level", "must be between 0 and 10")
	}
	unit := NormalizeUnitCode(in.UnitCode)
	if unit != "" && !validUnitCode(unit) {
		v.Add("unitCode", "not a unit code")
	}
	var start *time.Time
	if in.NextStart != nil {
		d := DateOf(*in.NextStart)
		if d.Before(earliestOutcome) || d.After(DateOf(now).AddDate(5, 0, 0)) {
			v.Add("nextStart", "must be a date between 1950 and five years from today")
		}
		start = &d
	}
	place := strings.TrimSpace(in.Place)
	if utf8.RuneCountInString(place) > 100 {
		v.Add("place", "at most 100 characters")
	} else if place == "" && !in.Online {
		v.Add("place", "required unless the course is online")
	}
	note := strings.TrimSpace(in.CapacityNote)
	if utf8.RuneCountInString(note) > 100 {
		v.Add("capacityNote", "at most 100 characters")
	}
	if err := v.Err(); err != nil {
		return err
	}
	c.Code, c.Title, c.Category, c.Hours, c.Credits = code, title, cat, in.Hours, credits
	c.Level, c.NextStart, c.Online, c.Place, c.CapacityNote = in.Level, start, in.Online, place, note
	c.UnitCode = unit
	c.UpdatedAt = Now(now)
	return nil
}

// CreditsUnder is what completing the course banks: the stated credits, or
// the policy's derivation from hours.
func (c Course) CreditsUnder(p CreditPolicy) float64 {
	if c.Credits != nil {
		return *c.Credits
	}
	return p.CreditsFor(c.Category, c.Hours)
}

// MaxCourseQuery bounds a catalogue search text.
const MaxCourseQuery = 50

// CourseQuery is a public catalogue search; zero values mean "any".
type CourseQuery struct {
	Text          string // substring of the title or the code, case-insensitive
	Category      Category
	InstitutionID uuid.UUID
}

// NewCourseQuery validates search parameters as typed by a visitor.
func NewCourseQuery(text, category string, institutionID uuid.UUID) (CourseQuery, error) {
	q := CourseQuery{Text: strings.TrimSpace(text), InstitutionID: institutionID}
	if utf8.RuneCountInString(q.Text) > MaxCourseQuery {
		return CourseQuery{}, Invalid("q", "at most 50 characters")
	}
	if category != "" {
		c, err := ParseCategory(category)
		if err != nil {
			return CourseQuery{}, Invalid("category", "unknown category "+quote(category))
		}
		q.Category = c
	}
	return q, nil
}

// Matches is the search semantics every store implements: Chinese text has
// no word boundaries, so the text is a plain substring of the title or code
// (书法 finds 硬笔书法入门), compared case-insensitively for Latin letters.
func (q CourseQuery) Matches(c Course) bool {
	if q.Category != "" && c.Category != q.Category {
		return false
	}
	if q.InstitutionID != uuid.Nil && c.InstitutionID != q.InstitutionID {
		return false
	}
	if q.Text == "" {
		return true
	}
	t := strings.ToLower(q.Text)
	return strings.Contains(strings.ToLower(c.Title), t) || strings.Contains(strings.ToLower(c.Code), t)
}

// ApplyCourse fills an outcome input from the catalogue course it is issued
// for, and refuses an input that contradicts the course: another category,
// another code, or more hours than the course has (fewer are fine: a learner
// may be credited for the part attended). Title, category, code, hours and
// level are taken from the course where the input leaves them empty; stated
// credits only when the learner did the whole course.
func ApplyCourse(in *OutcomeInput, c Course) error {
	v := &ValidationError{}
	switch {
	case strings.TrimSpace(in.Category) == "":
		in.Category = string(c.Category)
	case in.Category != string(c.Category):
		v.Add("category", "differs from the course's category")
	}
	switch code := strings.TrimSpace(in.CourseCode); {
	case code == "":
		in.CourseCode = c.Code
	case code != c.Code:
		v.Add("courseCode", "differs from the course's code")
	}
	switch {
	case in.Hours == 0:
		in.Hours = c.Hours
	case in.Hours > c.Hours:
		v.Add("hours", "more than the course's hours")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if strings.TrimSpace(in.Title) == "" {
		in.Title = c.Title
	}
	if in.Level == 0 {
		in.Level = c.Level
	}
	if strings.TrimSpace(in.UnitCode) == "" {
		in.UnitCode = c.UnitCode
	}
	if in.Credits == nil && c.Credits != nil && in.Hours == c.Hours {
		cr := *c.Credits
		in.Credits = &cr
	}
	return nil
}
