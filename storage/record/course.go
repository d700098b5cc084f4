package record

import (
	"strings"
	"time"

	"creditbank/domain"
)

// CourseDoc is one catalogue course. InstitutionID and Code sit at the top
// level because (institutionId, code) is unique and lists filter on them;
// Search is the lower-cased "title code" text that catalogue search matches
// substrings in, derived on write and ignored on read.
type CourseDoc struct {
	ID            string     `json:"id" bson:"_id"`
	Version       int64      `json:"version" bson:"version"`
	InstitutionID string     `json:"institutionId" bson:"institutionId"`
	Code          string     `json:"code" bson:"code"`
	Title         string     `json:"title" bson:"title"`
	Category      string     `json:"category" bson:"category"`
	Hours         float64    `json:"hours" bson:"hours"`
	Credits       *float64   `json:"credits,omitempty" bson:"credits,omitempty"`
	Level         int        `json:"level,omitempty" bson:"level,omitempty"`
	UnitCode      string     `json:"unitCode,omitempty" bson:"unitCode,omitempty"`
	NextStart     *time.Time `json:"nextStart,omitempty" bson:"nextStart,omitempty"`
	Online        bool       `json:"online" bson:"online"`
	Place         string     `json:"place,omitempty" bson:"place,omitempty"`
	CapacityNote  string     `json:"capacityNote,omitempty" bson:"capacityNote,omitempty"`
	CreatedAt     time.Time  `json:"createdAt" bson:"createdAt"`
	UpdatedAt     time.Time  `json:"updatedAt" bson:"updatedAt"`
	Search        string     `json:"search,omitempty" bson:"search,omitempty"`
}

// FromCourse converts a course and derives its search text.
func FromCourse(c *domain.Course) CourseDoc {
	return CourseDoc{
		ID:            idString(c.ID),
		Version:       c.Version,
		InstitutionID: idString(c.InstitutionID),
		Code:          c.Code,
		Title:         c.Title,
		Category:      string(c.Category),
		Hours:         c.Hours,
		Credits:       optFloat(c.Credits),
		Level:         c.Level,
		UnitCode:      c.UnitCode,
		NextStart:     optTime(c.NextStart),
		Online:        c.Online,
		Place:         c.Place,
		CapacityNote:  c.CapacityNote,
		CreatedAt:     c.CreatedAt,
		UpdatedAt:     c.UpdatedAt,
		Search:        CourseSearchText(c.Title, c.Code),
	}
}

// CourseSearchText is what a catalogue query's text is a substring of.
// A newline separates title and code so that no query spans both.
func CourseSearchText(title, code string) string {
	return lower(title) + "\n" + lower(code)
}

// ToDomain converts back; the search text is not read.
func (d CourseDoc) ToDomain() (*domain.Course, error) {
	id, err := parseID("course id", d.ID)
	if err != nil {
		return nil, err
	}
	inst, err := parseID("course institution id", d.InstitutionID)
	if err != nil {
		return nil, err
	}
	return &domain.Course{
		ID:            id,
		Version:       d.Version,
		InstitutionID: inst,
		Code:          d.Code,
		Title:         d.Title,
		Category:      domain.Category(d.Category),
		Hours:         d.Hours,
		Credits:       optFloat(d.Credits),
		Level:         d.Level,
		UnitCode:      d.UnitCode,
		NextStart:     optTime(d.NextStart),
		Online:        d.Online,
		Place:         d.Place,
		CapacityNote:  d.CapacityNote,
		CreatedAt:     utc(d.CreatedAt),
		UpdatedAt:     utc(d.UpdatedAt),
	}, nil
}

// lower folds case the way domain.CourseQuery.Matches does, so stores and
// the domain agree on what matches.
func lower(s string) string { return strings.ToLower(s) }
