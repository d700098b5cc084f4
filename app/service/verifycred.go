package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"creditbank/auth"
	"creditbank/auth/vc"
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
	add := func(name string, ok bool, msg string, code ...string) {
		c := auth.TranscriptCheck{Name: name, OK: ok, Message: msg}
		if len(code) > 0 {
			c.Code = code[0]
		}
		if len(code) > 1 {
			c.Arg = code[1]
		}
		res.Checks = append(res.Checks, c)
	}
	input = strings.TrimSpace(input)
	var raw []byte
	switch proofForm(input) {
	case "di":
		if _, err := vc.Verify([]byte(input), proofKeys(doc)); err != nil {
			if errors.Is(err, vc.ErrNoProof) {
				add("format", false, "the credential carries no proof", "format.noProof")
			} else {
				add("signature", false, "cannot verify: "+err.Error(), "signature.bad")
			}
			return verify(res, revoked, unknown)
		}
		raw = []byte(input)
		add("format", true, "credential with an embedded Data Integrity proof (eddsa-rdfc-2022)", "format.di")
	case "jwt":
		payload, _, err := vc.VerifyJWT(input, jwtKeys(doc))
		if err != nil {
			add("signature", false, "cannot verify: "+err.Error(), "signature.bad")
			return verify(res, revoked, unknown)
		}
		raw = payload
		add("format", true, "credential as VC-JWT (ES256)", "format.jwt")
	default:
		add("format", false, "not a credential this bank issues", "format.unknown")
		return verify(res, revoked, unknown)
	}
	add("signature", true, "signed by a key of "+doc.ID, "signature.ok", doc.ID)
	var d credentialDates
	if err := json.Unmarshal(raw, &d); err != nil {
		add("content", false, "credential content is unreadable", "content.unreadable")
		return verify(res, revoked, unknown)
	}
	if iss := d.issuerID(); iss != doc.ID {
		add("issuer", false, "issued by "+iss+", not "+doc.ID, "issuer.other", iss)
	} else {
		add("issuer", true, "issuer "+iss, "issuer.ok", iss)
	}
	res.IssuedAt = d.ValidFrom
	switch {
	case now.Before(d.ValidFrom):
		add("expiry", false, "not valid before "+d.ValidFrom.UTC().Format(time.RFC3339), "expiry.notYet", d.ValidFrom.UTC().Format(time.RFC3339))
	case d.ValidUntil != nil && !now.Before(*d.ValidUntil):
		res.ExpiresAt = *d.ValidUntil
		add("expiry", false, "expired on "+d.ValidUntil.UTC().Format(time.RFC3339), "expiry.expired", d.ValidUntil.UTC().Format(time.RFC3339))
	case d.ValidUntil != nil:
		res.ExpiresAt = *d.ValidUntil
		add("expiry", true, "valid until "+d.ValidUntil.UTC().Format(time.RFC3339), "expiry.until", d.ValidUntil.UTC().Format(time.RFC3339))
	default:
		add("expiry", true, "does not expire", "expiry.never")
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

// statusRef is where one certified outcome's revocation bit lives.
type statusRef struct {
	List  string
	Index int
}

// statusRefs maps each outcome a credential certifies to its status list
// bit: an AchievementCredential's own entry, or those of the
// AchievementCredentials inside a CLR.
func statusRefs(raw []byte) (map[string]statusRef, error) {
	var c struct {
		ID                string          `json:"id"`
		CredentialStatus  json.RawMessage `json:"credentialStatus"`
		CredentialSubject struct {
			VerifiableCredential []json.RawMessage `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, err
	}
	out := map[string]statusRef{}
	if len(c.CredentialSubject.VerifiableCredential) > 0 {
		for _, inner := range c.CredentialSubject.VerifiableCredential {
			refs, err := statusRefs(inner)
			if err != nil {
				return nil, err
			}
			for k, v := range refs {
				out[k] = v
			}
		}
		return out, nil
	}
	var e statusEntry
	if len(c.CredentialStatus) == 0 || json.Unmarshal(c.CredentialStatus, &e) != nil || e.Type != "BitstringStatusListEntry" || e.StatusPurpose != "revocation" {
		return out, nil
	}
	i, err := strconv.Atoi(e.StatusListIndex)
	if err != nil || i < 0 {
		return nil, errors.New("malformed statusListIndex")
	}
	out[strings.TrimPrefix(c.ID, "urn:uuid:")] = statusRef{List: e.StatusListCredential, Index: i}
	return out, nil
}

// readStatusList checks a downloaded BitstringStatusListCredential — proof
// by a key of doc, issued by doc's DID, current at now — and returns its
// URL and bits.
func readStatusList(raw []byte, doc vc.DIDDocument, now time.Time) (string, []byte, error) {
	if _, err := vc.Verify(raw, proofKeys(doc)); err != nil {
		return "", nil, fmt.Errorf("the status list cannot be trusted: %w", err)
	}
	var sl statusListCredential
	if err := json.Unmarshal(raw, &sl); err != nil || !slices.Contains(sl.Type, "BitstringStatusListCredential") ||
		sl.CredentialSubject.StatusPurpose != "revocation" {
		return "", nil, errors.New("not a revocation BitstringStatusListCredential")
	}
	switch {
	case sl.Issuer != doc.ID:
		return "", nil, fmt.Errorf("the status list was issued by %s, not %s", sl.Issuer, doc.ID)
	case now.Before(sl.ValidFrom):
		return "", nil, errors.New("the status list is not valid yet")
	case !now.Before(sl.ValidUntil):
		return "", nil, fmt.Errorf("the status list expired on %s: download a fresh one from the bank", sl.ValidUntil.UTC().Format(time.RFC3339))
	}
	bits, err := decodeBitstring(sl.CredentialSubject.EncodedList)
	if err != nil {
		return "", nil, err
	}
	return sl.ID, bits, nil
}

// Revocation check codes, so that a verify page can word them in its own
// language; "unknown" (could not check) is never "none" (not revoked).
const (
	RevocationNone    = "revocation.none"
	RevocationRevoked = "revocation.revoked"
	RevocationUnknown = "revocation.unknown"
)

// VerifyIssuedOffline checks a credential in either proof form with
// nothing but the bank's DID document and, for revocation, status list
// credentials downloaded from the bank: no store, no network.
func VerifyIssuedOffline(input string, didDocument []byte, statusLists [][]byte, now time.Time) (Verification, error) {
	var doc vc.DIDDocument
	if err := json.Unmarshal(didDocument, &doc); err != nil || !strings.HasPrefix(doc.ID, "did:") {
		return Verification{}, errors.New("the key file is not a DID document (GET /.well-known/did.json)")
	}
	unknown := auth.TranscriptCheck{Name: "revocation", OK: true, Code: RevocationUnknown,
		Message: "could not check revocation offline: pass the status list downloaded from the bank (--status)"}
	lists := map[string][]byte{}
	for _, raw := range statusLists {
		url, bits, err := readStatusList(raw, doc, now)
		if err != nil {
			unknown = auth.TranscriptCheck{Name: "revocation", OK: false, Code: RevocationUnknown, Message: "could not check revocation: " + err.Error()}
			lists = nil
			break
		}
		lists[url] = bits
	}
	var revoked revokedFunc
	if len(lists) > 0 {
		refs, _ := statusRefs(credentialJSON(input))
		revoked = func(o TranscriptOutcome) (bool, error) {
			ref, ok := refs[o.ID]
			bits, have := lists[ref.List]
			if !ok || !have {
				return false, errStatusMissing
			}
			return bitSet(bits, ref.Index), nil
		}
	}
	v, err := verifyIssued(input, doc, now, revoked, unknown)
	if errors.Is(err, errStatusMissing) {
		return verifyIssued(input, doc, now, nil, auth.TranscriptCheck{Name: "revocation", OK: false, Code: RevocationUnknown,
			Message: "could not check revocation: no status list given for an outcome of this credential"})
	}
	return v, err
}

var errStatusMissing = errors.New("status list missing")

// credentialJSON is the credential in either proof form, unverified: the
// caller has verified it or only reads where its status bits are.
func credentialJSON(input string) []byte {
	input = strings.TrimSpace(input)
	if proofForm(input) != "jwt" {
		return []byte(input)
	}
	parts := strings.Split(input, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return raw
}
