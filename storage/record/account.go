package record

import (
	"time"

	"creditbank/domain"
)

// AccountDoc is a learner's account: one document holding its outcomes,
// conversions, ledger and grants. NationalIDHash, IssuerIDs and QueueKeys are
// also the indexed lookup keys (unique account by ID hash; outcomes by
// issuer; "<institutionId>:<status>" review queues; institutions holding a
// grant); IssuerIDs, QueueKeys and GrantInstIDs are derived on write and
// ignored on read.
type AccountDoc struct {
	ID               string          `json:"id" bson:"_id"`
	Version          int64           `json:"version" bson:"version"`
	Name             string          `json:"name" bson:"name"`
	NationalIDHash   string          `json:"nationalIdHash" bson:"nationalIdHash"`
	NationalIDSealed string          `json:"nationalIdSealed,omitempty" bson:"nationalIdSealed,omitempty"`
	NationalIDMasked string          `json:"nationalIdMasked,omitempty" bson:"nationalIdMasked,omitempty"`
	PhoneSealed      string          `json:"phoneSealed,omitempty" bson:"phoneSealed,omitempty"`
	PhoneMasked      string          `json:"phoneMasked,omitempty" bson:"phoneMasked,omitempty"`
	BirthDate        time.Time       `json:"birthDate" bson:"birthDate"`
	PasswordHash     string          `json:"passwordHash,omitempty" bson:"passwordHash,omitempty"`
	CredentialsAt    *time.Time      `json:"credentialsChangedAt,omitempty" bson:"credentialsChangedAt,omitempty"`
	SessionGen       int64           `json:"sessionGen,omitempty" bson:"sessionGen,omitempty"`
	Status           string          `json:"status" bson:"status"`
	CreatedAt        time.Time       `json:"createdAt" bson:"createdAt"`
	Outcomes         []OutcomeDoc    `json:"outcomes,omitempty" bson:"outcomes,omitempty"`
	Conversions      []ConversionDoc `json:"conversions,omitempty" bson:"conversions,omitempty"`
	Ledger           []LedgerDoc     `json:"ledger,omitempty" bson:"ledger,omitempty"`
	Grants           []GrantDoc      `json:"grants,omitempty" bson:"grants,omitempty"`
	IssuerIDs        []string        `json:"issuerIds,omitempty" bson:"issuerIds,omitempty"`
	QueueKeys        []string        `json:"queueKeys,omitempty" bson:"queueKeys,omitempty"`
	GrantInstIDs     []string        `json:"grantInstitutionIds,omitempty" bson:"grantInstitutionIds,omitempty"`
	AlertsSeenAt     *time.Time      `json:"alertsSeenAt,omitempty" bson:"alertsSeenAt,omitempty"`
	// Assisted access and the access log (account_assist.go); HelperIDs is
	// derived like IssuerIDs: the index "accounts this learner assists".
	Helpers   []HelperDoc `json:"helpers,omitempty" bson:"helpers,omitempty"`
	AccessLog []AccessDoc `json:"accessLog,omitempty" bson:"accessLog,omitempty"`
	HelperIDs []string    `json:"helperIds,omitempty" bson:"helperIds,omitempty"`
	// Tallies is the account's share of the district statistics, derived on
	// write for stores that sum it (MongoDB); never exported or read back.
	Tallies []TallyDoc `json:"-" bson:"tallies,omitempty"`
}

// TallyDoc is one statistic of an account's share.
type TallyDoc struct {
	Key     string  `bson:"k"`
	Count   int64   `bson:"n"`
	Credits float64 `bson:"c,omitempty"`
}

// FromTallies converts an account's share for storing.
func FromTallies(t domain.StatTallies) []TallyDoc {
	out := make([]TallyDoc, 0, len(t))
	for k, v := range t {
		out = append(out, TallyDoc{Key: k, Count: v.Count, Credits: v.Credits})
	}
	return out
}

// FromAccount converts an account and computes its index keys.
func FromAccount(a *domain.Account) AccountDoc {
	return AccountDoc{
		ID:               idString(a.ID),
		Version:          a.Version,
		Name:             a.Name,
		NationalIDHash:   a.PII.NationalIDHash,
		NationalIDSealed: a.PII.NationalIDSealed,
		NationalIDMasked: a.PII.NationalIDMasked,
		PhoneSealed:      a.PII.PhoneSealed,
		PhoneMasked:      a.PII.PhoneMasked,
		BirthDate:        a.BirthDate,
		PasswordHash:     a.PasswordHash,
		CredentialsAt:    optTime(a.CredentialsChangedAt),
		SessionGen:       a.SessionGen,
		Status:           string(a.Status),
		CreatedAt:        a.CreatedAt,
		Outcomes:         mapSlice(a.Outcomes, FromOutcome),
		Conversions:      mapSlice(a.Conversions, FromConversion),
		Ledger:           mapSlice(a.Ledger, FromLedgerEntry),
		Grants:           mapSlice(a.Grants, FromGrant),
		IssuerIDs:        idStrings(a.IssuerIDs()),
		QueueKeys:        mapSlice(a.QueueKeys(), func(s string) string { return s }),
		GrantInstIDs:     idStrings(a.GrantInstitutionIDs()),
		Helpers:          mapSlice(a.Helpers, FromHelperGrant),
		AccessLog:        mapSlice(a.AccessLog, FromAccessEntry),
		HelperIDs:        idStrings(a.HelperIDs()),
		AlertsSeenAt:     optTime(a.AlertsSeenAt),
	}
}

// ToDomain converts back; the derived index keys are not read.
func (d AccountDoc) ToDomain() (*domain.Account, error) {
	id, err := parseID("account id", d.ID)
	if err != nil {
		return nil, err
	}
	outcomes, err := mapSliceErr(d.Outcomes, OutcomeDoc.ToDomain)
	if err != nil {
		return nil, err
	}
	conversions, err := mapSliceErr(d.Conversions, ConversionDoc.ToDomain)
	if err != nil {
		return nil, err
	}
	ledger, err := mapSliceErr(d.Ledger, LedgerDoc.ToDomain)
	if err != nil {
		return nil, err
	}
	grants, err := mapSliceErr(d.Grants, GrantDoc.ToDomain)
	if err != nil {
		return nil, err
	}
	helpers, err := mapSliceErr(d.Helpers, HelperDoc.ToDomain)
	if err != nil {
		return nil, err
	}
	accessLog, err := mapSliceErr(d.AccessLog, AccessDoc.ToDomain)
	if err != nil {
		return nil, err
	}
	return &domain.Account{
		ID:      id,
		Version: d.Version,
		Name:    d.Name,
		PII: domain.PersonalData{
			NationalIDSealed: d.NationalIDSealed,
			NationalIDHash:   d.NationalIDHash,
			NationalIDMasked: d.NationalIDMasked,
			PhoneSealed:      d.PhoneSealed,
			PhoneMasked:      d.PhoneMasked,
		},
		BirthDate:            utc(d.BirthDate),
		PasswordHash:         d.PasswordHash,
		CredentialsChangedAt: optTime(d.CredentialsAt),
		SessionGen:           d.SessionGen,
		AlertsSeenAt:         optTime(d.AlertsSeenAt),
		Status:               domain.AccountStatus(d.Status),
		CreatedAt:            utc(d.CreatedAt),
		Outcomes:             outcomes,
		Conversions:          conversions,
		Ledger:               ledger,
		Grants:               grants,
		Helpers:              helpers,
		AccessLog:            accessLog,
	}, nil
}

// ResultDoc is how the learner did: exactly one of score, grade, passed.
type ResultDoc struct {
	Score    *float64 `json:"score,omitempty" bson:"score,omitempty"`
	PassMark *float64 `json:"passMark,omitempty" bson:"passMark,omitempty"`
	Grade    string   `json:"grade,omitempty" bson:"grade,omitempty"`
	Passed   *bool    `json:"passed,omitempty" bson:"passed,omitempty"`
}

// FromResult converts a result.
func FromResult(r domain.Result) ResultDoc {
	return ResultDoc{Score: optFloat(r.Score), PassMark: optFloat(r.PassMark), Grade: r.Grade, Passed: optBool(r.Passed)}
}

// ToDomain converts back.
func (d ResultDoc) ToDomain() domain.Result {
	return domain.Result{Score: optFloat(d.Score), PassMark: optFloat(d.PassMark), Grade: d.Grade, Passed: optBool(d.Passed)}
}

// OutcomeDoc is one banked outcome inside an account document.
type OutcomeDoc struct {
	ID            string     `json:"id" bson:"id"`
	AccountID     string     `json:"accountId" bson:"accountId"`
	IssuerID      string     `json:"issuerId" bson:"issuerId"`
	Category      string     `json:"category" bson:"category"`
	Title         string     `json:"title" bson:"title"`
	CourseCode    string     `json:"courseCode,omitempty" bson:"courseCode,omitempty"`
	Hours         float64    `json:"hours" bson:"hours"`
	Credits       float64    `json:"credits" bson:"credits"`
	CreditsStated bool       `json:"creditsStated" bson:"creditsStated"`
	Result        ResultDoc  `json:"result" bson:"result"`
	Level         int        `json:"level,omitempty" bson:"level,omitempty"`
	UnitCode      string     `json:"unitCode,omitempty" bson:"unitCode,omitempty"`
	CompletedOn   time.Time  `json:"completedOn" bson:"completedOn"`
	ExpiresOn     *time.Time `json:"expiresOn,omitempty" bson:"expiresOn,omitempty"`
	Status        string     `json:"status" bson:"status"`
	RevokedReason string     `json:"revokedReason,omitempty" bson:"revokedReason,omitempty"`
	RevokedAt     *time.Time `json:"revokedAt,omitempty" bson:"revokedAt,omitempty"`
	IssuedAt      time.Time  `json:"issuedAt" bson:"issuedAt"`
	IssuedBy      string     `json:"issuedBy,omitempty" bson:"issuedBy,omitempty"`
}

// FromOutcome converts an outcome.
func FromOutcome(o domain.Outcome) OutcomeDoc {
	return OutcomeDoc{
		ID:            idString(o.ID),
		AccountID:     optIDString(o.AccountID),
		IssuerID:      idString(o.IssuerID),
		Category:      string(o.Category),
		Title:         o.Title,
		CourseCode:    o.CourseCode,
		Hours:         o.Hours,
		Credits:       o.Credits,
		CreditsStated: o.CreditsStated,
		Result:        FromResult(o.Result),
		Level:         o.Level,
		UnitCode:      o.UnitCode,
		CompletedOn:   o.CompletedOn,
		ExpiresOn:     optTime(o.ExpiresOn),
		Status:        string(o.Status),
		RevokedReason: o.RevokedReason,
		RevokedAt:     optTime(o.RevokedAt),
		IssuedAt:      o.IssuedAt,
		IssuedBy:      o.IssuedBy,
	}
}

// ToDomain converts back.
func (d OutcomeDoc) ToDomain() (domain.Outcome, error) {
	id, err := parseID("outcome id", d.ID)
	if err != nil {
		return domain.Outcome{}, err
	}
	account, err := parseID("outcome accountId", d.AccountID)
	if err != nil {
		return domain.Outcome{}, err
	}
	issuer, err := parseID("outcome issuerId", d.IssuerID)
	if err != nil {
		return domain.Outcome{}, err
	}
	return domain.Outcome{
		ID:            id,
		AccountID:     account,
		IssuerID:      issuer,
		Category:      domain.Category(d.Category),
		Title:         d.Title,
		CourseCode:    d.CourseCode,
		Hours:         d.Hours,
		Credits:       d.Credits,
		CreditsStated: d.CreditsStated,
		Result:        d.Result.ToDomain(),
		Level:         d.Level,
		UnitCode:      d.UnitCode,
		CompletedOn:   utc(d.CompletedOn),
		ExpiresOn:     optTime(d.ExpiresOn),
		Status:        domain.OutcomeStatus(d.Status),
		RevokedReason: d.RevokedReason,
		RevokedAt:     optTime(d.RevokedAt),
		IssuedAt:      utc(d.IssuedAt),
		IssuedBy:      d.IssuedBy,
	}, nil
}

// LedgerDoc is one hash-chained ledger entry.
type LedgerDoc struct {
	Seq          int64     `json:"seq" bson:"seq"`
	At           time.Time `json:"at" bson:"at"`
	Kind         string    `json:"kind" bson:"kind"`
	Credits      float64   `json:"credits" bson:"credits"`
	BalanceAfter float64   `json:"balanceAfter" bson:"balanceAfter"`
	OutcomeID    string    `json:"outcomeId,omitempty" bson:"outcomeId,omitempty"`
	ConversionID string    `json:"conversionId,omitempty" bson:"conversionId,omitempty"`
	PrevHash     string    `json:"prevHash" bson:"prevHash"`
	Hash         string    `json:"hash" bson:"hash"`
}

// FromLedgerEntry converts a ledger entry.
func FromLedgerEntry(e domain.LedgerEntry) LedgerDoc {
	return LedgerDoc{
		Seq:          e.Seq,
		At:           e.At,
		Kind:         string(e.Kind),
		Credits:      e.Credits,
		BalanceAfter: e.BalanceAfter,
		OutcomeID:    idPtrString(e.OutcomeID),
		ConversionID: idPtrString(e.ConversionID),
		PrevHash:     e.PrevHash,
		Hash:         e.Hash,
	}
}

// ToDomain converts back.
func (d LedgerDoc) ToDomain() (domain.LedgerEntry, error) {
	outcome, err := parseIDPtr("ledger outcomeId", d.OutcomeID)
	if err != nil {
		return domain.LedgerEntry{}, err
	}
	conversion, err := parseIDPtr("ledger conversionId", d.ConversionID)
	if err != nil {
		return domain.LedgerEntry{}, err
	}
	return domain.LedgerEntry{
		Seq:          d.Seq,
		At:           utc(d.At),
		Kind:         domain.LedgerKind(d.Kind),
		Credits:      d.Credits,
		BalanceAfter: d.BalanceAfter,
		OutcomeID:    outcome,
		ConversionID: conversion,
		PrevHash:     d.PrevHash,
		Hash:         d.Hash,
	}, nil
}

// GrantDoc shares the record with one institution for a while.
type GrantDoc struct {
	ID            string    `json:"id" bson:"id"`
	InstitutionID string    `json:"institutionId" bson:"institutionId"`
	CreatedAt     time.Time `json:"createdAt" bson:"createdAt"`
	ExpiresAt     time.Time `json:"expiresAt" bson:"expiresAt"`
	// WithdrawnAt keeps the name documents have always stored it under.
	WithdrawnAt *time.Time `json:"revokedAt,omitempty" bson:"revokedAt,omitempty"`
}

// FromGrant converts a grant.
func FromGrant(g domain.Grant) GrantDoc {
	return GrantDoc{
		ID:            idString(g.ID),
		InstitutionID: idString(g.InstitutionID),
		CreatedAt:     g.CreatedAt,
		ExpiresAt:     g.ExpiresAt,
		WithdrawnAt:   optTime(g.WithdrawnAt),
	}
}

// ToDomain converts back.
func (d GrantDoc) ToDomain() (domain.Grant, error) {
	id, err := parseID("grant id", d.ID)
	if err != nil {
		return domain.Grant{}, err
	}
	inst, err := parseID("grant institutionId", d.InstitutionID)
	if err != nil {
		return domain.Grant{}, err
	}
	return domain.Grant{
		ID:            id,
		InstitutionID: inst,
		CreatedAt:     utc(d.CreatedAt),
		ExpiresAt:     utc(d.ExpiresAt),
		WithdrawnAt:   optTime(d.WithdrawnAt),
	}, nil
}
