package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
)

// TokenPair is what a successful login or refresh returns.
type TokenPair struct {
	AccessToken  string
	RefreshToken string // empty for client-credentials tokens
	ExpiresIn    int
}

// errBadCredentials is deliberately the same for an unknown user, a wrong
// password and an unclaimed account, so login answers reveal nothing.
var errBadCredentials = fmt.Errorf("%w: %s", domain.ErrUnauthenticated, "invalid username or password")

// Login checks a username (admin/staff name or a learner's national ID) and
// password and opens a refresh-token family. The username is taken in its
// canonical form (auth.CanonicalUsername), the one the throttle keys on.
func (s *Service) Login(ctx context.Context, username, password string, meta Actor) (TokenPair, error) {
	username, ok := auth.CanonicalUsername(username)
	if !ok || password == "" {
		return TokenPair{}, errBadCredentials
	}
	p, err := s.checkPassword(ctx, username, password)
	if err != nil {
		return TokenPair{}, err
	}
	pair, err := s.openSession(ctx, p, uuid.New())
	if err != nil {
		return TokenPair{}, err
	}
	meta.Role, meta.ID, meta.InstitutionID = p.Role, p.Subject, p.InstitutionID
	s.audit(ctx, meta, "auth.login", string(p.Role), p.Subject.String(), "")
	return pair, nil
}

func (s *Service) checkPassword(ctx context.Context, username, password string) (auth.Principal, error) {
	if id, err := domain.ParseNationalID(username); err == nil {
		acc, err := s.accountByNationalID(ctx, id)
		if errors.Is(err, domain.ErrNotFound) || (err == nil && !acc.Claimed()) {
			auth.DummyVerify(password)
			return auth.Principal{}, errBadCredentials
		}
		if err != nil {
			return auth.Principal{}, err
		}
		if ok, _ := auth.VerifyPassword(acc.PasswordHash, password); !ok || acc.Status != domain.AccountActive {
			return auth.Principal{}, errBadCredentials
		}
		return auth.Principal{Role: domain.RoleLearner, Subject: acc.ID, Gen: acc.SessionGen}, nil
	}
	u, err := s.store.GetUserByUsername(ctx, username)
	if errors.Is(err, domain.ErrNotFound) {
		auth.DummyVerify(password)
		return auth.Principal{}, errBadCredentials
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if ok, _ := auth.VerifyPassword(u.PasswordHash, password); !ok {
		return auth.Principal{}, errBadCredentials
	}
	p := auth.Principal{Role: u.Role, Subject: u.ID, InstitutionID: u.InstitutionID, Perms: u.Perms, IssuedAt: s.now()}
	a, err := s.authenticate(ctx, p, false)
	if err != nil {
		return auth.Principal{}, errBadCredentials
	}
	p.Gen = a.sessionGen
	return p, nil
}

// openSession issues an access token and a new refresh token in a family.
func (s *Service) openSession(ctx context.Context, p auth.Principal, family uuid.UUID) (TokenPair, error) {
	access, expiresIn, err := s.tokens.Issue(p)
	if err != nil {
		return TokenPair{}, err
	}
	refresh, hash := auth.NewRefreshToken()
	now := domain.Now(s.now())
	rt := &storage.RefreshToken{
		Hash: hash, FamilyID: family, Subject: p.Subject, Role: p.Role,
		InstitutionID: p.InstitutionID, CreatedAt: now, ExpiresAt: now.Add(s.refreshTTL),
		SessionGen: p.Gen,
	}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: expiresIn}, nil
}

// Refresh rotates a refresh token. Presenting a token that was already used
// means it was stolen or replayed: the whole family is revoked.
func (s *Service) Refresh(ctx context.Context, token string, meta Actor) (TokenPair, error) {
	if token == "" || len(token) > 200 {
		return TokenPair{}, domain.ErrUnauthenticated
	}
	hash := auth.HashToken(token)
	rt, err := s.store.UseRefreshToken(ctx, hash, domain.Now(s.now()))
	switch {
	case errors.Is(err, domain.ErrConflict):
		if old, gerr := s.store.GetRefreshToken(ctx, hash); gerr == nil {
			if rerr := s.store.RevokeRefreshFamily(ctx, old.FamilyID); rerr != nil {
				return TokenPair{}, rerr
			}
			meta.Role, meta.ID = old.Role, old.Subject
			s.audit(ctx, meta, "auth.refresh_reuse", "refresh_family", old.FamilyID.String(), "family revoked")
		}
		return TokenPair{}, domain.ErrUnauthenticated
	case errors.Is(err, domain.ErrNotFound):
		return TokenPair{}, domain.ErrUnauthenticated
	case err != nil:
		return TokenPair{}, err
	}
	if rt.Revoked || !s.now().Before(rt.ExpiresAt) {
		return TokenPair{}, domain.ErrUnauthenticated
	}
	// The session began when its family did, at the generation it carries;
	// a password change, reset, claim or suspension since has moved the
	// generation on and ends it.
	p := auth.Principal{Role: rt.Role, Subject: rt.Subject, InstitutionID: rt.InstitutionID, IssuedAt: rt.CreatedAt, Gen: rt.SessionGen}
	actor, err := s.Authenticate(ctx, p)
	if err != nil {
		return TokenPair{}, domain.ErrUnauthenticated
	}
	p.Perms = actor.Perms
	return s.openSession(ctx, p, rt.FamilyID)
}

// ClientToken is the client-credentials grant for institution API clients.
func (s *Service) ClientToken(ctx context.Context, clientID, secret string) (TokenPair, error) {
	if clientID == "" || secret == "" || len(clientID) > 100 || len(secret) > 200 {
		return TokenPair{}, errBadCredentials
	}
	c, err := s.store.GetClient(ctx, clientID)
	if errors.Is(err, domain.ErrNotFound) {
		return TokenPair{}, errBadCredentials
	}
	if err != nil {
		return TokenPair{}, err
	}
	if !auth.CompareSecret(c.SecretHash, secret) {
		return TokenPair{}, errBadCredentials
	}
	p := auth.Principal{Role: domain.RoleClient, Subject: c.ID, InstitutionID: c.InstitutionID, IssuedAt: s.now()}
	a, err := s.authenticate(ctx, p, false)
	if err != nil {
		return TokenPair{}, errBadCredentials
	}
	p.Gen = a.sessionGen
	access, expiresIn, err := s.tokens.Issue(p)
	if err != nil {
		return TokenPair{}, err
	}
	return TokenPair{AccessToken: access, ExpiresIn: expiresIn}, nil
}

// Authenticate turns a verified token's principal into an actor, checking
// that the account, user, client and institution behind it still exist and
// are active. Permissions come from the stored user, not the token, so a
// revoked permission takes effect at once. A token of an earlier session
// generation than its subject's is refused.
func (s *Service) Authenticate(ctx context.Context, p auth.Principal) (Actor, error) {
	return s.authenticate(ctx, p, true)
}

// authenticate is Authenticate; checkGen false is for a session being
// opened, which takes the current generation instead of carrying one.
func (s *Service) authenticate(ctx context.Context, p auth.Principal, checkGen bool) (Actor, error) {
	a, err := s.currentActor(ctx, p)
	if err != nil {
		return Actor{}, err
	}
	if checkGen && p.Gen != a.sessionGen {
		return Actor{}, domain.ErrUnauthenticated
	}
	return a, nil
}

// currentActor loads what stands behind a principal. Staff and clients
// take their institution's generation into theirs: both only ever grow, so
// the sum moves whenever either does.
func (s *Service) currentActor(ctx context.Context, p auth.Principal) (Actor, error) {
	a := Actor{Role: p.Role, ID: p.Subject, InstitutionID: p.InstitutionID}
	switch p.Role {
	case domain.RoleLearner:
		acc, err := s.store.GetAccount(ctx, p.Subject)
		if err != nil || acc.Status != domain.AccountActive || domain.SessionStartedBefore(acc.CredentialsChangedAt, p.IssuedAt) {
			return Actor{}, notAuthenticated(err)
		}
		a.account, a.sessionGen = acc, acc.SessionGen
	case domain.RoleAdmin, domain.RoleStaff:
		u, err := s.store.GetUser(ctx, p.Subject)
		if err != nil || u.Status != domain.UserActive || u.Role != p.Role || u.InstitutionID != p.InstitutionID ||
			domain.SessionStartedBefore(u.CredentialsChangedAt, p.IssuedAt) {
			return Actor{}, notAuthenticated(err)
		}
		a.Perms, a.sessionGen = u.Perms, u.SessionGen
		if p.Role == domain.RoleStaff {
			inst, err := s.institutionActive(ctx, u.InstitutionID)
			if err != nil {
				return Actor{}, err
			}
			a.institution = inst
			a.sessionGen += inst.SessionGen
		}
	case domain.RoleClient:
		c, err := s.store.GetClient(ctx, p.Subject.String())
		if err != nil || c.Status != domain.UserActive || c.InstitutionID != p.InstitutionID {
			return Actor{}, notAuthenticated(err)
		}
		inst, err := s.institutionActive(ctx, c.InstitutionID)
		if err != nil {
			return Actor{}, err
		}
		a.institution, a.sessionGen = inst, inst.SessionGen
	default:
		return Actor{}, domain.ErrUnauthenticated
	}
	return a, nil
}

func (s *Service) institutionActive(ctx context.Context, id uuid.UUID) (*domain.Institution, error) {
	inst, err := s.store.GetInstitution(ctx, id)
	if err != nil || inst.Status != domain.InstitutionActive {
		return nil, notAuthenticated(err)
	}
	return inst, nil
}

// notAuthenticated hides "no such user" behind 401 but lets store failures
// surface as internal errors.
func notAuthenticated(err error) error {
	if err == nil || errors.Is(err, domain.ErrNotFound) {
		return domain.ErrUnauthenticated
	}
	return err
}
