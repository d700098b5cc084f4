package api

import (
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

type courseDTO struct {
	ID            uuid.UUID `json:"id"`
	InstitutionID uuid.UUID `json:"institutionId"`
	Code          string    `json:"code"`
	Title         string    `json:"title"`
	Category      string    `json:"category"`
	Hours         float64   `json:"hours"`
	Credits       *float64  `json:"credits,omitempty"` // only when the institution states them
	// BankCredits is what completing the course banks: the stated credits
	// or, failing them, the credit policy's for its hours and category.
	BankCredits  float64   `json:"bankCredits,omitempty"`
	Level        int       `json:"level,omitempty"`
	UnitCode     string    `json:"unitCode,omitempty"`
	NextStart    *string   `json:"nextStart,omitempty"`
	Online       bool      `json:"online"`
	Place        string    `json:"place,omitempty"`
	CapacityNote string    `json:"capacityNote,omitempty"`
	UpdatedAt    time.Time `json:"updatedAt"`
	Version      int64     `json:"version"`
}

func courseFrom(c domain.Course) courseDTO {
	return courseDTO{
		ID: c.ID, InstitutionID: c.InstitutionID, Code: c.Code, Title: c.Title, Category: string(c.Category),
		Hours: c.Hours, Credits: c.Credits, Level: c.Level, UnitCode: c.UnitCode, NextStart: optDate(c.NextStart), Online: c.Online,
		Place: c.Place, CapacityNote: c.CapacityNote, UpdatedAt: c.UpdatedAt, Version: c.Version,
	}
}

type courseRequest struct {
	Code         string   `json:"code"`
	Title        string   `json:"title"`
	Category     string   `json:"category"`
	Hours        float64  `json:"hours"`
	Credits      *float64 `json:"credits"`
	Level        int      `json:"level"`
	UnitCode     string   `json:"unitCode"`
	NextStart    *string  `json:"nextStart"`
	Online       bool     `json:"online"`
	Place        string   `json:"place"`
	CapacityNote string   `json:"capacityNote"`
}

// courseEditRequest is a PUT: the course as above, and optionally the
// version the editor loaded, so that an edit saved meanwhile makes this one
// a 409 instead of being overwritten.
type courseEditRequest struct {
	courseRequest
	Version int64 `json:"version"`
}

// toInput converts the request; a start date that does not parse is
// returned as a problem for the service to report with everything else.
func (r courseRequest) toInput() service.CourseInput {
	in := service.CourseInput{CourseInput: domain.CourseInput{
		Code: r.Code, Title: r.Title, Category: r.Category, Hours: r.Hours, Credits: r.Credits,
		Level: r.Level, UnitCode: r.UnitCode, Online: r.Online, Place: r.Place, CapacityNote: r.CapacityNote,
	}}
	if r.NextStart != nil && *r.NextStart != "" {
		t, err := time.Parse(dateLayout, *r.NextStart)
		if err != nil {
			in.DecodeProblems = append(in.DecodeProblems, domain.FieldProblem{Field: "nextStart", Reason: "must be a date YYYY-MM-DD"})
		} else {
			in.NextStart = &t
		}
	}
	return in
}

type ruleRefDTO struct {
	ID            uuid.UUID  `json:"id"`
	Code          string     `json:"code"`
	Version       int        `json:"version"`
	Name          string     `json:"name"`
	Description   string     `json:"description,omitempty"`
	InstitutionID uuid.UUID  `json:"institutionId"`
	Purpose       string     `json:"purpose"`
	Target        targetJSON `json:"target"`
}

type suggestionDTO struct {
	Courses    []courseDTO `json:"courses"`
	TotalHours float64     `json:"totalHours"`
	Credits    float64     `json:"credits"`
	StartsOn   *string     `json:"startsOn,omitempty"`
}

type pathwayDTO struct {
	Rule ruleRefDTO `json:"rule"`
	// Status is "ready" (apply now) or "shortfall".
	Status      string          `json:"status"`
	Shortfall   *shortfallDTO   `json:"shortfall,omitempty"`
	Evaluation  evaluationJSON  `json:"evaluation"`
	Suggestions []suggestionDTO `json:"suggestions"`
}

func pathwayFrom(p domain.Pathway) pathwayDTO {
	r := p.Rule
	out := pathwayDTO{
		Rule: ruleRefDTO{ID: r.ID, Code: r.Code, Version: r.Version, Name: r.Name, Description: r.Description,
			InstitutionID: r.InstitutionID, Purpose: string(r.Purpose),
			Target: targetJSON{CourseCode: r.Target.CourseCode, ProgramCode: r.Target.ProgramCode, Credits: r.Target.Credits}},
		Status: "shortfall", Evaluation: evaluationDTO(p.Evaluation), Suggestions: []suggestionDTO{},
	}
	if p.Ready {
		out.Status = "ready"
	}
	out.Shortfall = out.Evaluation.Shortfall
	for _, s := range p.Suggestions {
		d := suggestionDTO{TotalHours: s.Hours, Credits: s.Credits, StartsOn: optDate(s.StartsOn)}
		for i, c := range s.Courses {
			cd := courseFrom(c)
			if i < len(s.CourseCredits) {
				cd.BankCredits = s.CourseCredits[i]
			}
			d.Courses = append(d.Courses, cd)
		}
		out.Suggestions = append(out.Suggestions, d)
	}
	return out
}

type alertDTO struct {
	Kind          string     `json:"kind"`
	Ref           uuid.UUID  `json:"ref"`
	Title         string     `json:"title,omitempty"`
	At            time.Time  `json:"at"`
	DaysLeft      *int       `json:"daysLeft,omitempty"`
	Status        string     `json:"status,omitempty"`
	InstitutionID *uuid.UUID `json:"institutionId,omitempty"`
	New           bool       `json:"new"`
	// Note is the reason the learner was given (a decision, a revocation).
	Note string `json:"note,omitempty"`
}

func alertFrom(a domain.Alert) alertDTO {
	out := alertDTO{Kind: string(a.Kind), Ref: a.Ref, Title: a.Title, At: a.At, Status: string(a.Status), New: a.New, Note: a.Note}
	if a.Kind == domain.AlertCertificateExpiring || a.Kind == domain.AlertCertificateExpired || a.Kind == domain.AlertGrantEnding {
		d := a.DaysLeft
		out.DaysLeft = &d
	}
	if a.InstitutionID != uuid.Nil {
		id := a.InstitutionID
		out.InstitutionID = &id
	}
	return out
}

// alertsDTO is the alert list with the badge count and the moment it
// describes, which the client sends back to mark these alerts seen.
type alertsDTO struct {
	Items  []alertDTO `json:"items"`
	Unseen int        `json:"unseen"`
	AsOf   time.Time  `json:"asOf"`
}

func alertsFrom(as []domain.Alert, asOf time.Time) alertsDTO {
	out := alertsDTO{Items: make([]alertDTO, 0, len(as)), Unseen: domain.UnseenAlerts(as), AsOf: asOf}
	for _, a := range as {
		out.Items = append(out.Items, alertFrom(a))
	}
	return out
}

type alertsSeenRequest struct {
	SeenAt string `json:"seenAt"` // the asOf of the listing the learner saw
}
