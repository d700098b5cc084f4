package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"creditbank/domain"
)

// Principal is who an access token speaks for.
type Principal struct {
	Role          domain.Role
	Subject       uuid.UUID // account id for learners, user id for staff/admin, API client id for clients
	InstitutionID uuid.UUID // uuid.Nil for learners and admins
	Perms         []domain.Perm
	// Gen is the subject's session generation when the session opened;
	// the service refuses the token once the generation has moved on.
	Gen       int64
	TokenID   string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

const (
	// tokenType is the RFC 9068 access-token type; requiring it exactly keeps
	// any other JWT we might sign (transcripts) from passing as an access token.
	tokenType = "at+jwt"
	// maxTokenLen bounds work done on attacker input before any parsing; our
	// tokens are well under 1 KiB.
	maxTokenLen = 4096
)

var kidPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// accessClaims is the JWT payload of an access token.
type accessClaims struct {
	Role  domain.Role   `json:"role"`
	Inst  string        `json:"inst,omitempty"`
	Perms []domain.Perm `json:"perms"`
	Gen   int64         `json:"gen,omitempty"`
	jwt.RegisteredClaims
}

// TokenService issues and verifies access tokens.
type TokenService struct {
	issuer   string
	audience string
	keys     *KeySet
	clock    Clock
	lifetime time.Duration
	parser   *jwt.Parser
	verified *verifiedTokens
}

// NewTokenService returns a service issuing AccessTokenLifetime tokens for
// issuer and audience, signed with the key set's current key.
func NewTokenService(issuer, audience string, keys *KeySet, clock Clock) *TokenService {
	clock = orNow(clock)
	return &TokenService{
		issuer:   issuer,
		audience: audience,
		keys:     keys,
		clock:    clock,
		lifetime: AccessTokenLifetime,
		verified: newVerifiedTokens(verifiedTokensSize),
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}),
			jwt.WithIssuer(issuer),
			jwt.WithAudience(audience),
			jwt.WithExpirationRequired(),
			jwt.WithNotBeforeRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(Leeway),
			jwt.WithTimeFunc(clock),
			// Reject non-canonical base64 so a token has one encoding only.
			jwt.WithStrictDecoding(),
		),
	}
}

// Lifetime is the access-token lifetime, for the token response's expiresIn.
func (s *TokenService) Lifetime() time.Duration { return s.lifetime }

// Issue signs an access token for p. p.TokenID and p.ExpiresAt are ignored
// and set by the service.
func (s *TokenService) Issue(p Principal) (string, int, error) {
	if err := checkPrincipal(p.Role, p.Subject, p.InstitutionID, p.Perms); err != nil {
		return "", 0, fmt.Errorf("auth: refusing to issue token: %w", err)
	}
	kid, key, err := s.keys.signingKey()
	if err != nil {
		return "", 0, err
	}
	now := s.clock().UTC().Truncate(time.Second)
	claims := accessClaims{
		Role:  p.Role,
		Perms: p.Perms,
		Gen:   p.Gen,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   p.Subject.String(),
			Audience:  jwt.ClaimStrings{s.audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.lifetime)),
			ID:        randomID(),
		},
	}
	if claims.Perms == nil {
		claims.Perms = []domain.Perm{}
	}
	if p.InstitutionID != uuid.Nil {
		claims.Inst = p.InstitutionID.String()
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["typ"] = tokenType
	t.Header["kid"] = kid
	signed, err := t.SignedString(key)
	if err != nil {
		return "", 0, fmt.Errorf("auth: sign token: %w", err)
	}
	return signed, int(s.lifetime / time.Second), nil
}

// Verify checks an access token and returns its principal. Every failure is
// domain.ErrUnauthenticated with a short reason that never echoes the token.
func (s *TokenService) Verify(token string) (Principal, error) {
	// Cheap structural checks first, so oversized or dot-stuffed input costs
	// nothing more than one bounded scan.
	if token == "" || len(token) > maxTokenLen || strings.Count(token, ".") != 2 {
		return Principal{}, unauthenticated("malformed token")
	}
	if p, ok := s.verified.get(token, s.clock()); ok {
		return p, nil
	}
	p, err := s.verify(token)
	if err != nil {
		return Principal{}, err
	}
	s.verified.put(token, p)
	return p, nil
}

// verify does the full check of Verify.
func (s *TokenService) verify(token string) (Principal, error) {
	var claims accessClaims
	_, err := s.parser.ParseWithClaims(token, &claims, s.keyFor)
	if err != nil {
		return Principal{}, unauthenticated(reasonFor(err))
	}
	if claims.IssuedAt == nil {
		return Principal{}, unauthenticated("missing iat")
	}
	if claims.ExpiresAt.Sub(claims.IssuedAt.Time) > s.lifetime+Leeway {
		return Principal{}, unauthenticated("lifetime too long")
	}
	sub, err := uuid.Parse(claims.Subject)
	if err != nil {
		return Principal{}, unauthenticated("bad subject")
	}
	inst := uuid.Nil
	if claims.Inst != "" {
		if inst, err = uuid.Parse(claims.Inst); err != nil || inst == uuid.Nil {
			return Principal{}, unauthenticated("bad institution")
		}
	}
	if err := checkPrincipal(claims.Role, sub, inst, claims.Perms); err != nil {
		return Principal{}, unauthenticated("bad role claims")
	}
	if claims.Gen < 0 {
		return Principal{}, unauthenticated("bad session generation")
	}
	return Principal{
		Role:          claims.Role,
		Subject:       sub,
		InstitutionID: inst,
		Perms:         claims.Perms,
		Gen:           claims.Gen,
		TokenID:       claims.ID,
		IssuedAt:      claims.IssuedAt.Time,
		ExpiresAt:     claims.ExpiresAt.Time,
	}, nil
}

// keyFor selects the verification key from the header. The kid is only ever
// a map key here: never a path, URL or query.
func (s *TokenService) keyFor(t *jwt.Token) (any, error) {
	if typ, ok := t.Header["typ"].(string); !ok || typ != tokenType {
		return nil, errors.New("wrong typ")
	}
	// RFC 7515: a token naming extensions we do not implement must be refused.
	if _, ok := t.Header["crit"]; ok {
		return nil, errors.New("crit header")
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || !kidPattern.MatchString(kid) {
		return nil, errors.New("bad kid")
	}
	if key, ok := s.keys.publicKey(kid); ok {
		return key, nil
	}
	s.keys.reloadForUnknownKID()
	if key, ok := s.keys.publicKey(kid); ok {
		return key, nil
	}
	return nil, errors.New("unknown kid")
}

func checkPrincipal(role domain.Role, sub, inst uuid.UUID, perms []domain.Perm) error {
	if sub == uuid.Nil {
		return errors.New("no subject")
	}
	for _, p := range perms {
		switch p {
		case domain.PermIssue, domain.PermReview, domain.PermManage:
		default:
			return fmt.Errorf("unknown perm %q", p)
		}
	}
	switch role {
	case domain.RoleStaff, domain.RoleClient:
		if inst == uuid.Nil {
			return fmt.Errorf("%s token needs an institution", role)
		}
	case domain.RoleLearner, domain.RoleAdmin:
		// Fail closed: an institution or perms on these roles would mean a
		// confused issuer, and a later check might trust them.
		if inst != uuid.Nil || len(perms) > 0 {
			return fmt.Errorf("%s token carries institution claims", role)
		}
	default:
		return fmt.Errorf("unknown role %q", role)
	}
	return nil
}

func reasonFor(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token not valid yet"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "bad signature"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "unverifiable token"
	case errors.Is(err, jwt.ErrTokenInvalidClaims):
		return "invalid claims"
	default:
		return "malformed token"
	}
}

func unauthenticated(reason string) error {
	return fmt.Errorf("%w: access token: %s", domain.ErrUnauthenticated, reason)
}

// randomID is a 128-bit random jti.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
