package api

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// itemJSON is one node of a rule condition: a group (op, n, items) or a
// match (any of the outcome filters), never both.
type itemJSON struct {
	Op    string     `json:"op,omitempty"`
	N     int        `json:"n,omitempty"`
	Items []itemJSON `json:"items,omitempty"`

	Category      string      `json:"category,omitempty"`
	IssuerIDs     []uuid.UUID `json:"issuerIds,omitempty"`
	CourseCode    string      `json:"courseCode,omitempty"`
	TitleContains string      `json:"titleContains,omitempty"`
	MinLevel      int         `json:"minLevel,omitempty"`
	MinScore      float64     `json:"minScore,omitempty"`
	MinCredits    float64     `json:"minCredits,omitempty"`
	MinHours      float64     `json:"minHours,omitempty"`
	MaxAgeYears   int         `json:"maxAgeYears,omitempty"`
	UnitCodes     []string    `json:"unitCodes,omitempty"`
}

func (it itemJSON) isGroup() bool { return it.Op != "" || it.Items != nil || it.N != 0 }

func (it itemJSON) hasMatch() bool {
	return it.Category != "" || it.IssuerIDs != nil || it.CourseCode != "" || it.TitleContains != "" ||
		it.MinLevel != 0 || it.MinScore != 0 || it.MinCredits != 0 || it.MinHours != 0 || it.MaxAgeYears != 0 || it.UnitCodes != nil
}

func (it itemJSON) toGroup(path string, v *domain.ValidationError) domain.Group {
	g := domain.Group{Op: domain.GroupOp(it.Op), N: it.N}
	for i, child := range it.Items {
		p := path + ".items[" + strconv.Itoa(i) + "]"
		switch {
		case child.isGroup() && child.hasMatch():
			v.Add(p, "an item is either a group (op, n, items) or a match, not both")
		case child.isGroup():
			sub := child.toGroup(p, v)
			g.Items = append(g.Items, domain.Item{Group: &sub})
		default:
			m := domain.Match{Category: domain.Category(child.Category), IssuerIDs: child.IssuerIDs,
				CourseCode: child.CourseCode, TitleContains: child.TitleContains, MinLevel: child.MinLevel,
				MinScore: child.MinScore, MinCredits: child.MinCredits, MinHours: child.MinHours, MaxAgeYears: child.MaxAgeYears,
				UnitCodes: domain.NormalizedUnitCodes(child.UnitCodes)}
			g.Items = append(g.Items, domain.Item{Match: &m})
		}
	}
	return g
}

func groupJSON(g domain.Group) itemJSON {
	out := itemJSON{Op: string(g.Op), N: g.N, Items: []itemJSON{}}
	for _, it := range g.Items {
		if it.Group != nil {
			out.Items = append(out.Items, groupJSON(*it.Group))
			continue
		}
		if m := it.Match; m != nil {
			out.Items = append(out.Items, itemJSON{Category: string(m.Category), IssuerIDs: m.IssuerIDs,
				CourseCode: m.CourseCode, TitleContains: m.TitleContains, MinLevel: m.MinLevel, MinScore: m.MinScore,
				MinCredits: m.MinCredits, MinHours: m.MinHours, MaxAgeYears: m.MaxAgeYears, UnitCodes: m.UnitCodes})
		}
	}
	return out
}

type targetJSON struct {
	CourseCode  string  `json:"courseCode,omitempty"`
	ProgramCode string  `json:"programCode,omitempty"`
	Credits     float64 `json:"credits,omitempty"`
}

type awardJSON struct {
	Mode    string  `json:"mode"`
	Credits float64 `json:"credits,omitempty"`
	Ratio   float64 `json:"ratio,omitempty"`
}

type capJSON struct {
	Scope      string  `json:"scope"`
	MaxCredits float64 `json:"maxCredits"`
}

// ruleRequest is a rule as written by an institution or admin.
type ruleRequest struct {
	Code            string     `json:"code"`
	Name            string     `json:"name"`
	Description     string     `json:"description"`
	InstitutionID   uuid.UUID  `json:"institutionId"`
	Purpose         string     `json:"purpose"`
	Target          targetJSON `json:"target"`
	Condition       *itemJSON  `json:"condition"`
	MinTotalCredits float64    `json:"minTotalCredits"`
	Award           awardJSON  `json:"award"`
	Caps            []capJSON  `json:"caps"`
	CapPerYear      float64    `json:"capPerYear"`
	NoticeDays      int        `json:"noticeDays"`
	Exclusive       bool       `json:"exclusive"`
	Approval        string     `json:"approval"`
	EffectiveFrom   string     `json:"effectiveFrom"`
	EffectiveTo     string     `json:"effectiveTo"`
}

// parseWhen accepts an RFC 3339 time or a district calendar date.
func parseWhen(field, s string, v *domain.ValidationError) *time.Time {
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t
	}
	if d, err := time.ParseInLocation(dateLayout, s, domain.DistrictZone); err == nil {
		d = d.UTC()
		return &d
	}
	v.Add(field, "must be a date YYYY-MM-DD or an RFC 3339 time")
	return nil
}

func (r ruleRequest) toDomain(now time.Time) (domain.Rule, error) {
	v := &domain.ValidationError{}
	out := domain.Rule{
		Code: r.Code, Name: r.Name, Description: r.Description, InstitutionID: r.InstitutionID,
		Purpose:         domain.Purpose(r.Purpose),
		Target:          domain.RuleTarget{CourseCode: r.Target.CourseCode, ProgramCode: r.Target.ProgramCode, Credits: r.Target.Credits},
		MinTotalCredits: r.MinTotalCredits,
		Award:           domain.Award{Mode: domain.AwardMode(r.Award.Mode), Credits: r.Award.Credits, Ratio: r.Award.Ratio},
		Exclusive:       r.Exclusive, Approval: domain.Approval(r.Approval),
		CapPerYear: r.CapPerYear, NoticeDays: r.NoticeDays,
	}
	if r.Condition == nil {
		v.Add("condition", "required")
	} else if r.Condition.hasMatch() && !r.Condition.isGroup() {
		v.Add("condition", "must be a group: {\"op\": \"all\"|\"any\"|\"n_of\", \"items\": [...]}")
	} else {
		out.Condition = r.Condition.toGroup("condition", v)
	}
	for _, c := range r.Caps {
		out.Caps = append(out.Caps, domain.Cap{Scope: domain.CapScope(c.Scope), MaxCredits: c.MaxCredits})
	}
	if from := parseWhen("effectiveFrom", r.EffectiveFrom, v); from != nil {
		out.EffectiveFrom = *from
	} else if r.EffectiveFrom == "" {
		out.EffectiveFrom = domain.Now(now)
	}
	out.EffectiveTo = parseWhen("effectiveTo", r.EffectiveTo, v)
	return out, v.Err()
}

type ruleDTO struct {
	ID              uuid.UUID      `json:"id"`
	Code            string         `json:"code"`
	Version         int            `json:"version"`
	Status          string         `json:"status"`
	Name            string         `json:"name"`
	Description     string         `json:"description,omitempty"`
	InstitutionID   uuid.UUID      `json:"institutionId"`
	Purpose         string         `json:"purpose"`
	Target          targetJSON     `json:"target"`
	Condition       itemJSON       `json:"condition"`
	MinTotalCredits float64        `json:"minTotalCredits,omitempty"`
	Award           awardJSON      `json:"award"`
	Caps            []capJSON      `json:"caps"`
	CapPerYear      float64        `json:"capPerYear,omitempty"`
	NoticeDays      int            `json:"noticeDays,omitempty"`
	Exclusive       bool           `json:"exclusive"`
	Approval        string         `json:"approval"`
	EffectiveFrom   time.Time      `json:"effectiveFrom"`
	EffectiveTo     *time.Time     `json:"effectiveTo,omitempty"`
	CreatedAt       time.Time      `json:"createdAt"`
	PublishedAt     *time.Time     `json:"publishedAt,omitempty"`
	Submission      *submissionDTO `json:"submission,omitempty"`
}

// submissionDTO is a draft's way to publication: "submitted" (waiting in
// the admin's queue) or "returned" with the admin's note.
type submissionDTO struct {
	State string     `json:"state"`
	At    *time.Time `json:"at,omitempty"`
	Note  string     `json:"note,omitempty"`
}

func ruleFrom(r domain.Rule) ruleDTO {
	out := ruleDTO{ID: r.ID, Code: r.Code, Version: r.Version, Status: string(r.Status), Name: r.Name,
		Description: r.Description, InstitutionID: r.InstitutionID, Purpose: string(r.Purpose),
		Target:    targetJSON{CourseCode: r.Target.CourseCode, ProgramCode: r.Target.ProgramCode, Credits: r.Target.Credits},
		Condition: groupJSON(r.Condition), MinTotalCredits: r.MinTotalCredits,
		Award: awardJSON{Mode: string(r.Award.Mode), Credits: r.Award.Credits, Ratio: r.Award.Ratio},
		Caps:  []capJSON{}, CapPerYear: r.CapPerYear, NoticeDays: r.NoticeDays, Exclusive: r.Exclusive, Approval: string(r.Approval),
		EffectiveFrom: r.EffectiveFrom, EffectiveTo: r.EffectiveTo, CreatedAt: r.CreatedAt, PublishedAt: r.PublishedAt}
	for _, c := range r.Caps {
		out.Caps = append(out.Caps, capJSON{Scope: string(c.Scope), MaxCredits: c.MaxCredits})
	}
	if r.Submission.State != domain.SubmissionNone {
		out.Submission = &submissionDTO{State: string(r.Submission.State), At: r.Submission.At, Note: r.Submission.Note}
	}
	return out
}
