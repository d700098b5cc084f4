package record

import (
	"time"

	"creditbank/domain"
)

// ConversionDoc is one conversion application inside an account document.
type ConversionDoc struct {
	ID            string         `json:"id" bson:"id"`
	AccountID     string         `json:"accountId" bson:"accountId"`
	RuleID        string         `json:"ruleId" bson:"ruleId"`
	RuleCode      string         `json:"ruleCode" bson:"ruleCode"`
	RuleVersion   int            `json:"ruleVersion" bson:"ruleVersion"`
	RuleName      string         `json:"ruleName,omitempty" bson:"ruleName,omitempty"`
	InstitutionID string         `json:"institutionId" bson:"institutionId"`
	Purpose       string         `json:"purpose" bson:"purpose"`
	Exclusive     bool           `json:"exclusive" bson:"exclusive"`
	Status        string         `json:"status" bson:"status"`
	Evaluation    EvaluationDoc  `json:"evaluation" bson:"evaluation"`
	Earmarked     float64        `json:"earmarked" bson:"earmarked"`
	Spent         float64        `json:"spent" bson:"spent"`
	AppliedAt     time.Time      `json:"appliedAt" bson:"appliedAt"`
	DecidedAt     *time.Time     `json:"decidedAt,omitempty" bson:"decidedAt,omitempty"`
	DecidedBy     string         `json:"decidedBy,omitempty" bson:"decidedBy,omitempty"`
	Note          string         `json:"note,omitempty" bson:"note,omitempty"`
	NoticeEndsAt  *time.Time     `json:"noticeEndsAt,omitempty" bson:"noticeEndsAt,omitempty"`
	Objections    []ObjectionDoc `json:"objections,omitempty" bson:"objections,omitempty"`
	Appeal        *AppealDoc     `json:"appeal,omitempty" bson:"appeal,omitempty"`
}

// FromConversion converts a conversion.
func FromConversion(c domain.Conversion) ConversionDoc {
	return ConversionDoc{
		ID:            idString(c.ID),
		AccountID:     optIDString(c.AccountID),
		RuleID:        idString(c.RuleID),
		RuleCode:      c.RuleCode,
		RuleVersion:   c.RuleVersion,
		RuleName:      c.RuleName,
		InstitutionID: idString(c.InstitutionID),
		Purpose:       string(c.Purpose),
		Exclusive:     c.Exclusive,
		Status:        string(c.Status),
		Evaluation:    FromEvaluation(c.Evaluation),
		Earmarked:     c.Earmarked,
		Spent:         c.Spent,
		AppliedAt:     c.AppliedAt,
		DecidedAt:     optTime(c.DecidedAt),
		DecidedBy:     c.DecidedBy,
		Note:          c.Note,
		NoticeEndsAt:  optTime(c.NoticeEndsAt),
		Objections:    mapSlice(c.Objections, fromObjection),
		Appeal:        fromAppeal(c.Appeal),
	}
}

// ToDomain converts back.
func (d ConversionDoc) ToDomain() (domain.Conversion, error) {
	id, err := parseID("conversion id", d.ID)
	if err != nil {
		return domain.Conversion{}, err
	}
	account, err := parseID("conversion accountId", d.AccountID)
	if err != nil {
		return domain.Conversion{}, err
	}
	rule, err := parseID("conversion ruleId", d.RuleID)
	if err != nil {
		return domain.Conversion{}, err
	}
	inst, err := parseID("conversion institutionId", d.InstitutionID)
	if err != nil {
		return domain.Conversion{}, err
	}
	eval, err := d.Evaluation.ToDomain()
	if err != nil {
		return domain.Conversion{}, err
	}
	objections, err := mapSliceErr(d.Objections, ObjectionDoc.toDomain)
	if err != nil {
		return domain.Conversion{}, err
	}
	return domain.Conversion{
		ID:            id,
		AccountID:     account,
		RuleID:        rule,
		RuleCode:      d.RuleCode,
		RuleVersion:   d.RuleVersion,
		RuleName:      d.RuleName,
		InstitutionID: inst,
		Purpose:       domain.Purpose(d.Purpose),
		Exclusive:     d.Exclusive,
		Status:        domain.ConversionStatus(d.Status),
		Evaluation:    eval,
		Earmarked:     d.Earmarked,
		Spent:         d.Spent,
		AppliedAt:     utc(d.AppliedAt),
		DecidedAt:     optTime(d.DecidedAt),
		DecidedBy:     d.DecidedBy,
		Note:          d.Note,
		NoticeEndsAt:  optTime(d.NoticeEndsAt),
		Objections:    objections,
		Appeal:        d.Appeal.toDomain(),
	}, nil
}

// ObjectionDoc is an objection raised during a conversion's public notice.
type ObjectionDoc struct {
	ID         string     `json:"id" bson:"id"`
	At         time.Time  `json:"at" bson:"at"`
	By         string     `json:"by" bson:"by"`
	Reason     string     `json:"reason" bson:"reason"`
	Resolution string     `json:"resolution,omitempty" bson:"resolution,omitempty"`
	ResolvedAt *time.Time `json:"resolvedAt,omitempty" bson:"resolvedAt,omitempty"`
}

func fromObjection(o domain.Objection) ObjectionDoc {
	return ObjectionDoc{ID: idString(o.ID), At: o.At, By: o.By, Reason: o.Reason,
		Resolution: string(o.Resolution), ResolvedAt: optTime(o.ResolvedAt)}
}

func (d ObjectionDoc) toDomain() (domain.Objection, error) {
	id, err := parseID("objection id", d.ID)
	if err != nil {
		return domain.Objection{}, err
	}
	return domain.Objection{ID: id, At: utc(d.At), By: d.By, Reason: d.Reason,
		Resolution: domain.Resolution(d.Resolution), ResolvedAt: optTime(d.ResolvedAt)}, nil
}

// AppealDoc is a learner's appeal against a rejection.
type AppealDoc struct {
	At         time.Time  `json:"at" bson:"at"`
	Reason     string     `json:"reason" bson:"reason"`
	RejectedBy string     `json:"rejectedBy" bson:"rejectedBy"`
	Resolution string     `json:"resolution,omitempty" bson:"resolution,omitempty"`
	DecidedBy  string     `json:"decidedBy,omitempty" bson:"decidedBy,omitempty"`
	DecidedAt  *time.Time `json:"decidedAt,omitempty" bson:"decidedAt,omitempty"`
	Note       string     `json:"note,omitempty" bson:"note,omitempty"`
}

func fromAppeal(a *domain.Appeal) *AppealDoc {
	if a == nil {
		return nil
	}
	return &AppealDoc{At: a.At, Reason: a.Reason, RejectedBy: a.RejectedBy, Resolution: string(a.Resolution),
		DecidedBy: a.DecidedBy, DecidedAt: optTime(a.DecidedAt), Note: a.Note}
}

func (d *AppealDoc) toDomain() *domain.Appeal {
	if d == nil {
		return nil
	}
	return &domain.Appeal{At: utc(d.At), Reason: d.Reason, RejectedBy: d.RejectedBy, Resolution: domain.Resolution(d.Resolution),
		DecidedBy: d.DecidedBy, DecidedAt: optTime(d.DecidedAt), Note: d.Note}
}

// EvaluationDoc is the explainable result a conversion was decided on.
type EvaluationDoc struct {
	Eligible       bool             `json:"eligible" bson:"eligible"`
	AwardedCredits float64          `json:"awardedCredits" bson:"awardedCredits"`
	UsedCredits    float64          `json:"usedCredits" bson:"usedCredits"`
	Used           []UsedOutcomeDoc `json:"used,omitempty" bson:"used,omitempty"`
	Trace          []TraceStepDoc   `json:"trace,omitempty" bson:"trace,omitempty"`
	Shortfall      *ShortfallDoc    `json:"shortfall,omitempty" bson:"shortfall,omitempty"`
	EvaluatedAt    time.Time        `json:"evaluatedAt" bson:"evaluatedAt"`
}

// UsedOutcomeDoc is an outcome an evaluation relies on.
type UsedOutcomeDoc struct {
	OutcomeID string  `json:"outcomeId" bson:"outcomeId"`
	Title     string  `json:"title" bson:"title"`
	Category  string  `json:"category" bson:"category"`
	Credits   float64 `json:"credits" bson:"credits"`
}

// TraceStepDoc is one human-readable evaluation step; Facts are its parts,
// absent in documents written before conversions kept them.
type TraceStepDoc struct {
	Code    string        `json:"code" bson:"code"`
	Message string        `json:"message" bson:"message"`
	Facts   *StepFactsDoc `json:"facts,omitempty" bson:"facts,omitempty"`
}

// ShortfallDoc says what was missing; Detail says it as data, absent in
// documents written before conversions kept it.
type ShortfallDoc struct {
	Credits float64             `json:"credits" bson:"credits"`
	Message string              `json:"message" bson:"message"`
	Detail  *ShortfallDetailDoc `json:"detail,omitempty" bson:"detail,omitempty"`
}

// FromEvaluation converts an evaluation.
func FromEvaluation(e domain.Evaluation) EvaluationDoc {
	d := EvaluationDoc{
		Eligible:       e.Eligible,
		AwardedCredits: e.AwardedCredits,
		UsedCredits:    e.UsedCredits,
		Used: mapSlice(e.Used, func(u domain.UsedOutcome) UsedOutcomeDoc {
			return UsedOutcomeDoc{OutcomeID: idString(u.OutcomeID), Title: u.Title, Category: string(u.Category), Credits: u.Credits}
		}),
		Trace: mapSlice(e.Trace, func(s domain.TraceStep) TraceStepDoc {
			return TraceStepDoc{Code: s.Code, Message: s.Message, Facts: FromStepFacts(s.Facts())}
		}),
		EvaluatedAt: e.EvaluatedAt,
	}
	if e.Shortfall != nil {
		d.Shortfall = &ShortfallDoc{Credits: e.Shortfall.Credits, Message: e.Shortfall.Message,
			Detail: FromShortfallDetail(e.Shortfall.Detail())}
	}
	return d
}

// ToDomain converts back.
func (d EvaluationDoc) ToDomain() (domain.Evaluation, error) {
	used, err := mapSliceErr(d.Used, func(u UsedOutcomeDoc) (domain.UsedOutcome, error) {
		id, err := parseID("used outcomeId", u.OutcomeID)
		return domain.UsedOutcome{OutcomeID: id, Title: u.Title, Category: domain.Category(u.Category), Credits: u.Credits}, err
	})
	if err != nil {
		return domain.Evaluation{}, err
	}
	trace, err := mapSliceErr(d.Trace, func(s TraceStepDoc) (domain.TraceStep, error) {
		f, err := s.Facts.ToDomain()
		return domain.NewTraceStep(s.Code, s.Message, f), err
	})
	if err != nil {
		return domain.Evaluation{}, err
	}
	e := domain.Evaluation{
		Eligible:       d.Eligible,
		AwardedCredits: d.AwardedCredits,
		UsedCredits:    d.UsedCredits,
		Used:           used,
		Trace:          trace,
		EvaluatedAt:    utc(d.EvaluatedAt),
	}
	if d.Shortfall != nil {
		detail, err := d.Shortfall.Detail.ToDomain()
		if err != nil {
			return domain.Evaluation{}, err
		}
		sf := domain.NewShortfall(d.Shortfall.Credits, d.Shortfall.Message, detail)
		e.Shortfall = &sf
	}
	return e, nil
}
