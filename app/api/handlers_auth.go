package api

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/domain"
)

type tokenResponse struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken,omitempty"`
	TokenType    string `json:"tokenType"`
	ExpiresIn    int    `json:"expiresIn"`
}

func tokenFrom(p service.TokenPair) tokenResponse {
	return tokenResponse{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, TokenType: "Bearer", ExpiresIn: p.ExpiresIn}
}

// throttled runs a credential check under the limiters. Every key must
// have a token: the address and the subject (a canonical username or a
// client ID; "" for none) at that address in the per-address limiter, and
// the subject over all addresses in the subjects limiter, whose bucket is
// ten times deeper. Failures back off exponentially on the address and on
// the subject at that address; the subject alone backs off only past the
// far higher subjectFailures. So nobody can lock a user out from addresses
// of their own with fewer than that many guesses. Success clears the counts.
func (s *Server) throttled(c *fiber.Ctx, ip, subject string, check func() (service.TokenPair, error)) error {
	keys := []string{"ip:" + ip}
	if subject != "" {
		keys = append(keys, subject+"@"+ip)
	}
	ok, wait := s.limiter.allow(keys...)
	if ok && subject != "" {
		ok, wait = s.subjects.allow(subject)
	}
	if !ok {
		s.metrics.LockedOut(authKind(c))
		c.Locals(retryAfterKey, retryAfterSeconds(wait))
		return domain.ErrRateLimited
	}
	pair, err := check()
	if err != nil {
		if errors.Is(err, domain.ErrUnauthenticated) {
			s.metrics.LoginFailed(authKind(c))
			s.limiter.failure(keys...)
			if subject != "" {
				s.subjects.failureAfter(subjectFailures, subject)
			}
		}
		return err
	}
	s.limiter.success(keys...)
	if subject != "" {
		s.subjects.success(subject)
	}
	return c.JSON(tokenFrom(pair))
}

// authKind names a credential route for metrics.
func authKind(c *fiber.Ctx) string {
	switch c.Route().Path {
	case "/api/v1/auth/refresh":
		return "refresh"
	case "/api/v1/auth/token":
		return "client"
	}
	return "password"
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	actor := actorOf(c)
	// The same canonical form the lookup uses: one user, one bucket. A name
	// that cannot be canonical names no one and costs only the address.
	subject := ""
	if user, ok := auth.CanonicalUsername(req.Username); ok {
		subject = "user:" + user
	}
	return s.throttled(c, actor.ClientIP, subject, func() (service.TokenPair, error) {
		return s.svc.Login(c.UserContext(), req.Username, req.Password, actor)
	})
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

func (s *Server) refresh(c *fiber.Ctx) error {
	var req refreshRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	actor := actorOf(c)
	return s.throttled(c, actor.ClientIP, "", func() (service.TokenPair, error) {
		return s.svc.Refresh(c.UserContext(), req.RefreshToken, actor)
	})
}

// maxClientIDLen is the longest client ID the service looks up; a longer
// one fails without a bucket of its own.
const maxClientIDLen = 100

type clientTokenRequest struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

func (s *Server) clientToken(c *fiber.Ctx) error {
	var req clientTokenRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	actor := actorOf(c)
	subject := ""
	if req.ClientID != "" && len(req.ClientID) <= maxClientIDLen {
		subject = "client:" + req.ClientID
	}
	return s.throttled(c, actor.ClientIP, subject, func() (service.TokenPair, error) {
		return s.svc.ClientToken(c.UserContext(), req.ClientID, req.ClientSecret)
	})
}

type meResponse struct {
	Role          string   `json:"role"`
	AccountID     string   `json:"accountId,omitempty"`
	UserID        string   `json:"userId,omitempty"`
	InstitutionID string   `json:"institutionId,omitempty"`
	Perms         []string `json:"perms,omitempty"`
	Name          string   `json:"name,omitempty"`
}

func (s *Server) me(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	out := meResponse{Role: string(actor.Role)}
	switch actor.Role {
	case domain.RoleLearner:
		out.AccountID = actor.ID.String()
		if acc, err := s.svc.Record(c.UserContext(), actor, actor.ID); err == nil {
			out.Name = acc.Name
		}
	case domain.RoleStaff, domain.RoleClient:
		out.InstitutionID = actor.InstitutionID.String()
		out.UserID = actor.ID.String()
		out.Perms = permStrings(actor.Perms)
		if actor.Role == domain.RoleClient {
			out.Perms = []string{string(domain.PermIssue), string(domain.PermReview)}
		}
		if inst, err := s.svc.GetInstitution(c.UserContext(), actor.InstitutionID); err == nil {
			out.Name = inst.Name
		}
	case domain.RoleAdmin:
		out.UserID = actor.ID.String()
	}
	return c.JSON(out)
}
