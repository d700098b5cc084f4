package auth

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// StatusType is the JWT typ of a signed revocation list: the status file an
// offline verifier downloads from the bank. Its own typ keeps it from ever
// passing as a transcript or an access token.
const StatusType = "revocations+jwt"

// maxStatusLen bounds a status file: 36-byte outcome IDs, a great many.
const maxStatusLen = 16 << 20

type statusClaims struct {
	RevokedOutcomes []string `json:"revokedOutcomes"`
	jwt.RegisteredClaims
}

// StatusList is a verified revocation list.
type StatusList struct {
	Issuer    string
	IssuedAt  time.Time
	ExpiresAt time.Time
	Revoked   map[string]bool // outcome IDs
}

// SignStatus signs the list of revoked outcome IDs, valid for lifetime:
// past it a verifier must fetch a fresh one, so a revocation reaches
// offline verifiers within that time.
func (s *TranscriptSigner) SignStatus(revoked []string, lifetime time.Duration) (string, time.Time, time.Time, error) {
	kid, key, err := s.keys.signingKey()
	if err != nil {
		return "", time.Time{}, time.Time{}, err
	}
	now := s.clock().UTC().Truncate(time.Second)
	exp := now.Add(lifetime)
	if revoked == nil {
		revoked = []string{}
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, statusClaims{RevokedOutcomes: revoked, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: s.issuer, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(exp), ID: randomID(),
	}})
	t.Header["typ"] = StatusType
	t.Header["kid"] = kid
	signed, err := t.SignedString(key)
	if err != nil {
		return "", time.Time{}, time.Time{}, fmt.Errorf("auth: sign status list: %w", err)
	}
	return signed, now, exp, nil
}

// VerifyStatus checks a status file's signature against the given keys
// and that it is current at now. The errors are fit to show a verifier.
func VerifyStatus(token string, public PublicKeys, now time.Time) (StatusList, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxStatusLen || strings.Count(token, ".") != 2 {
		return StatusList{}, errors.New("the status file is not a signed revocation list")
	}
	var claims statusClaims
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	_, err := parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != StatusType {
			return nil, errors.New("not a revocation list (typ)")
		}
		kid, _ := t.Header["kid"].(string)
		key, ok := public[kid]
		if !kidPattern.MatchString(kid) || !ok {
			return nil, errors.New("signed by a key not in the key file")
		}
		return key, nil
	})
	if err != nil {
		return StatusList{}, fmt.Errorf("the status file cannot be trusted: %s", statusReason(err))
	}
	if claims.IssuedAt == nil || claims.ExpiresAt == nil {
		return StatusList{}, errors.New("the status file has no issue or expiry time")
	}
	if !now.Before(claims.ExpiresAt.Time) {
		return StatusList{}, fmt.Errorf("the status file expired on %s: download a fresh one from the bank", claims.ExpiresAt.Time.UTC().Format(time.RFC3339))
	}
	out := StatusList{Issuer: claims.Issuer, IssuedAt: claims.IssuedAt.Time, ExpiresAt: claims.ExpiresAt.Time, Revoked: map[string]bool{}}
	for _, id := range claims.RevokedOutcomes {
		out.Revoked[id] = true
	}
	return out, nil
}

func statusReason(err error) string {
	for _, known := range []string{"not a revocation list (typ)", "signed by a key not in the key file"} {
		if strings.Contains(err.Error(), known) {
			return known
		}
	}
	if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		return "its signature does not match"
	}
	return "it is malformed"
}
