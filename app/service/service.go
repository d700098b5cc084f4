// Package service holds the credit bank's use cases: load the aggregate, call
// the domain, save with compare-and-swap, audit the change. Authorisation
// decisions live here so that every entry point (HTTP, CLI, import) shares them.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
)

// Sealer protects personal data: encryption at rest plus a keyed lookup hash.
type Sealer interface {
	Seal(purpose, plaintext string) (string, error)
	Open(purpose, sealed string) (string, error)
	LookupHash(nationalID string) string
	// LookupHashes lists the hashes to try, in order, while a master-key
	// rotation may have left accounts under an older key's hash.
	LookupHashes(nationalID string) []string
	// SealedByCurrent reports whether a value names the current master key.
	SealedByCurrent(sealed string) bool
}

// TokenIssuer signs access tokens.
type TokenIssuer interface {
	Issue(p auth.Principal) (token string, expiresIn int, err error)
}

// Config tunes the service.
type Config struct {
	RefreshTTL  time.Duration
	Transcripts TranscriptSigner
	// Credentials signs the 1EdTech credentials; IssuerProfile names the
	// bank in them (DefaultIssuerProfile if empty).
	Credentials   CredentialKeys
	IssuerProfile IssuerProfile
	Now           func() time.Time
	Logger        *slog.Logger
	// Imports hears how import rows settle, for operators' metrics; nil
	// hears nothing.
	Imports ImportObserver
}

// ImportObserver hears, after each window of an import, how many rows were
// banked, found already in the bank, or failed (results "banked",
// "duplicate", "failed").
type ImportObserver interface {
	ImportRows(result string, n int)
}

// Store is what the use cases read and write, part by part of the port
// with the files that use each. One Service serves every use case, so New
// takes them all; helpers that need less declare less (auditNameSource).
// The store's lifetime (Close) belongs to whoever wired it.
type Store interface {
	storage.Accounts          // every learner-facing use case
	storage.Institutions      // access, institutions, courses, framework, sessions, stats
	storage.Users             // access, institutions, sessions, staff, credentials, imports
	storage.Clients           // institutions, sessions
	storage.RefreshTokens     // sessions
	storage.Idempotency       // keyed writes
	storage.Epochs            // epoch
	storage.Keys              // verify
	storage.Rules             // rules, conversions, pathways
	storage.Audit             // audit, and every audited change
	storage.Imports           // imports
	storage.Settings          // the credit policy (service.go)
	storage.Courses           // courses, stats
	storage.StatusIndexes     // statuslist
	storage.VerificationCodes // transcripts
	storage.Frameworks        // framework
	storage.Units             // framework
	// Ping answers whether the store is reachable (for /healthz).
	Ping(ctx context.Context) error
}

// Service is the application core shared by the HTTP API and the CLI.
type Service struct {
	store      Store
	vault      Sealer
	tokens     TokenIssuer
	now        func() time.Time
	log        *slog.Logger
	refreshTTL time.Duration
	jobs       sync.WaitGroup // background imports
	running    sync.Map       // IDs of the imports this process runs
	// importsStopping ends when imports are to stop (StopImports).
	importsStopping context.Context
	stopImports     context.CancelFunc

	accountLocks keyedLocks[uuid.UUID]

	transcripts   TranscriptSigner
	creds         CredentialKeys
	issuerProfile IssuerProfile
	statusLists   statusListCache
	status        statusCache // the signed revocation list, rebuilt at most every few minutes
	epoch         string      // this process's run; see epoch.go
	imports       ImportObserver

	catalogue catalogueCache // district courses for pathways
}

// New wires a service.
func New(store Store, vault Sealer, tokens TokenIssuer, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	stopping, stop := context.WithCancel(context.Background())
	return &Service{store: store, vault: vault, tokens: tokens, now: cfg.Now, log: cfg.Logger, refreshTTL: cfg.RefreshTTL,
		transcripts: cfg.Transcripts, creds: cfg.Credentials, issuerProfile: cfg.IssuerProfile, epoch: newEpochID(),
		importsStopping: stopping, stopImports: stop, imports: cfg.Imports}
}

// Store exposes the underlying store to the CLI (export, verify).
func (s *Service) Store() Store { return s.store }

// Actor is the authenticated caller of a use case. The zero Role is an
// anonymous caller.
type Actor struct {
	Role          domain.Role
	ID            uuid.UUID
	InstitutionID uuid.UUID
	Perms         []domain.Perm
	ClientIP      string
	RequestID     string

	// What signing in loaded, kept for the rest of the request so that it
	// is not read again: the learner's own account, the staff member's or
	// client's institution. Nil for actors made elsewhere (CLI, tests).
	account     *domain.Account
	institution *domain.Institution
	// sessionGen is the subject's current session generation, as signing
	// in found it: what a new token for the actor carries.
	sessionGen int64
}

// accountOf loads an account, reusing the one signing in loaded when it is
// the actor's own (a clone: callers may change it).
func (s *Service) accountOf(ctx context.Context, actor Actor, id uuid.UUID) (*domain.Account, error) {
	if actor.account != nil && actor.account.ID == id {
		return actor.account.Clone(), nil
	}
	return s.store.GetAccount(ctx, id)
}

// accountToRead is accountOf for callers that only read the account: the
// copy loaded at sign-in serves as it is, without another deep copy.
func (s *Service) accountToRead(ctx context.Context, actor Actor, id uuid.UUID) (*domain.Account, error) {
	if actor.account != nil && actor.account.ID == id {
		return actor.account, nil
	}
	return s.store.GetAccount(ctx, id)
}

// Anonymous reports whether no one is signed in.
func (a Actor) Anonymous() bool { return a.Role == "" }

// Can reports whether a staff member holds a permission; institution clients
// act for their institution with every machine-usable permission except
// managing staff.
func (a Actor) Can(p domain.Perm) bool {
	switch a.Role {
	case domain.RoleStaff:
		return domain.HasPerm(a.Perms, p)
	case domain.RoleClient:
		return p == domain.PermIssue || p == domain.PermReview
	}
	return false
}

// System is the actor for start-up seeding and CLI work.
var System = Actor{Role: domain.RoleAdmin, ID: uuid.Nil}

// maxCASAttempts bounds retries on a hot account; with jittered back-off
// 50 writers racing on one account all land well within it.
const maxCASAttempts = 200

// maxUnknownOutcomes bounds how often one change is retried after the store
// failed to say whether a save happened; a store that stays down must turn
// into a quick 503, not a long stall.
const maxUnknownOutcomes = 2

// updateAccount runs load → change → compare-and-swap, retrying on a lost race.
//
// A save that fails as domain.ErrUnavailable may still have been applied:
// the reply was lost (connection dropped after the write was sent, primary
// stepped down before acknowledging). Retrying blindly would bank a deposit
// twice, so the account is reloaded first. The compare-and-swap on version
// leaves two cases: the stored account is exactly what was sent, one
// version on (the save landed: done), or it is not (it did not land, or
// someone else saved first: run the change again on what is there).
func (s *Service) updateAccount(ctx context.Context, id uuid.UUID, change func(*domain.Account) error) (*domain.Account, error) {
	return s.updateAudited(ctx, nil, id, nil, change, nil)
}

// updateAudited is updateAccount whose save carries the audit entries
// describing the change (audit, when not nil, is asked for them after
// change succeeded): the store records them in the same durable write, so
// no acknowledged change is ever missing from the audit log after a crash,
// and the request waits for one write instead of two.
//
// A caller that has just read the account passes it as loaded, and the
// first attempt starts from it (saving a read); if it is no longer current
// the compare-and-swap fails and the account is read again. The caller
// hands loaded over: the first attempt changes it in place (copying it cost
// a deposit as much as decoding it), so the caller must not use it
// afterwards.
//
// key is the reservation of the request's Idempotency-Key (Op.Reservation)
// when the change is its first write, or nil: each attempt passes it to the
// save, and the save that commits stores it too.
func (s *Service) updateAudited(ctx context.Context, key *storage.PendingReservation, id uuid.UUID, loaded *domain.Account, change func(*domain.Account) error, audit func(*domain.Account) []domain.AuditEntry) (*domain.Account, error) {
	defer s.accountLocks.lock(id)()
	var sent *domain.Account // the last save whose outcome is unknown
	unknown := 0
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		var a *domain.Account
		var err error
		if attempt == 0 && loaded != nil && loaded.ID == id {
			a = loaded
		} else {
			a, err = s.store.GetAccount(ctx, id)
		}
		if err != nil {
			return nil, err
		}
		if sent != nil && savedAs(a, sent) {
			s.log.Info("account save landed although the store reported a failure", "account", id.String(), "version", a.Version)
			return a, nil
		}
		sent = nil
		if err := change(a); err != nil {
			return nil, err
		}
		want := a.Version
		var entries []domain.AuditEntry
		if audit != nil {
			entries = audit(a)
		}
		err = s.store.UpdateAccount(ctx, key, a, entries...)
		if err == nil {
			return a, nil
		}
		if errors.Is(err, storage.ErrAuditNotRecorded) {
			s.logAuditGap(entries, err)
			return a, nil
		}
		switch {
		case errors.Is(err, domain.ErrStale):
			if attempt == 0 && loaded != nil {
				continue // the caller's copy was old; read the current one at once
			}
			if err := sleepJitter(ctx, attempt); err != nil {
				return nil, err
			}
		case errors.Is(err, domain.ErrUnavailable) && unknown < maxUnknownOutcomes:
			unknown++
			s.log.Warn("account save failed, outcome unknown; reloading", "account", id.String(), "err", err)
			a.Version = want
			sent = a
			if err := pause(ctx, time.Duration(unknown)*100*time.Millisecond); err != nil {
				return nil, err
			}
		default:
			return nil, err
		}
	}
	return nil, domain.ErrStale
}

// savedAs reports whether stored is sent as saved: one version later and
// otherwise identical (the storage contract makes a save round-trip exactly).
func savedAs(stored, sent *domain.Account) bool {
	if stored.Version != sent.Version+1 {
		return false
	}
	cp := *stored
	cp.Version = sent.Version
	return reflect.DeepEqual(&cp, sent)
}

func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func sleepJitter(ctx context.Context, attempt int) error {
	ceiling := time.Duration(min(attempt+1, 20)) * time.Millisecond
	return pause(ctx, time.Duration(rand.Int64N(int64(ceiling))))
}

// CreditPolicy returns the district policy. It is read from the store each
// time rather than cached, so that every instance of a scaled-out deployment
// applies an admin's change at once.
func (s *Service) CreditPolicy(ctx context.Context) (domain.CreditPolicy, error) {
	stored, err := s.store.GetCreditPolicy(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.DefaultCreditPolicy(), nil
	}
	if err != nil {
		return domain.CreditPolicy{}, err
	}
	return *stored, nil
}

// SetCreditPolicy lets an admin change hours per credit.
func (s *Service) SetCreditPolicy(ctx context.Context, actor Actor, hoursPerCredit map[domain.Category]float64) (domain.CreditPolicy, error) {
	if actor.Role != domain.RoleAdmin {
		return domain.CreditPolicy{}, domain.ErrForbidden
	}
	current, err := s.CreditPolicy(ctx)
	if err != nil {
		return domain.CreditPolicy{}, err
	}
	next := domain.DefaultCreditPolicy()
	for c, h := range current.HoursPerCredit {
		next.HoursPerCredit[c] = h
	}
	for c, h := range hoursPerCredit {
		next.HoursPerCredit[c] = h
	}
	next.Version = current.Version
	if err := next.Validate(); err != nil {
		return domain.CreditPolicy{}, err
	}
	if err := s.store.SaveCreditPolicy(ctx, &next); err != nil {
		return domain.CreditPolicy{}, err
	}
	// The audit entry records each changed rate as category=before->after.
	var changes []string
	for _, c := range domain.Categories {
		if before, after := current.HoursPerCredit[c], next.HoursPerCredit[c]; before != after {
			changes = append(changes, fmt.Sprintf("%s=%s->%s", c, strconv.FormatFloat(before, 'f', -1, 64), strconv.FormatFloat(after, 'f', -1, 64)))
		}
	}
	s.audit(ctx, actor, "policy.update", "policy", "credit", strings.Join(changes, " "))
	return next, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }
