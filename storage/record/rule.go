package record

import (
	"fmt"
	"time"

	"creditbank/domain"
)

// RuleDoc is one version of a conversion rule. Code, Version, Status and
// InstitutionID sit at the top level because lists filter on them and
// (code, version) is unique.
type RuleDoc struct {
	ID              string         `json:"id" bson:"_id"`
	Code            string         `json:"code" bson:"code"`
	Version         int            `json:"version" bson:"version"`
	Status          string         `json:"status" bson:"status"`
	InstitutionID   string         `json:"institutionId" bson:"institutionId"`
	Revision        int64          `json:"revision" bson:"revision"`
	Name            string         `json:"name" bson:"name"`
	Description     string         `json:"description,omitempty" bson:"description,omitempty"`
	Purpose         string         `json:"purpose" bson:"purpose"`
	Target          RuleTargetDoc  `json:"target" bson:"target"`
	Condition       GroupDoc       `json:"condition" bson:"condition"`
	MinTotalCredits float64        `json:"minTotalCredits,omitempty" bson:"minTotalCredits,omitempty"`
	Award           AwardDoc       `json:"award" bson:"award"`
	Caps            []CapDoc       `json:"caps,omitempty" bson:"caps,omitempty"`
	CapPerYear      float64        `json:"capPerYear,omitempty" bson:"capPerYear,omitempty"`
	NoticeDays      int            `json:"noticeDays,omitempty" bson:"noticeDays,omitempty"`
	Exclusive       bool           `json:"exclusive" bson:"exclusive"`
	Approval        string         `json:"approval" bson:"approval"`
	EffectiveFrom   time.Time      `json:"effectiveFrom" bson:"effectiveFrom"`
	EffectiveTo     *time.Time     `json:"effectiveTo,omitempty" bson:"effectiveTo,omitempty"`
	CreatedAt       time.Time      `json:"createdAt" bson:"createdAt"`
	CreatedBy       string         `json:"createdBy,omitempty" bson:"createdBy,omitempty"`
	PublishedAt     *time.Time     `json:"publishedAt,omitempty" bson:"publishedAt,omitempty"`
	Submission      *SubmissionDoc `json:"submission,omitempty" bson:"submission,omitempty"`
}

// SubmissionDoc is a draft's way to publication; absent when it has none.
type SubmissionDoc struct {
	State string     `json:"state" bson:"state"`
	At    *time.Time `json:"at,omitempty" bson:"at,omitempty"`
	By    string     `json:"by,omitempty" bson:"by,omitempty"`
	Note  string     `json:"note,omitempty" bson:"note,omitempty"`
}

func fromSubmission(s domain.Submission) *SubmissionDoc {
	if s.State == domain.SubmissionNone {
		return nil
	}
	return &SubmissionDoc{State: string(s.State), At: optTime(s.At), By: s.By, Note: s.Note}
}

func (d *SubmissionDoc) toDomain() domain.Submission {
	if d == nil {
		return domain.Submission{}
	}
	return domain.Submission{State: domain.SubmissionState(d.State), At: optTime(d.At), By: d.By, Note: d.Note}
}

// RuleTargetDoc is what the converting institution grants.
type RuleTargetDoc struct {
	CourseCode  string  `json:"courseCode,omitempty" bson:"courseCode,omitempty"`
	ProgramCode string  `json:"programCode,omitempty" bson:"programCode,omitempty"`
	Credits     float64 `json:"credits,omitempty" bson:"credits,omitempty"`
}

// AwardDoc computes the credits granted.
type AwardDoc struct {
	Mode    string  `json:"mode" bson:"mode"`
	Credits float64 `json:"credits,omitempty" bson:"credits,omitempty"`
	Ratio   float64 `json:"ratio,omitempty" bson:"ratio,omitempty"`
}

// CapDoc limits awarded credits.
type CapDoc struct {
	Scope      string  `json:"scope" bson:"scope"`
	MaxCredits float64 `json:"maxCredits" bson:"maxCredits"`
}

// GroupDoc is a recursive condition.
type GroupDoc struct {
	Op    string    `json:"op" bson:"op"`
	N     int       `json:"n,omitempty" bson:"n,omitempty"`
	Items []ItemDoc `json:"items,omitempty" bson:"items,omitempty"`
}

// ItemDoc holds exactly one of a nested group or a match.
type ItemDoc struct {
	Group *GroupDoc `json:"group,omitempty" bson:"group,omitempty"`
	Match *MatchDoc `json:"match,omitempty" bson:"match,omitempty"`
}

// MatchDoc selects outcomes; absent fields are no constraint.
type MatchDoc struct {
	Category      string   `json:"category,omitempty" bson:"category,omitempty"`
	IssuerIDs     []string `json:"issuerIds,omitempty" bson:"issuerIds,omitempty"`
	CourseCode    string   `json:"courseCode,omitempty" bson:"courseCode,omitempty"`
	TitleContains string   `json:"titleContains,omitempty" bson:"titleContains,omitempty"`
	MinLevel      int      `json:"minLevel,omitempty" bson:"minLevel,omitempty"`
	MinScore      float64  `json:"minScore,omitempty" bson:"minScore,omitempty"`
	MinCredits    float64  `json:"minCredits,omitempty" bson:"minCredits,omitempty"`
	MinHours      float64  `json:"minHours,omitempty" bson:"minHours,omitempty"`
	MaxAgeYears   int      `json:"maxAgeYears,omitempty" bson:"maxAgeYears,omitempty"`
	UnitCodes     []string `json:"unitCodes,omitempty" bson:"unitCodes,omitempty"`
}

// FromRule converts a rule.
func FromRule(r *domain.Rule) RuleDoc {
	return RuleDoc{
		ID:              idString(r.ID),
		Code:            r.Code,
		Version:         r.Version,
		Status:          string(r.Status),
		InstitutionID:   idString(r.InstitutionID),
		Revision:        r.Revision,
		Name:            r.Name,
		Description:     r.Description,
		Purpose:         string(r.Purpose),
		Target:          RuleTargetDoc{CourseCode: r.Target.CourseCode, ProgramCode: r.Target.ProgramCode, Credits: r.Target.Credits},
		Condition:       FromGroup(r.Condition),
		MinTotalCredits: r.MinTotalCredits,
		Award:           AwardDoc{Mode: string(r.Award.Mode), Credits: r.Award.Credits, Ratio: r.Award.Ratio},
		Caps: mapSlice(r.Caps, func(c domain.Cap) CapDoc {
			return CapDoc{Scope: string(c.Scope), MaxCredits: c.MaxCredits}
		}),
		CapPerYear:    r.CapPerYear,
		NoticeDays:    r.NoticeDays,
		Exclusive:     r.Exclusive,
		Approval:      string(r.Approval),
		EffectiveFrom: r.EffectiveFrom,
		EffectiveTo:   optTime(r.EffectiveTo),
		CreatedAt:     r.CreatedAt,
		CreatedBy:     r.CreatedBy,
		PublishedAt:   optTime(r.PublishedAt),
		Submission:    fromSubmission(r.Submission),
	}
}

// ToDomain converts back.
func (d RuleDoc) ToDomain() (*domain.Rule, error) {
	id, err := parseID("rule id", d.ID)
	if err != nil {
		return nil, err
	}
	inst, err := parseID("rule institutionId", d.InstitutionID)
	if err != nil {
		return nil, err
	}
	cond, err := d.Condition.ToDomain()
	if err != nil {
		return nil, err
	}
	return &domain.Rule{
		ID:              id,
		Code:            d.Code,
		Version:         d.Version,
		Status:          domain.RuleStatus(d.Status),
		Name:            d.Name,
		Description:     d.Description,
		InstitutionID:   inst,
		Purpose:         domain.Purpose(d.Purpose),
		Target:          domain.RuleTarget{CourseCode: d.Target.CourseCode, ProgramCode: d.Target.ProgramCode, Credits: d.Target.Credits},
		Condition:       cond,
		MinTotalCredits: d.MinTotalCredits,
		Award:           domain.Award{Mode: domain.AwardMode(d.Award.Mode), Credits: d.Award.Credits, Ratio: d.Award.Ratio},
		Caps: mapSlice(d.Caps, func(c CapDoc) domain.Cap {
			return domain.Cap{Scope: domain.CapScope(c.Scope), MaxCredits: c.MaxCredits}
		}),
		CapPerYear:    d.CapPerYear,
		NoticeDays:    d.NoticeDays,
		Exclusive:     d.Exclusive,
		Approval:      domain.Approval(d.Approval),
		EffectiveFrom: utc(d.EffectiveFrom),
		EffectiveTo:   optTime(d.EffectiveTo),
		CreatedAt:     utc(d.CreatedAt),
		CreatedBy:     d.CreatedBy,
		PublishedAt:   optTime(d.PublishedAt),
		Submission:    d.Submission.toDomain(),
		Revision:      d.Revision,
	}, nil
}

// FromGroup converts a condition tree.
func FromGroup(g domain.Group) GroupDoc {
	return GroupDoc{Op: string(g.Op), N: g.N, Items: mapSlice(g.Items, fromItem)}
}

func fromItem(it domain.Item) ItemDoc {
	var d ItemDoc
	if it.Group != nil {
		g := FromGroup(*it.Group)
		d.Group = &g
	}
	if it.Match != nil {
		m := fromMatch(*it.Match)
		d.Match = &m
	}
	return d
}

func fromMatch(m domain.Match) MatchDoc {
	return MatchDoc{
		Category:      string(m.Category),
		IssuerIDs:     idStrings(m.IssuerIDs),
		CourseCode:    m.CourseCode,
		TitleContains: m.TitleContains,
		MinLevel:      m.MinLevel,
		MinScore:      m.MinScore,
		MinCredits:    m.MinCredits,
		MinHours:      m.MinHours,
		MaxAgeYears:   m.MaxAgeYears,
		UnitCodes:     cloneStrings(m.UnitCodes),
	}
}

// maxGroupDepth bounds recursion when loading, so a corrupt or hostile
// import cannot exhaust the stack.
const maxGroupDepth = 32

// ToDomain converts a condition tree back.
func (d GroupDoc) ToDomain() (domain.Group, error) { return d.toDomain(0) }

func (d GroupDoc) toDomain(depth int) (domain.Group, error) {
	if depth > maxGroupDepth {
		return domain.Group{}, fmt.Errorf("record: rule condition nested deeper than %d", maxGroupDepth)
	}
	items, err := mapSliceErr(d.Items, func(it ItemDoc) (domain.Item, error) {
		var out domain.Item
		if it.Group != nil {
			g, err := it.Group.toDomain(depth + 1)
			if err != nil {
				return domain.Item{}, err
			}
			out.Group = &g
		}
		if it.Match != nil {
			m, err := it.Match.toDomain()
			if err != nil {
				return domain.Item{}, err
			}
			out.Match = &m
		}
		return out, nil
	})
	if err != nil {
		return domain.Group{}, err
	}
	return domain.Group{Op: domain.GroupOp(d.Op), N: d.N, Items: items}, nil
}

func (d MatchDoc) toDomain() (domain.Match, error) {
	issuers, err := parseIDs("match issuerIds", d.IssuerIDs)
	if err != nil {
		return domain.Match{}, err
	}
	return domain.Match{
		Category:      domain.Category(d.Category),
		IssuerIDs:     issuers,
		CourseCode:    d.CourseCode,
		TitleContains: d.TitleContains,
		MinLevel:      d.MinLevel,
		MinScore:      d.MinScore,
		MinCredits:    d.MinCredits,
		MinHours:      d.MinHours,
		MaxAgeYears:   d.MaxAgeYears,
		UnitCodes:     cloneStrings(d.UnitCodes),
	}, nil
}

// cloneStrings copies a list, loading empty as nil.
func cloneStrings(in []string) []string {
	if len(in) == 0 {
		return nil
	}
	return append([]string(nil), in...)
}
