// Package service holds the credit bank's use cases: load the aggregate, call
// the domain, save with compare-and-swap, audit the change. Authorisation
// decisions live here so that every entry point (HTTP, CLI, import) shares them.
package service

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
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
}

// TokenIssuer signs access tokens.
type TokenIssuer interface {
	Issue(p auth.Principal) (token string, expiresIn int, err error)
}

// Config tunes the service.
type Config struct {
	RefreshTTL  time.Duration
	Transcripts TranscriptSigner
	Now         func() time.Time
	Logger      *slog.Logger
}

// Service is the application core shared by the HTTP API and the CLI.
type Service struct {
	store      storage.Store
	vault      Sealer
	tokens     TokenIssuer
	now        func() time.Time
	log        *slog.Logger
	refreshTTL time.Duration
	jobs       sync.WaitGroup // background imports

	accountLocks keyedLocks[uuid.UUID]
	auditLock    sync.Mutex // one chain head: appends queue here before CAS

	transcripts TranscriptSigner

	catalogue catalogueCache // district courses for pathways
}

// New wires a service.
func New(store storage.Store, vault Sealer, tokens TokenIssuer, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	return &Service{store: store, vault: vault, tokens: tokens, now: cfg.Now, log: cfg.Logger, refreshTTL: cfg.RefreshTTL,
		transcripts: cfg.Transcripts}
}

// Store exposes the underlying store to the CLI (export, verify).
func (s *Service) Store() storage.Store { return s.store }

// Actor is the authenticated caller of a use case. The zero Role is an
// anonymous caller.
type Actor struct {
	Role          domain.Role
	ID            uuid.UUID
	InstitutionID uuid.UUID
	Perms         []domain.Perm
	ClientIP      string
	RequestID     string
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

// updateAccount runs load → change → compare-and-swap, retrying on a lost race.
func (s *Service) updateAccount(ctx context.Context, id uuid.UUID, change func(*domain.Account) error) (*domain.Account, error) {
	defer s.accountLocks.lock(id)()
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		a, err := s.store.GetAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := change(a); err != nil {
			return nil, err
		}
		err = s.store.UpdateAccount(ctx, a)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, domain.ErrStale) {
			return nil, err
		}
		if err := sleepJitter(ctx, attempt); err != nil {
			return nil, err
		}
	}
	return nil, domain.ErrStale
}

func sleepJitter(ctx context.Context, attempt int) error {
	ceiling := time.Duration(min(attempt+1, 20)) * time.Millisecond
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling))))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
	s.audit(ctx, actor, "policy.update", "policy", "credit", "")
	return next, nil
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }
