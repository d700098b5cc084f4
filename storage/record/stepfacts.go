package record

import (
	"time"

	"creditbank/domain"
)

// StepFactsDoc is a trace step's parts (domain.StepFacts), from which a
// client words the step in its reader's language. Zero fields are left out.
type StepFactsDoc struct {
	Form     string          `json:"form,omitempty" bson:"form,omitempty"`
	Item     *ItemRefDoc     `json:"item,omitempty" bson:"item,omitempty"`
	Outcomes []OutcomeRefDoc `json:"outcomes,omitempty" bson:"outcomes,omitempty"`
	More     int             `json:"more,omitempty" bson:"more,omitempty"`
	Misses   []NearMissDoc   `json:"misses,omitempty" bson:"misses,omitempty"`
	Count    int             `json:"count,omitempty" bson:"count,omitempty"`
	Held     int             `json:"held,omitempty" bson:"held,omitempty"`
	Of       int             `json:"of,omitempty" bson:"of,omitempty"`
	Need     int             `json:"need,omitempty" bson:"need,omitempty"`
	Credits  float64         `json:"credits,omitempty" bson:"credits,omitempty"`
	Required float64         `json:"required,omitempty" bson:"required,omitempty"`
	Got      float64         `json:"got,omitempty" bson:"got,omitempty"`
	Max      float64         `json:"max,omitempty" bson:"max,omitempty"`
	Left     float64         `json:"left,omitempty" bson:"left,omitempty"`
	From     float64         `json:"from,omitempty" bson:"from,omitempty"`
	Ratio    float64         `json:"ratio,omitempty" bson:"ratio,omitempty"`
	Raw      float64         `json:"raw,omitempty" bson:"raw,omitempty"`
	Scope    string          `json:"scope,omitempty" bson:"scope,omitempty"`
	Year     int             `json:"year,omitempty" bson:"year,omitempty"`
	Date     *time.Time      `json:"date,omitempty" bson:"date,omitempty"`
	Rule     string          `json:"rule,omitempty" bson:"rule,omitempty"`
	Other    string          `json:"other,omitempty" bson:"other,omitempty"`
	Unit     string          `json:"unit,omitempty" bson:"unit,omitempty"`
}

// ItemRefDoc names a part of a rule's condition (domain.ItemRef). The
// match is kept as the rule then said it: the rule may change later, the
// step must not.
type ItemRefDoc struct {
	Path   string    `json:"path,omitempty" bson:"path,omitempty"`
	Number string    `json:"number,omitempty" bson:"number,omitempty"`
	Op     string    `json:"op,omitempty" bson:"op,omitempty"`
	N      int       `json:"n,omitempty" bson:"n,omitempty"`
	Match  *MatchDoc `json:"match,omitempty" bson:"match,omitempty"`
}

// OutcomeRefDoc names an outcome in a step.
type OutcomeRefDoc struct {
	Title    string  `json:"title,omitempty" bson:"title,omitempty"`
	Category string  `json:"category,omitempty" bson:"category,omitempty"`
	Credits  float64 `json:"credits,omitempty" bson:"credits,omitempty"`
}

// NearMissDoc is an outcome an item does not accept, and why.
type NearMissDoc struct {
	Title string `json:"title,omitempty" bson:"title,omitempty"`
	Field string `json:"field,omitempty" bson:"field,omitempty"`
	Have  string `json:"have,omitempty" bson:"have,omitempty"`
	Want  string `json:"want,omitempty" bson:"want,omitempty"`
}

// ShortfallDetailDoc is a shortfall as data (domain.ShortfallDetail).
type ShortfallDetailDoc struct {
	Reason     string           `json:"reason,omitempty" bson:"reason,omitempty"`
	Missing    []MissingPartDoc `json:"missing,omitempty" bson:"missing,omitempty"`
	Categories []string         `json:"categories,omitempty" bson:"categories,omitempty"`
	Scope      string           `json:"scope,omitempty" bson:"scope,omitempty"`
	Max        float64          `json:"max,omitempty" bson:"max,omitempty"`
	Year       int              `json:"year,omitempty" bson:"year,omitempty"`
}

// MissingPartDoc is a part of the condition that could not be met.
type MissingPartDoc struct {
	Item     ItemRefDoc `json:"item" bson:"item"`
	Possible int        `json:"possible,omitempty" bson:"possible,omitempty"`
}

// FromStepFacts converts a step's parts; nil stays nil.
func FromStepFacts(f *domain.StepFacts) *StepFactsDoc {
	if f == nil {
		return nil
	}
	return &StepFactsDoc{
		Form: f.Form,
		Item: fromItemRefPtr(f.Item),
		Outcomes: mapSlice(f.Outcomes, func(o domain.OutcomeRef) OutcomeRefDoc {
			return OutcomeRefDoc{Title: o.Title, Category: string(o.Category), Credits: o.Credits}
		}),
		More: f.More,
		Misses: mapSlice(f.Misses, func(m domain.NearMiss) NearMissDoc {
			return NearMissDoc{Title: m.Title, Field: m.Field, Have: m.Have, Want: m.Want}
		}),
		Count: f.Count, Held: f.Held, Of: f.Of, Need: f.Need,
		Credits: f.Credits, Required: f.Required, Got: f.Got, Max: f.Max, Left: f.Left, From: f.From, Ratio: f.Ratio, Raw: f.Raw,
		Scope: string(f.Scope),
		Year:  f.Year,
		Date:  optTime(f.Date),
		Rule:  f.Rule,
		Other: f.Other,
		Unit:  f.Unit,
	}
}

// ToDomain converts back; nil (a step stored without its parts) stays nil.
func (d *StepFactsDoc) ToDomain() (*domain.StepFacts, error) {
	if d == nil {
		return nil, nil
	}
	item, err := d.Item.toDomain()
	if err != nil {
		return nil, err
	}
	return &domain.StepFacts{
		Form: d.Form,
		Item: item,
		Outcomes: mapSlice(d.Outcomes, func(o OutcomeRefDoc) domain.OutcomeRef {
			return domain.OutcomeRef{Title: o.Title, Category: domain.Category(o.Category), Credits: o.Credits}
		}),
		More: d.More,
		Misses: mapSlice(d.Misses, func(m NearMissDoc) domain.NearMiss {
			return domain.NearMiss{Title: m.Title, Field: m.Field, Have: m.Have, Want: m.Want}
		}),
		Count: d.Count, Held: d.Held, Of: d.Of, Need: d.Need,
		Credits: d.Credits, Required: d.Required, Got: d.Got, Max: d.Max, Left: d.Left, From: d.From, Ratio: d.Ratio, Raw: d.Raw,
		Scope: domain.CapScope(d.Scope),
		Year:  d.Year,
		Date:  optTime(d.Date),
		Rule:  d.Rule,
		Other: d.Other,
		Unit:  d.Unit,
	}, nil
}

func fromItemRef(r domain.ItemRef) ItemRefDoc {
	d := ItemRefDoc{Path: r.Path, Number: r.Number, Op: string(r.Op), N: r.N}
	if r.Match != nil {
		m := fromMatch(*r.Match)
		d.Match = &m
	}
	return d
}

func fromItemRefPtr(r *domain.ItemRef) *ItemRefDoc {
	if r == nil {
		return nil
	}
	d := fromItemRef(*r)
	return &d
}

func (d ItemRefDoc) toDomainValue() (domain.ItemRef, error) {
	r := domain.ItemRef{Path: d.Path, Number: d.Number, Op: domain.GroupOp(d.Op), N: d.N}
	if d.Match != nil {
		m, err := d.Match.toDomain()
		if err != nil {
			return domain.ItemRef{}, err
		}
		r.Match = &m
	}
	return r, nil
}

func (d *ItemRefDoc) toDomain() (*domain.ItemRef, error) {
	if d == nil {
		return nil, nil
	}
	r, err := d.toDomainValue()
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// FromShortfallDetail converts a shortfall's detail; nil stays nil.
func FromShortfallDetail(s *domain.ShortfallDetail) *ShortfallDetailDoc {
	if s == nil {
		return nil
	}
	return &ShortfallDetailDoc{
		Reason: string(s.Reason),
		Missing: mapSlice(s.Missing, func(m domain.MissingPart) MissingPartDoc {
			return MissingPartDoc{Item: fromItemRef(m.Item), Possible: m.Possible}
		}),
		Categories: convertStrings[domain.Category, string](s.Categories),
		Scope:      string(s.Scope),
		Max:        s.Max,
		Year:       s.Year,
	}
}

// ToDomain converts back; nil (a shortfall stored without it) stays nil.
func (d *ShortfallDetailDoc) ToDomain() (*domain.ShortfallDetail, error) {
	if d == nil {
		return nil, nil
	}
	missing, err := mapSliceErr(d.Missing, func(m MissingPartDoc) (domain.MissingPart, error) {
		item, err := m.Item.toDomainValue()
		return domain.MissingPart{Item: item, Possible: m.Possible}, err
	})
	if err != nil {
		return nil, err
	}
	return &domain.ShortfallDetail{
		Reason:     domain.ShortfallReason(d.Reason),
		Missing:    missing,
		Categories: convertStrings[string, domain.Category](d.Categories),
		Scope:      domain.CapScope(d.Scope),
		Max:        d.Max,
		Year:       d.Year,
	}, nil
}
