package api

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// JSON shapes of the API. Storage shapes live in storage/record; these are
// the only place the HTTP contract's field names are spelled.

const dateLayout = "2006-01-02"

func dateString(t time.Time) string { return t.UTC().Format(dateLayout) }

func optDate(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateString(*t)
	return &s
}

type resultDTO struct {
	Score    *float64 `json:"score,omitempty"`
	PassMark *float64 `json:"passMark,omitempty"`
	Grade    string   `json:"grade,omitempty"`
	Passed   *bool    `json:"passed,omitempty"`
}

func (r resultDTO) toDomain() domain.Result {
	return domain.Result{Score: r.Score, PassMark: r.PassMark, Grade: r.Grade, Passed: r.Passed}
}

func resultFrom(r domain.Result) resultDTO {
	return resultDTO{Score: r.Score, PassMark: r.PassMark, Grade: r.Grade, Passed: r.Passed}
}

type outcomeDTO struct {
	ID            uuid.UUID  `json:"id"`
	AccountID     uuid.UUID  `json:"accountId"`
	IssuerID      uuid.UUID  `json:"issuerId"`
	Category      string     `json:"category"`
	Title         string     `json:"title"`
	CourseCode    string     `json:"courseCode"`
	Hours         float64    `json:"hours"`
	Credits       float64    `json:"credits"`
	CreditsStated bool       `json:"creditsStated"`
	Result        resultDTO  `json:"result"`
	Level         int        `json:"level,omitempty"`
	UnitCode      string     `json:"unitCode,omitempty"`
	CompletedOn   string     `json:"completedOn"`
	ExpiresOn     *string    `json:"expiresOn,omitempty"`
	Status        string     `json:"status"`
	Expired       bool       `json:"expired"`
	RevokedReason string     `json:"revokedReason,omitempty"`
	RevokedAt     *time.Time `json:"revokedAt,omitempty"`
	IssuedAt      time.Time  `json:"issuedAt"`
}

func outcomeFrom(o domain.Outcome, now time.Time) outcomeDTO {
	return outcomeDTO{
		ID: o.ID, AccountID: o.AccountID, IssuerID: o.IssuerID, Category: string(o.Category),
		Title: o.Title, CourseCode: o.CourseCode, Hours: o.Hours, Credits: o.Credits,
		CreditsStated: o.CreditsStated, Result: resultFrom(o.Result), Level: o.Level, UnitCode: o.UnitCode,
		CompletedOn: dateString(o.CompletedOn), ExpiresOn: optDate(o.ExpiresOn), Status: string(o.Status),
		Expired:       o.Status == domain.OutcomeActive && !o.Counts(now),
		RevokedReason: o.RevokedReason, RevokedAt: o.RevokedAt, IssuedAt: o.IssuedAt,
	}
}

type learnerRefDTO struct {
	NationalID string `json:"nationalId"`
	Name       string `json:"name"`
}

type outcomeRequest struct {
	Learner     learnerRefDTO `json:"learner"`
	Category    string        `json:"category"`
	Title       string        `json:"title"`
	CourseCode  string        `json:"courseCode"`
	Hours       float64       `json:"hours"`
	Credits     *float64      `json:"credits"`
	Result      resultDTO     `json:"result"`
	CompletedOn string        `json:"completedOn"`
	ExpiresOn   *string       `json:"expiresOn"`
	Level       int           `json:"level"`
	// UnitCode names the certification unit the outcome certifies: its
	// category, level and credits fill the outcome.
	UnitCode string `json:"unitCode"`
	// CourseID names a course of the issuer's catalogue: it fills title,
	// category and hours, and the outcome may not contradict it.
	CourseID *uuid.UUID `json:"courseId"`
}

// toInput converts the request; dates that do not parse are returned as
// problems for the service to report along with everything else.
func (r outcomeRequest) toInput() (domain.OutcomeInput, []domain.FieldProblem) {
	var problems []domain.FieldProblem
	in := domain.OutcomeInput{
		Category: r.Category, Title: r.Title, CourseCode: r.CourseCode, Hours: r.Hours,
		Credits: r.Credits, Result: r.Result.toDomain(), Level: r.Level, UnitCode: r.UnitCode,
	}
	if r.CompletedOn != "" {
		if t, err := time.Parse(dateLayout, r.CompletedOn); err != nil {
			problems = append(problems, domain.FieldProblem{Field: "completedOn", Reason: "must be a date YYYY-MM-DD"})
		} else {
			in.CompletedOn = t
		}
	}
	if r.ExpiresOn != nil && *r.ExpiresOn != "" {
		if t, err := time.Parse(dateLayout, *r.ExpiresOn); err != nil {
			problems = append(problems, domain.FieldProblem{Field: "expiresOn", Reason: "must be a date YYYY-MM-DD"})
		} else {
			in.ExpiresOn = &t
		}
	}
	return in, problems
}

type accountDTO struct {
	ID         uuid.UUID `json:"id"`
	Name       string    `json:"name"`
	NationalID string    `json:"nationalId"`
	Phone      string    `json:"phone,omitempty"`
	BirthYear  int       `json:"birthYear"`
	Status     string    `json:"status"`
	Claimed    bool      `json:"claimed"`
	CreatedAt  time.Time `json:"createdAt"`
	Version    int64     `json:"version"`
}

// accountFrom shows identifiers masked only; the clear values never leave
// the service except in the learner's own data export.
func accountFrom(a *domain.Account) accountDTO {
	return accountDTO{
		ID: a.ID, Name: a.Name, NationalID: a.PII.NationalIDMasked, Phone: a.PII.PhoneMasked,
		BirthYear: a.BirthDate.Year(), Status: string(a.Status), Claimed: a.Claimed(),
		CreatedAt: a.CreatedAt, Version: a.Version,
	}
}

type balanceDTO struct {
	Banked     float64            `json:"banked"`
	Available  float64            `json:"available"`
	Earmarked  float64            `json:"earmarked"`
	Spent      float64            `json:"spent"`
	ByCategory map[string]float64 `json:"byCategory"`
	ByYear     map[string]float64 `json:"byYear"`
}

func balanceFrom(b domain.Balance) balanceDTO {
	out := balanceDTO{Banked: b.Banked, Available: b.Available, Earmarked: b.Earmarked, Spent: b.Spent,
		ByCategory: map[string]float64{}, ByYear: map[string]float64{}}
	for c, v := range b.ByCategory {
		out.ByCategory[string(c)] = v
	}
	for y, v := range b.ByYear {
		out.ByYear[strconv.Itoa(y)] = v
	}
	return out
}

type ledgerDTO struct {
	Seq          int64      `json:"seq"`
	At           time.Time  `json:"at"`
	Kind         string     `json:"kind"`
	Credits      float64    `json:"credits"`
	BalanceAfter float64    `json:"balanceAfter"`
	OutcomeID    *uuid.UUID `json:"outcomeId,omitempty"`
	ConversionID *uuid.UUID `json:"conversionId,omitempty"`
	PrevHash     string     `json:"prevHash"`
	Hash         string     `json:"hash"`
}

func ledgerFrom(e domain.LedgerEntry) ledgerDTO {
	return ledgerDTO{Seq: e.Seq, At: e.At, Kind: string(e.Kind), Credits: e.Credits, BalanceAfter: e.BalanceAfter,
		OutcomeID: e.OutcomeID, ConversionID: e.ConversionID, PrevHash: e.PrevHash, Hash: e.Hash}
}

type traceDTO struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Facts   *stepFactsJSON `json:"facts,omitempty"`
}

type usedDTO struct {
	OutcomeID uuid.UUID `json:"outcomeId"`
	Title     string    `json:"title"`
	Category  string    `json:"category"`
	Credits   float64   `json:"credits"`
}

type shortfallDTO struct {
	Credits float64 `json:"credits"`
	Message string  `json:"message"`
	// Reason, Missing and Categories say the same as data (dto_trace.go);
	// Scope, Max and Year name a cap that is reached.
	Reason     string            `json:"reason,omitempty"`
	Missing    []missingPartJSON `json:"missing"`
	Categories []string          `json:"categories"`
	Scope      string            `json:"scope,omitempty"`
	Max        float64           `json:"max,omitempty"`
	Year       int               `json:"year,omitempty"`
}

type evaluationJSON struct {
	Eligible       bool          `json:"eligible"`
	AwardedCredits float64       `json:"awardedCredits"`
	UsedCredits    float64       `json:"usedCredits"`
	Used           []usedDTO     `json:"used"`
	Trace          []traceDTO    `json:"trace"`
	Shortfall      *shortfallDTO `json:"shortfall,omitempty"`
	EvaluatedAt    time.Time     `json:"evaluatedAt"`
}

func evaluationDTO(e domain.Evaluation) evaluationJSON {
	out := evaluationJSON{Eligible: e.Eligible, AwardedCredits: e.AwardedCredits, UsedCredits: e.UsedCredits,
		Used: []usedDTO{}, Trace: []traceDTO{}, EvaluatedAt: e.EvaluatedAt}
	for _, u := range e.Used {
		out.Used = append(out.Used, usedDTO{OutcomeID: u.OutcomeID, Title: u.Title, Category: string(u.Category), Credits: u.Credits})
	}
	for _, t := range e.Trace {
		out.Trace = append(out.Trace, traceDTO{Code: t.Code, Message: t.Message, Facts: stepFactsFrom(t.Facts())})
	}
	out.Shortfall = shortfallFrom(e.Shortfall)
	return out
}

type conversionDTO struct {
	ID            uuid.UUID      `json:"id"`
	AccountID     uuid.UUID      `json:"accountId"`
	RuleID        uuid.UUID      `json:"ruleId"`
	RuleCode      string         `json:"ruleCode"`
	RuleVersion   int            `json:"ruleVersion"`
	RuleName      string         `json:"ruleName"`
	InstitutionID uuid.UUID      `json:"institutionId"`
	Purpose       string         `json:"purpose"`
	Exclusive     bool           `json:"exclusive"`
	Status        string         `json:"status"`
	Evaluation    evaluationJSON `json:"evaluation"`
	Earmarked     float64        `json:"earmarked"`
	Spent         float64        `json:"spent"`
	AppliedAt     time.Time      `json:"appliedAt"`
	DecidedAt     *time.Time     `json:"decidedAt,omitempty"`
	DecidedBy     string         `json:"decidedBy,omitempty"`
	Note          string         `json:"note,omitempty"`
	NoticeEndsAt  *time.Time     `json:"noticeEndsAt,omitempty"`
	Objections    []objectionDTO `json:"objections,omitempty"`
	Appeal        *appealDTO     `json:"appeal,omitempty"`
}

func conversionFrom(c domain.Conversion) conversionDTO {
	return conversionDTO{
		ID: c.ID, AccountID: c.AccountID, RuleID: c.RuleID, RuleCode: c.RuleCode, RuleVersion: c.RuleVersion,
		RuleName: c.RuleName, InstitutionID: c.InstitutionID, Purpose: string(c.Purpose), Exclusive: c.Exclusive,
		Status: string(c.Status), Evaluation: evaluationDTO(c.Evaluation), Earmarked: c.Earmarked, Spent: c.Spent,
		AppliedAt: c.AppliedAt, DecidedAt: c.DecidedAt, DecidedBy: c.DecidedBy, Note: c.Note,
		NoticeEndsAt: c.NoticeEndsAt, Objections: objectionsFrom(c.Objections), Appeal: appealFrom(c.Appeal),
	}
}

type grantDTO struct {
	ID            uuid.UUID `json:"id"`
	InstitutionID uuid.UUID `json:"institutionId"`
	CreatedAt     time.Time `json:"createdAt"`
	ExpiresAt     time.Time `json:"expiresAt"`
	// WithdrawnAt is revokedAt to clients, as the API has always named it.
	WithdrawnAt *time.Time `json:"revokedAt,omitempty"`
	Live        bool       `json:"live"`
}

func grantFrom(g domain.Grant, now time.Time) grantDTO {
	return grantDTO{ID: g.ID, InstitutionID: g.InstitutionID, CreatedAt: g.CreatedAt, ExpiresAt: g.ExpiresAt,
		WithdrawnAt: g.WithdrawnAt, Live: g.Live(now)}
}

type recordDTO struct {
	Account     accountDTO      `json:"account"`
	Balance     balanceDTO      `json:"balance"`
	Outcomes    []outcomeDTO    `json:"outcomes"`
	Conversions []conversionDTO `json:"conversions"`
	Ledger      []ledgerDTO     `json:"ledger"`
	Grants      []grantDTO      `json:"grants,omitempty"`
	LedgerValid bool            `json:"ledgerValid"`
	SharedUntil *time.Time      `json:"sharedUntil,omitempty"` // to an institution reading a shared record
}

// recordFrom renders an account. Grants are the learner's own business and
// are shown only to them (withGrants).
func recordFrom(a *domain.Account, now time.Time, withGrants bool) recordDTO {
	r := recordDTO{Account: accountFrom(a), Balance: balanceFrom(a.Balance(now)),
		Outcomes: []outcomeDTO{}, Conversions: []conversionDTO{}, Ledger: []ledgerDTO{},
		LedgerValid: a.VerifyLedger() == nil}
	for _, o := range a.Outcomes {
		r.Outcomes = append(r.Outcomes, outcomeFrom(o, now))
	}
	for _, c := range a.Conversions {
		r.Conversions = append(r.Conversions, conversionFrom(c))
	}
	for _, e := range a.Ledger {
		r.Ledger = append(r.Ledger, ledgerFrom(e))
	}
	if withGrants {
		r.Grants = []grantDTO{}
		for _, g := range a.Grants {
			r.Grants = append(r.Grants, grantFrom(g, now))
		}
	}
	return r
}

// ownRecordValidity is the interval around now, from <= t < until, over
// which recordFrom(a, t, true) renders exactly as it does at now, so that a
// cached rendering may be served anywhere inside it. Time enters the record
// in two ways, and any change to recordFrom's use of now must be mirrored
// here: an outcome with an expiry counts, and is shown expired, according to
// the district date (domain.DateOf), so such a record holds for the current
// district day at most; and a grant is live up to the instant it expires.
// Revoked outcomes and withdrawn grants are bounded too, although their
// rendering does not depend on time today: a narrower interval only costs a
// rendering.
func ownRecordValidity(a *domain.Account, now time.Time) (from, until time.Time) {
	from, until = time.Time{}, endOfTime
	for _, o := range a.Outcomes {
		if o.ExpiresOn != nil {
			y, m, d := now.In(domain.DistrictZone).Date()
			from = time.Date(y, m, d, 0, 0, 0, 0, domain.DistrictZone)
			until = time.Date(y, m, d+1, 0, 0, 0, 0, domain.DistrictZone)
			break
		}
	}
	for _, g := range a.Grants {
		if now.Before(g.ExpiresAt) {
			if g.ExpiresAt.Before(until) {
				until = g.ExpiresAt
			}
		} else if g.ExpiresAt.After(from) {
			from = g.ExpiresAt
		}
	}
	return from, until
}

// endOfTime bounds a rendering that no passing of time changes.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

type institutionDTO struct {
	ID           uuid.UUID `json:"id"`
	Name         string    `json:"name"`
	Kind         string    `json:"kind"`
	Region       string    `json:"region"`
	Capabilities []string  `json:"capabilities"`
	Categories   []string  `json:"categories"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"createdAt"`
	ClientID     string    `json:"clientId,omitempty"`
	ClientSecret string    `json:"clientSecret,omitempty"`
	// Address, Phone and Website are the public contact for enrolling.
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Website string `json:"website,omitempty"`
}

func institutionFrom(i domain.Institution) institutionDTO {
	out := institutionDTO{ID: i.ID, Name: i.Name, Kind: string(i.Kind), Region: i.Region,
		Capabilities: []string{}, Categories: []string{}, Status: string(i.Status), CreatedAt: i.CreatedAt,
		Address: i.Contact.Address, Phone: i.Contact.Phone, Website: i.Contact.Website}
	for _, c := range i.Capabilities {
		out.Capabilities = append(out.Capabilities, string(c))
	}
	for _, c := range i.Categories {
		out.Categories = append(out.Categories, string(c))
	}
	return out
}

type institutionRequest struct {
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Region       string   `json:"region"`
	Capabilities []string `json:"capabilities"`
	Categories   []string `json:"categories"`
	Address      string   `json:"address"`
	Phone        string   `json:"phone"`
	Website      string   `json:"website"`
}

type userDTO struct {
	ID            uuid.UUID  `json:"id"`
	Username      string     `json:"username"`
	Role          string     `json:"role"`
	InstitutionID *uuid.UUID `json:"institutionId,omitempty"`
	Perms         []string   `json:"perms"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"createdAt"`
}

func userFrom(u domain.User) userDTO {
	out := userDTO{ID: u.ID, Username: u.Username, Role: string(u.Role), Perms: permStrings(u.Perms),
		Status: string(u.Status), CreatedAt: u.CreatedAt}
	if u.InstitutionID != uuid.Nil {
		id := u.InstitutionID
		out.InstitutionID = &id
	}
	return out
}

func permStrings(perms []domain.Perm) []string {
	out := []string{}
	for _, p := range perms {
		out = append(out, string(p))
	}
	return out
}

type pageDTO[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

func pageOf[S, T any](items []S, next string, conv func(S) T) pageDTO[T] {
	out := pageDTO[T]{Items: make([]T, 0, len(items)), NextCursor: next}
	for _, it := range items {
		out.Items = append(out.Items, conv(it))
	}
	return out
}
