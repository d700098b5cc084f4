// Package storage is the persistence port: the interfaces every adapter
// implements (storage/sqlite, storage/mongo) and, in storetest, the contract
// suite they all must pass. Errors are the domain's: domain.ErrNotFound,
// domain.ErrConflict (duplicates) and domain.ErrStale (lost compare-and-swap).
package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// MaxPageSize bounds every list.
const MaxPageSize = 200

// DefaultPageSize applies when a caller asks for none.
const DefaultPageSize = 50

// Page asks for up to Limit items after an opaque Cursor ("" = from the start).
// Items come in ascending ID order (IDs are time-ordered UUIDv7), so the cursor
// is the last ID seen, and paging is stable while new items are added.
type Page struct {
	Limit  int
	Cursor string
}

// Normalized clamps the limit to 1..MaxPageSize.
func (p Page) Normalized() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	return p
}

// OutcomeQuery narrows an issuer's outcome list; zero fields match all.
type OutcomeQuery struct {
	LearnerName string // part of the learner's name
	CourseCode  string // part of the course code, in any case
	Status      domain.OutcomeStatus
	// CompletedFrom and CompletedTo bound the completion date, both days
	// included; zero leaves that side open.
	CompletedFrom, CompletedTo time.Time
}

// IssuedOutcome is an outcome as its issuer lists it: with whom it belongs to.
type IssuedOutcome struct {
	domain.Outcome
	LearnerName     string
	LearnerIDMasked string
}

// Accounts stores learner accounts, each one document guarded by Version.
type Accounts interface {
	// CreateAccount inserts a new account. Its Version is kept when > 0 (a
	// restore from an export) and otherwise set to 1 on the passed value. A
	// second account with the same national-ID hash, or the same ID, is
	// domain.ErrConflict. Every Create* below follows the same two rules.
	// Audit entries passed along are recorded as by RecordAudits, with the
	// account (see ErrAuditNotRecorded). key is the Idempotency-Key
	// reservation of the request this write belongs to, or nil (see
	// Idempotency.CarriesReservations); every write taking one does the same.
	CreateAccount(ctx context.Context, key *PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error
	GetAccount(ctx context.Context, id uuid.UUID) (*domain.Account, error)
	GetAccountByNationalIDHash(ctx context.Context, hash string) (*domain.Account, error)
	// UpdateAccount saves a only if the stored version still equals a.Version;
	// on success a.Version is incremented. Otherwise domain.ErrStale (or
	// domain.ErrNotFound if the account does not exist). Audit entries are
	// recorded with the change, as for CreateAccount.
	UpdateAccount(ctx context.Context, key *PendingReservation, a *domain.Account, audit ...domain.AuditEntry) error
	// GetAccountByOutcomeID finds the account holding an outcome (revocation
	// arrives with the outcome id only); domain.ErrNotFound if none.
	GetAccountByOutcomeID(ctx context.Context, outcomeID uuid.UUID) (*domain.Account, error)
	// GetAccountByConversionID finds the account holding a conversion
	// (reviewers decide by conversion id); domain.ErrNotFound if none.
	GetAccountByConversionID(ctx context.Context, conversionID uuid.UUID) (*domain.Account, error)
	// ListOutcomesByIssuer pages the outcomes one institution issued, in
	// ascending outcome ID order.
	ListOutcomesByIssuer(ctx context.Context, issuerID uuid.UUID, p Page) ([]domain.Outcome, string, error)
	// SearchIssuedOutcomes pages the outcomes one institution issued that
	// match q, newest first (descending outcome ID; the cursor is the last
	// ID seen), each with its learner's name and masked national ID.
	SearchIssuedOutcomes(ctx context.Context, issuerID uuid.UUID, q OutcomeQuery, p Page) ([]IssuedOutcome, string, error)
	// ListConversionsByInstitution pages the conversions addressed to one
	// institution with the given status ("" = any), ascending conversion ID.
	ListConversionsByInstitution(ctx context.Context, institutionID uuid.UUID, status domain.ConversionStatus, p Page) ([]domain.Conversion, string, error)
	// ListAccountsSharedWith pages the accounts holding a grant for an
	// institution that was not withdrawn (expired ones included: the caller
	// judges expiry), in ascending account ID order.
	ListAccountsSharedWith(ctx context.Context, institutionID uuid.UUID, p Page) ([]*domain.Account, string, error)
	// ScanAccounts streams every account in ascending ID order without
	// loading them all; fn returning an error stops the scan with that error.
	ScanAccounts(ctx context.Context, fn func(*domain.Account) error) error
	CountAccounts(ctx context.Context) (int64, error)
	// ListAccountsHelpedBy pages the accounts holding a helper grant for
	// helperID that was not withdrawn (expired ones included: the caller
	// judges expiry), in ascending account ID order.
	ListAccountsHelpedBy(ctx context.Context, helperID uuid.UUID, p Page) ([]*domain.Account, string, error)
	// DistrictTallies sums every account's domain.Account.StatTallies,
	// without reading the accounts: stores keep the sums up to date with
	// every account write.
	DistrictTallies(ctx context.Context) (domain.StatTallies, error)
}

// Institutions stores institutions, guarded by Version like accounts.
type Institutions interface {
	CreateInstitution(ctx context.Context, key *PendingReservation, i *domain.Institution) error
	GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error)
	UpdateInstitution(ctx context.Context, i *domain.Institution) error
	ListInstitutions(ctx context.Context, p Page) ([]domain.Institution, string, error)
}

// Users stores admins and staff; usernames are unique.
type Users interface {
	CreateUser(ctx context.Context, key *PendingReservation, u *domain.User) error
	GetUser(ctx context.Context, id uuid.UUID) (*domain.User, error)
	GetUserByUsername(ctx context.Context, username string) (*domain.User, error)
	UpdateUser(ctx context.Context, u *domain.User) error
	ListUsers(ctx context.Context, p Page) ([]domain.User, string, error)
}

// Clients stores institution API clients; ClientID is unique.
type Clients interface {
	CreateClient(ctx context.Context, c *domain.APIClient) error
	GetClient(ctx context.Context, clientID string) (*domain.APIClient, error)
	UpdateClient(ctx context.Context, c *domain.APIClient) error
	ListClients(ctx context.Context, p Page) ([]domain.APIClient, string, error)
}

// RefreshTokens stores hashed refresh tokens.
type RefreshTokens interface {
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	GetRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// UseRefreshToken atomically marks an unused token used and returns it.
	// An already used token is domain.ErrConflict (the caller then revokes
	// the family); an unknown one domain.ErrNotFound.
	UseRefreshToken(ctx context.Context, hash string, at time.Time) (*RefreshToken, error)
	RevokeRefreshFamily(ctx context.Context, family uuid.UUID) error
}

// Idempotency stores the first response to each Idempotency-Key. While a
// request runs, its record is a reservation held by the epoch (server
// process) in Owner; only the holder completes or releases it.
type Idempotency interface {
	// ReserveIdempotency inserts a record with Status 0; an existing key is
	// domain.ErrConflict.
	ReserveIdempotency(ctx context.Context, r *IdempotencyRecord) error
	GetIdempotency(ctx context.Context, key string) (*IdempotencyRecord, error)
	// TakeOverIdempotency replaces the reservation of r.Key with r, only if
	// it is still unfinished and held by prevOwner (compare-and-swap: of two
	// retries taking over one abandoned reservation, one wins). Otherwise
	// domain.ErrStale, or domain.ErrNotFound if the key is gone.
	TakeOverIdempotency(ctx context.Context, r *IdempotencyRecord, prevOwner string) error
	// CompleteIdempotency stores the response of a reservation held by
	// owner; domain.ErrStale if another owner took it over, ErrNotFound if
	// there is none.
	CompleteIdempotency(ctx context.Context, key, owner string, status int, body []byte) error
	// DeleteIdempotency drops an unfinished reservation held by owner whose
	// request failed, so the client may retry with the same key. A key that
	// is absent or held by another owner is left alone, without error.
	DeleteIdempotency(ctx context.Context, key, owner string) error
	// CarriesReservations reports whether the writes that take a key
	// (*PendingReservation) insert it in their own transaction, the first
	// of them to commit (Pending): then a key passed along is stored with
	// that write or not at all, and a write finding the key held fails
	// with ErrKeyTaken, applying nothing. If not, callers reserve before
	// the request runs and pass no key.
	CarriesReservations() bool
}

// Epochs records the server processes that are running, so that what a
// dead process left unfinished can be taken over without waiting.
type Epochs interface {
	// BeginEpoch records a starting process. Earlier epochs of the same
	// Instance are over (one live process per instance) and are removed,
	// as are epochs whose heartbeat stopped long ago.
	BeginEpoch(ctx context.Context, e *Epoch) error
	// RenewEpoch moves an epoch's heartbeat; domain.ErrNotFound if it was
	// removed (a newer process of the same instance started).
	RenewEpoch(ctx context.Context, id string, at time.Time) error
	// EndEpoch removes an epoch at a clean exit; an absent one is no error.
	EndEpoch(ctx context.Context, id string) error
	// GetEpoch returns a recorded epoch or domain.ErrNotFound.
	GetEpoch(ctx context.Context, id string) (*Epoch, error)
}

// EpochRetention is how long an epoch whose heartbeat stopped is kept before
// BeginEpoch removes it; a missing epoch reads as ended anyway.
const EpochRetention = 24 * time.Hour

// Keys stores token-signing keys.
type Keys interface {
	SaveSigningKey(ctx context.Context, k *SigningKey) error // insert or replace by KID
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
}

// Rules stores conversion rules; each version is its own document.
type Rules interface {
	CreateRule(ctx context.Context, key *PendingReservation, r *domain.Rule) error // Revision as Version above; same ID or same (Code, Version) is ErrConflict
	GetRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error)
	// UpdateRule is compare-and-swap on Revision, like UpdateAccount.
	UpdateRule(ctx context.Context, r *domain.Rule) error
	// ListRules pages rules, optionally filtered (zero values = any).
	ListRules(ctx context.Context, f RuleFilter, p Page) ([]domain.Rule, string, error)
}

// RuleFilter narrows ListRules.
type RuleFilter struct {
	Status        domain.RuleStatus
	InstitutionID uuid.UUID
	Code          string
}

// Audit stores the hash-chained audit log.
type Audit interface {
	// LastAudit returns the newest entry, or domain.ErrNotFound when empty.
	LastAudit(ctx context.Context) (*domain.AuditEntry, error)
	// AppendAudit inserts an entry; an existing Seq is domain.ErrConflict so
	// that concurrent appenders re-read the head and retry.
	AppendAudit(ctx context.Context, e *domain.AuditEntry) error
	// AppendAudits inserts consecutive entries in order and reports how
	// many leading ones were stored: at the first taken Seq it stops with
	// domain.ErrConflict. An adapter may store all or none (a transaction)
	// or a prefix (ordered inserts); either way the stored ones form an
	// unbroken chain.
	AppendAudits(ctx context.Context, es []*domain.AuditEntry) (int, error)
	// RecordAudits appends entries to the chain in order, the store sealing
	// each on the head as it stands when they are written (Seq, PrevHash,
	// Hash), so concurrent callers and other instances never collide; all
	// or none are stored.
	RecordAudits(ctx context.Context, es []domain.AuditEntry) error
	// ListAudit pages entries in ascending Seq order; the cursor is the last Seq.
	ListAudit(ctx context.Context, f AuditFilter, p Page) ([]domain.AuditEntry, string, error)
	// ScanAudit streams every entry in ascending Seq order.
	ScanAudit(ctx context.Context, fn func(domain.AuditEntry) error) error
	// ScanAuditIndexed streams every entry in ascending Seq order together
	// with the values ListAudit filters on as the adapter stores them, so
	// that verification can prove the filters see what the hashed entries
	// say.
	ScanAuditIndexed(ctx context.Context, fn func(domain.AuditEntry, AuditIndex) error) error
}

// AuditIndex is what ListAudit searches by for one entry. An adapter may keep
// these apart from the hashed entry (SQLite columns); editing them would hide
// an entry from a filtered search without breaking the hash chain, which is
// why verification compares them with the entry.
type AuditIndex struct {
	ActorID       string
	InstitutionID string
	Action        string
	At            time.Time
}

// AuditFilter narrows ListAudit (zero values = any).
type AuditFilter struct {
	ActorID       string
	InstitutionID string
	Action        string
	From, To      time.Time
	// NewestFirst pages by descending Seq: the cursor is then the last Seq
	// seen and the next page lists the entries before it.
	NewestFirst bool
}

// Imports stores bulk-import jobs.
type Imports interface {
	SaveImportJob(ctx context.Context, key *PendingReservation, j *domain.ImportJob) error // insert or replace by ID
	GetImportJob(ctx context.Context, id uuid.UUID) (*domain.ImportJob, error)
	// ListImportJobs pages one institution's jobs newest first (descending
	// ID; the cursor is the last ID seen): its import history.
	ListImportJobs(ctx context.Context, institutionID uuid.UUID, p Page) ([]domain.ImportJob, string, error)
}

// StatusIndexes records which bitstring status list position each
// outcome's credentials carry.
type StatusIndexes interface {
	// AssignStatusIndex gives the outcome position (list, index), or returns
	// the position it already holds. A position held by another outcome is
	// domain.ErrConflict (the caller draws another); positions are never
	// released.
	AssignStatusIndex(ctx context.Context, outcomeID uuid.UUID, list string, index int) (domain.StatusIndex, error)
	// ListStatusIndexes returns every position given out in list.
	ListStatusIndexes(ctx context.Context, list string) ([]domain.StatusIndex, error)
}

// VerificationCodes stores the short codes printed on paper transcripts.
type VerificationCodes interface {
	// SaveVerificationCode inserts a code; an existing code is
	// domain.ErrConflict (the caller draws another).
	SaveVerificationCode(ctx context.Context, v *domain.VerificationCode) error
	// GetVerificationCode returns a code or domain.ErrNotFound.
	GetVerificationCode(ctx context.Context, code string) (*domain.VerificationCode, error)
	// ScanVerificationCodes streams every code in ascending code order.
	ScanVerificationCodes(ctx context.Context, fn func(domain.VerificationCode) error) error
}

// Settings stores the district credit policy.
type Settings interface {
	// GetCreditPolicy returns the stored policy, or domain.ErrNotFound.
	GetCreditPolicy(ctx context.Context) (*domain.CreditPolicy, error)
	// SaveCreditPolicy is compare-and-swap on Version (0 = first save).
	SaveCreditPolicy(ctx context.Context, p *domain.CreditPolicy) error
}

// Courses stores the institutions' course catalogues, one document per
// course guarded by Version.
type Courses interface {
	// CreateCourse inserts a course (Version as for accounts). The same ID,
	// or a second course with the same Code at the same institution, is
	// domain.ErrConflict.
	CreateCourse(ctx context.Context, key *PendingReservation, c *domain.Course) error
	GetCourse(ctx context.Context, id uuid.UUID) (*domain.Course, error)
	// UpdateCourse is compare-and-swap on Version; taking a code another
	// course of the institution has is domain.ErrConflict.
	UpdateCourse(ctx context.Context, c *domain.Course) error
	// DeleteCourse removes a course; domain.ErrNotFound if absent. Outcomes
	// issued for it keep their own copy of title, code and hours.
	DeleteCourse(ctx context.Context, id uuid.UUID) error
	// ListCourses pages the courses q matches (domain.CourseQuery.Matches is
	// the semantics), in ascending ID order.
	ListCourses(ctx context.Context, q domain.CourseQuery, p Page) ([]domain.Course, string, error)
	// ScanCourses streams every course in ascending ID order.
	ScanCourses(ctx context.Context, fn func(domain.Course) error) error
	// CountCoursesByCategory counts the catalogue's courses (every stored
	// course is published: withdrawing one deletes it) per category, without
	// loading them. Categories without a course are absent.
	CountCoursesByCategory(ctx context.Context) (map[domain.Category]int, error)
}

// Frameworks stores the district's learning-outcomes framework, one
// document beside the credit policy.
type Frameworks interface {
	// GetFramework returns the stored framework, or domain.ErrNotFound
	// before the first save.
	GetFramework(ctx context.Context) (*domain.Framework, error)
	// SaveFramework is compare-and-swap on Version (0 = first save), like
	// SaveCreditPolicy; on success f.Version is the new version.
	SaveFramework(ctx context.Context, f *domain.Framework) error
}

// Units stores certification units, one document per unit keyed by its code
// and guarded by Version.
type Units interface {
	// CreateUnit inserts a unit at Version 1 (kept when > 0, a restore); a
	// second unit with the same code is domain.ErrConflict.
	CreateUnit(ctx context.Context, key *PendingReservation, u *domain.Unit) error
	// GetUnit loads a unit by its (normalised) code, or domain.ErrNotFound.
	GetUnit(ctx context.Context, code string) (*domain.Unit, error)
	// UpdateUnit is compare-and-swap on Version; on success u.Version is
	// incremented.
	UpdateUnit(ctx context.Context, u *domain.Unit) error
	// ListUnits pages the units q matches in ascending code order; the
	// cursor is the last code.
	ListUnits(ctx context.Context, q domain.UnitQuery, p Page) ([]domain.Unit, string, error)
}

// Store is a whole store: what the adapters implement and what the wiring
// (package main) opens, closes and hands on. Consumers declare the parts
// they use instead (service.Store, dump.Store, auth.KeyStore).
type Store interface {
	Accounts
	Institutions
	Users
	Clients
	RefreshTokens
	Idempotency
	Epochs
	Keys
	Rules
	Audit
	Imports
	Settings
	Courses
	StatusIndexes
	VerificationCodes
	Frameworks
	Units
	// Ping answers whether the store is reachable (for /healthz).
	Ping(ctx context.Context) error
	Close() error
}
