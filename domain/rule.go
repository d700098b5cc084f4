package domain

import (
	"time"

	"github.com/google/uuid"
)

// RuleStatus is the closed set of rule states. Published rules are immutable.
type RuleStatus string

const (
	RuleDraft     RuleStatus = "draft"
	RulePublished RuleStatus = "published"
	RuleRetired   RuleStatus = "retired"
)

// Purpose is what a conversion grants.
type Purpose string

const (
	PurposeExemption Purpose = "exemption" // 免修
	PurposeAdmission Purpose = "admission" // 入学
	PurposeCredit    Purpose = "credit"    // 学分认定
)

// AwardMode is how awarded credits are computed.
type AwardMode string

const (
	AwardFixed AwardMode = "fixed" // a fixed number of credits
	AwardSum   AwardMode = "sum"   // ratio × credits of the outcomes used
)

// CapScope bounds awards per account per institution.
type CapScope string

const (
	CapPerYear  CapScope = "per_year" // calendar year of the decision
	CapLifetime CapScope = "lifetime"
)

// Approval says whether a conversion waits for a reviewer.
type Approval string

const (
	ApprovalAuto   Approval = "auto"
	ApprovalManual Approval = "manual"
)

// GroupOp combines a group's items.
type GroupOp string

const (
	OpAll GroupOp = "all"
	OpAny GroupOp = "any"
	OpNOf GroupOp = "n_of"
)

// RuleTarget is what the converting institution grants.
type RuleTarget struct {
	CourseCode  string
	ProgramCode string
	Credits     float64
}

// Award computes the credits granted.
type Award struct {
	Mode    AwardMode
	Credits float64 // for fixed
	Ratio   float64 // for sum
}

// Cap limits awarded credits.
type Cap struct {
	Scope      CapScope
	MaxCredits float64
}

// Group is a recursive condition: all/any/n_of over items.
type Group struct {
	Op    GroupOp
	N     int
	Items []Item
}

// Item is exactly one of a nested group or a match.
type Item struct {
	Group *Group
	Match *Match
}

// Match selects outcomes; zero values mean "no constraint".
type Match struct {
	Category      Category
	IssuerIDs     []uuid.UUID
	CourseCode    string
	TitleContains string
	MinLevel      int
	MinScore      float64
	MinCredits    float64
	MinHours      float64
	MaxAgeYears   int
	// UnitCodes accepts an outcome certifying any one of these units. A
	// rule that needs all of several units, or n of them, says so with a
	// group of matches, one unit each.
	UnitCodes []string
}

// Rule is a versioned conversion rule (转换规则). Each version is its own
// document; versions of one rule share Code.
type Rule struct {
	ID              uuid.UUID
	Code            string
	Version         int
	Status          RuleStatus
	Name            string
	Description     string
	InstitutionID   uuid.UUID
	Purpose         Purpose
	Target          RuleTarget
	Condition       Group
	MinTotalCredits float64
	Award           Award
	Caps            []Cap
	// CapPerYear bounds what this rule alone awards one learner in a
	// calendar year, besides the caps above, which count every conversion
	// at the institution. 0 = none.
	CapPerYear float64
	// NoticeDays is the public notice (公示) period an approval goes
	// through before it is final; 0 = final at once.
	NoticeDays    int
	Exclusive     bool
	Approval      Approval
	EffectiveFrom time.Time
	EffectiveTo   *time.Time
	CreatedAt     time.Time
	CreatedBy     string
	PublishedAt   *time.Time
	// Submission is a draft's way to publication (submitted, returned).
	Submission Submission
	// Revision guards the rule document with compare-and-swap like Version
	// guards an account; Version is the rule's public version number.
	Revision int64
}

// TraceStep is one human-readable step of an evaluation.
//
// Code names the kind of step and Message words it in Chinese. Its parts
// (Facts) let a client word the step in its reader's language; a
// conversion keeps them with its evaluation, except one stored before they
// were kept, whose steps have none (the client then words the step by its
// code alone).
type TraceStep struct {
	Code    string
	Message string
	facts   *StepFacts
}

// NewTraceStep is a step with its parts, as a store reads one back; facts
// nil for a step stored without them.
func NewTraceStep(code, message string, facts *StepFacts) TraceStep {
	return TraceStep{Code: code, Message: message, facts: facts}
}

// Facts are the step's parts, nil for a step stored before conversions
// kept them.
func (s TraceStep) Facts() *StepFacts { return s.facts }

// UsedOutcome is an outcome an evaluation relies on.
type UsedOutcome struct {
	OutcomeID uuid.UUID
	Title     string
	Category  Category
	Credits   float64
}

// Shortfall says what is missing for eligibility.
// Credits are the credits still needed and Message says the rest in
// Chinese; Detail says it as data, for a client to word in its reader's
// language (nil for a shortfall stored before conversions kept it).
type Shortfall struct {
	Credits float64
	Message string
	detail  *ShortfallDetail
}

// NewShortfall is a shortfall with its detail, as a store reads one back;
// detail nil for one stored without it.
func NewShortfall(credits float64, message string, detail *ShortfallDetail) Shortfall {
	return Shortfall{Credits: credits, Message: message, detail: detail}
}

// ShortfallDetail is a shortfall as data: why (Reason), the parts of the
// condition that cannot be met (Missing), the categories that would help
// (Categories, none: any), and for a cap its Scope, Max and Year.
type ShortfallDetail struct {
	Reason     ShortfallReason
	Missing    []MissingPart
	Categories []Category
	Scope      CapScope
	Max        float64
	Year       int
}

// Detail is the shortfall as data, nil for one stored before conversions
// kept it.
func (s Shortfall) Detail() *ShortfallDetail { return s.detail }

// Evaluation is the explainable result of applying a rule to an account.
type Evaluation struct {
	Eligible       bool
	AwardedCredits float64
	UsedCredits    float64
	Used           []UsedOutcome
	Trace          []TraceStep
	Shortfall      *Shortfall
	EvaluatedAt    time.Time
}
