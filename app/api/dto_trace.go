package api

import (
	"time"

	"creditbank/domain"
)

// Trace steps and shortfalls go out as data beside their Chinese message, so
// that the client words them in its reader's language and never shows a
// condition path, a category code or a step code to a learner.

type itemRefJSON struct {
	// Path is the condition path, for a reviewer's technical details.
	Path   string    `json:"path"`
	Number string    `json:"number"`
	Op     string    `json:"op,omitempty"`
	N      int       `json:"n,omitempty"`
	Match  *itemJSON `json:"match,omitempty"`
}

type outcomeRefJSON struct {
	Title    string  `json:"title"`
	Category string  `json:"category"`
	Credits  float64 `json:"credits"`
}

type nearMissJSON struct {
	Title string `json:"title"`
	Field string `json:"field"`
	Have  string `json:"have,omitempty"`
	Want  string `json:"want,omitempty"`
}

type stepFactsJSON struct {
	Form     string           `json:"form,omitempty"`
	Item     *itemRefJSON     `json:"item,omitempty"`
	Outcomes []outcomeRefJSON `json:"outcomes,omitempty"`
	More     int              `json:"more,omitempty"`
	Misses   []nearMissJSON   `json:"misses,omitempty"`
	Count    int              `json:"count"`
	Held     int              `json:"held"`
	Of       int              `json:"of"`
	Need     int              `json:"need"`
	Credits  float64          `json:"credits"`
	Required float64          `json:"required"`
	Got      float64          `json:"got"`
	Max      float64          `json:"max"`
	Left     float64          `json:"left"`
	From     float64          `json:"from"`
	Ratio    float64          `json:"ratio"`
	Raw      float64          `json:"raw"`
	Scope    string           `json:"scope,omitempty"`
	Year     int              `json:"year,omitempty"`
	Date     *time.Time       `json:"date,omitempty"`
	Rule     string           `json:"rule,omitempty"`
	Other    string           `json:"other,omitempty"`
	Unit     string           `json:"unit,omitempty"`
}

type missingPartJSON struct {
	Item     itemRefJSON `json:"item"`
	Possible int         `json:"possible"`
}

func itemRefFrom(r domain.ItemRef) itemRefJSON {
	out := itemRefJSON{Path: r.Path, Number: r.Number, Op: string(r.Op), N: r.N}
	if r.Match != nil {
		m := r.Match
		out.Match = &itemJSON{Category: string(m.Category), IssuerIDs: m.IssuerIDs,
			CourseCode: m.CourseCode, TitleContains: m.TitleContains, MinLevel: m.MinLevel, MinScore: m.MinScore,
			MinCredits: m.MinCredits, MinHours: m.MinHours, MaxAgeYears: m.MaxAgeYears, UnitCodes: m.UnitCodes}
		out.Op, out.N = "", 0
	}
	return out
}

func stepFactsFrom(f *domain.StepFacts) *stepFactsJSON {
	if f == nil {
		return nil
	}
	out := &stepFactsJSON{Form: f.Form, More: f.More, Count: f.Count, Held: f.Held, Of: f.Of, Need: f.Need,
		Credits: f.Credits, Required: f.Required, Got: f.Got, Max: f.Max, Left: f.Left, From: f.From, Ratio: f.Ratio, Raw: f.Raw,
		Scope: string(f.Scope), Year: f.Year, Date: f.Date, Rule: f.Rule, Other: f.Other, Unit: f.Unit}
	if f.Item != nil {
		r := itemRefFrom(*f.Item)
		out.Item = &r
	}
	for _, o := range f.Outcomes {
		out.Outcomes = append(out.Outcomes, outcomeRefJSON{Title: o.Title, Category: string(o.Category), Credits: o.Credits})
	}
	for _, m := range f.Misses {
		out.Misses = append(out.Misses, nearMissJSON(m))
	}
	return out
}

func shortfallFrom(s *domain.Shortfall) *shortfallDTO {
	if s == nil {
		return nil
	}
	out := &shortfallDTO{Credits: s.Credits, Message: s.Message, Missing: []missingPartJSON{}, Categories: []string{}}
	d := s.Detail()
	if d == nil {
		return out
	}
	out.Reason, out.Scope, out.Max, out.Year = string(d.Reason), string(d.Scope), d.Max, d.Year
	for _, m := range d.Missing {
		out.Missing = append(out.Missing, missingPartJSON{Item: itemRefFrom(m.Item), Possible: m.Possible})
	}
	for _, c := range d.Categories {
		out.Categories = append(out.Categories, string(c))
	}
	return out
}
