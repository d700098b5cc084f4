package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"creditbank/auth"
	"creditbank/vc"
)

// proofKeys trusts the Multikey assertion methods of doc.
func proofKeys(doc vc.DIDDocument) vc.KeyResolver {
	return func(id string) (ed25519.PublicKey, error) {
		m, ok := doc.Method(id)
		if !ok || m.Type != "Multikey" || m.Controller != doc.ID {
			return nil, errors.New("signed by a key the issuer's DID document does not list")
		}
		return vc.DecodeMultikey(m.PublicKeyMultibase)
	}
}

// jwtKeys trusts the JsonWebKey assertion methods of doc.
func jwtKeys(doc vc.DIDDocument) vc.JWTKeyResolver {
	return func(kid string) (*ecdsa.PublicKey, error) {
		m, ok := doc.Method(kid)
		if !ok || m.Type != "JsonWebKey" || m.PublicKeyJwk == nil || m.Controller != doc.ID {
			return nil, errors.New("signed by a key the issuer's DID document does not list")
		}
		return vc.P256FromJWK(*m.PublicKeyJwk)
	}
}

// proofForm tells the bank's two proof forms apart from the legacy
// transcript JWT: "di" for a JSON credential, "jwt" for a VC-JWT, "" else.
func proofForm(input string) string {
	input = strings.TrimSpace(input)
	if strings.HasPrefix(input, "{") {
		return "di"
	}
	head, _, ok := strings.Cut(input, ".")
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Typ string `json:"typ"`
	}
	if json.Unmarshal(raw, &h) == nil && h.Typ == vc.JWTType {
		return "jwt"
	}
	return ""
}

type credentialDates struct {
	Issuer     json.RawMessage `json:"issuer"`
	ValidFrom  time.Time       `json:"validFrom"`
	ValidUntil *time.Time      `json:"validUntil"`
}

func (d credentialDates) issuerID() string {
	var id string
	if json.Unmarshal(d.Issuer, &id) == nil {
		return id
	}
	var p struct {
		ID string `json:"id"`
	}
	json.Unmarshal(d.Issuer, &p)
	return p.ID
}

// verifyIssued checks a credential in either proof form against the
// issuer's DID document: proof, issuer, validity dates; then content and
// revocation as verify does.
func verifyIssued(input string, doc vc.DIDDocument, now time.Time, revoked revokedFunc, unknown auth.TranscriptCheck) (Verification, error) {
	var res auth.TranscriptResult
	add := func(name string, ok bool, msg string) {
		res.Checks = append(res.Checks, auth.TranscriptCheck{Name: name, OK: ok, Message: msg})
	}
	input = strings.TrimSpace(input)
	var raw []byte
	switch proofForm(input) {
	case "di":
		if _, err := vc.Verify([]byte(input), proofKeys(doc)); err != nil {
			if errors.Is(err, vc.ErrNoProof) {
				add("format", false, "the credential carries no proof")
			} else {
				add("signature", false, "cannot verify: "+err.Error())
			}
			return verify(res, revoked, unknown)
		}
		raw = []byte(input)
		add("format", true, "credential with an embedded Data Integrity proof (eddsa-rdfc-2022)")
	case "jwt":
		payload, _, err := vc.VerifyJWT(input, jwtKeys(doc))
		if err != nil {
			add("signature", false, "cannot verify: "+err.Error())
			return verify(res, revoked, unknown)
		}
		raw = payload
		add("format", true, "credential as VC-JWT (ES256)")
	default:
		add("format", false, "not a credential this bank issues")
		return verify(res, revoked, unknown)
	}
	add("signature", true, "signed by a key of "+doc.ID)
	var d credentialDates
	if err := json.Unmarshal(raw, &d); err != nil {
		add("content", false, "credential content is unreadable")
		return verify(res, revoked, unknown)
	}
	if iss := d.issuerID(); iss != doc.ID {
		add("issuer", false, "issued by "+iss+", not "+doc.ID)
	} else {
		add("issuer", true, "issuer "+iss)
	}
	res.IssuedAt = d.ValidFrom
	switch {
	case now.Before(d.ValidFrom):
		add("expiry", false, "not valid before "+d.ValidFrom.UTC().Format(time.RFC3339))
	case d.ValidUntil != nil && !now.Before(*d.ValidUntil):
		res.ExpiresAt = *d.ValidUntil
		add("expiry", false, "expired on "+d.ValidUntil.UTC().Format(time.RFC3339))
	case d.ValidUntil != nil:
		res.ExpiresAt = *d.ValidUntil
		add("expiry", true, "valid until "+d.ValidUntil.UTC().Format(time.RFC3339))
	default:
		add("expiry", true, "does not expire")
	}
	res.VC = raw
	return verify(res, revoked, unknown)
}

// VerifyCredential checks a credential the bank issued — a JSON credential
// with its embedded proof, a VC-JWT, or a legacy transcript — and whether
// any outcome it certifies has been revoked since.
func (s *Service) VerifyCredential(ctx context.Context, input string) (Verification, error) {
	if s.creds == nil || proofForm(input) == "" {
		return s.VerifyTranscript(ctx, input)
	}
	return verifyIssued(input, s.creds.DIDDocument(), s.now(), s.revokedInStore(ctx), auth.TranscriptCheck{})
}
