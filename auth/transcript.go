package auth

import (
	"creditbank/storage"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TranscriptType is the JWT typ of a signed transcript (a W3C Verifiable
// Credential as a JWT). Access tokens require "at+jwt", so a transcript can
// never pass as an access token, nor an access token as a transcript.
const TranscriptType = "vc+jwt"

// maxTranscriptLen bounds the input to verification: a lifetime of outcomes
// fits comfortably.
const maxTranscriptLen = 512 << 10

// TranscriptSigner signs transcripts with the bank's current key.
type TranscriptSigner struct {
	keys   *KeySet
	issuer string
	clock  Clock
}

// NewTranscriptSigner returns a signer for issuer.
func NewTranscriptSigner(issuer string, keys *KeySet, clock Clock) *TranscriptSigner {
	return &TranscriptSigner{keys: keys, issuer: issuer, clock: orNow(clock)}
}

type transcriptClaims struct {
	VC json.RawMessage `json:"vc"`
	jwt.RegisteredClaims
}

// Sign wraps a credential document (already JSON) in a signed JWT for
// subject, valid for lifetime.
func (s *TranscriptSigner) Sign(subject string, vc json.RawMessage, lifetime time.Duration) (string, time.Time, error) {
	kid, key, err := s.keys.signingKey()
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.clock().UTC().Truncate(time.Second)
	exp := now.Add(lifetime)
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, transcriptClaims{VC: vc, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: s.issuer, Subject: subject, IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(exp), ID: randomID(),
	}})
	t.Header["typ"] = TranscriptType
	t.Header["kid"] = kid
	signed, err := t.SignedString(key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign transcript: %w", err)
	}
	return signed, exp, nil
}

// Issuer is the iss the signer writes.
func (s *TranscriptSigner) Issuer() string { return s.issuer }

// TranscriptCheck is one named verification step.
type TranscriptCheck struct {
	Name    string // format, signature, issuer, expiry, revocation
	OK      bool
	Message string
	// Code names the verdict for pages that word it in their own language
	// (e.g. revocation.unknown, which is never revocation.none), Arg the one
	// value it mentions (an issuer, a date); may be empty.
	Code string
	Arg  string
}

// TranscriptResult is what verification established. VC and Subject are set
// only when the signature is good.
type TranscriptResult struct {
	Checks    []TranscriptCheck
	VC        json.RawMessage
	Subject   string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Valid reports whether every check passed.
func (r TranscriptResult) Valid() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// VerifyTranscript checks a transcript against every key the bank has ever
// signed with: transcripts are kept for months, far beyond the retention of
// retired keys for access tokens, so verification takes the stored public
// keys rather than the key set's current ones.
func VerifyTranscript(token, issuer string, keys []storage.SigningKey, now time.Time) TranscriptResult {
	return VerifyTranscriptWith(token, issuer, StoredPublicKeys(keys), now)
}

// VerifyTranscriptWith checks a transcript against the given public keys
// alone, as an offline verifier does. An empty issuer is not compared: the
// keys the verifier chose to trust already say who signed.
func VerifyTranscriptWith(token, issuer string, public PublicKeys, now time.Time) TranscriptResult {
	var res TranscriptResult
	fail := func(name, msg string) TranscriptResult {
		res.Checks = append(res.Checks, TranscriptCheck{Name: name, OK: false, Message: msg})
		return res
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxTranscriptLen || strings.Count(token, ".") != 2 {
		return fail("format", "not a signed transcript (expected a JWT)")
	}
	var claims transcriptClaims
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodEdDSA.Alg()}), jwt.WithoutClaimsValidation(), jwt.WithStrictDecoding())
	_, err := parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != TranscriptType {
			return nil, errors.New("not a transcript (typ)")
		}
		kid, _ := t.Header["kid"].(string)
		if !kidPattern.MatchString(kid) {
			return nil, errors.New("malformed key id")
		}
		key, ok := public[kid]
		if !ok {
			return nil, errors.New("signed by a key this bank never used")
		}
		return key, nil
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			return fail("signature", "signature does not match: the transcript was altered or not issued by this bank")
		}
		return fail("signature", "cannot verify: "+publicReason(err))
	}
	res.Checks = append(res.Checks, TranscriptCheck{Name: "format", OK: true, Message: "well-formed signed transcript", Code: "format.transcript"})
	res.Checks = append(res.Checks, TranscriptCheck{Name: "signature", OK: true, Message: "signed by this credit bank", Code: "signature.bank"})
	res.VC, res.Subject = claims.VC, claims.Subject
	if claims.IssuedAt != nil {
		res.IssuedAt = claims.IssuedAt.Time
	}
	if issuer == "" {
		res.Checks = append(res.Checks, TranscriptCheck{Name: "issuer", OK: true, Message: "issued by " + claims.Issuer + " (signed with the keys given)", Code: "issuer.ok", Arg: claims.Issuer})
	} else if claims.Issuer != issuer {
		res.Checks = append(res.Checks, TranscriptCheck{Name: "issuer", OK: false, Message: "issued by " + claims.Issuer + ", not " + issuer, Code: "issuer.other", Arg: claims.Issuer})
	} else {
		res.Checks = append(res.Checks, TranscriptCheck{Name: "issuer", OK: true, Message: "issuer " + issuer, Code: "issuer.ok", Arg: issuer})
	}
	switch {
	case claims.ExpiresAt == nil:
		res.Checks = append(res.Checks, TranscriptCheck{Name: "expiry", OK: false, Message: "no expiry date"})
	case !now.Before(claims.ExpiresAt.Time):
		res.ExpiresAt = claims.ExpiresAt.Time
		res.Checks = append(res.Checks, TranscriptCheck{Name: "expiry", OK: false, Message: "expired on " + claims.ExpiresAt.Time.UTC().Format(time.RFC3339),
			Code: "expiry.expired", Arg: claims.ExpiresAt.Time.UTC().Format(time.RFC3339)})
	default:
		res.ExpiresAt = claims.ExpiresAt.Time
		res.Checks = append(res.Checks, TranscriptCheck{Name: "expiry", OK: true, Message: "valid until " + claims.ExpiresAt.Time.UTC().Format(time.RFC3339),
			Code: "expiry.until", Arg: claims.ExpiresAt.Time.UTC().Format(time.RFC3339)})
	}
	return res
}

// publicReason says why verification could not proceed, in words fit for
// the public verify page: our own refusals verbatim, parser internals never.
func publicReason(err error) string {
	for _, known := range []string{"not a transcript (typ)", "malformed key id", "signed by a key this bank never used"} {
		if strings.Contains(err.Error(), known) {
			return known
		}
	}
	if errors.Is(err, jwt.ErrTokenUnverifiable) || errors.Is(err, jwt.ErrTokenSignatureInvalid) {
		return "the signature cannot be checked"
	}
	return "the transcript is malformed or was altered"
}
