package vc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// JWTType is the typ of a credential as VC-JWT, as Open Badges 3.0's JWT
// proof format requires. Access tokens are typed at+jwt and their verifier
// refuses any other typ, so neither can pass as the other.
const JWTType = "JWT"

// credentialClaims are the JWT registered claims OB 3.0 derives from the
// credential: they must agree with it.
type credentialClaims struct {
	Issuer    string
	ID        string
	Subject   string
	NotBefore time.Time
	Expires   *time.Time
}

func claimsOf(doc map[string]any) (credentialClaims, error) {
	var c credentialClaims
	switch iss := doc["issuer"].(type) {
	case string:
		c.Issuer = iss
	case map[string]any:
		c.Issuer, _ = iss["id"].(string)
	}
	c.ID, _ = doc["id"].(string)
	if subj, ok := doc["credentialSubject"].(map[string]any); ok {
		c.Subject, _ = subj["id"].(string)
	}
	from, _ := doc["validFrom"].(string)
	nbf, err := time.Parse(time.RFC3339, from)
	if c.Issuer == "" || c.ID == "" || c.Subject == "" || err != nil {
		return c, errors.New("the credential needs issuer, id, credentialSubject.id and validFrom")
	}
	c.NotBefore = nbf
	if until, ok := doc["validUntil"].(string); ok {
		exp, err := time.Parse(time.RFC3339, until)
		if err != nil {
			return c, errors.New("validUntil is not a date-time")
		}
		c.Expires = &exp
	}
	return c, nil
}

// SignJWT secures a credential as a VC-JWT (ES256): the credential itself
// is the payload, with iss, jti, sub, nbf and exp taken from it; kid is a
// DID URL that dereferences to the public JWK.
func SignJWT(credential []byte, key *ecdsa.PrivateKey, kid string) (string, error) {
	doc, err := decodeObject(credential)
	if err != nil {
		return "", err
	}
	if _, has := doc["proof"]; has {
		return "", errors.New("sign JWT: the payload must be the credential without an embedded proof")
	}
	c, err := claimsOf(doc)
	if err != nil {
		return "", err
	}
	doc["iss"], doc["jti"], doc["sub"], doc["nbf"] = c.Issuer, c.ID, c.Subject, c.NotBefore.Unix()
	if c.Expires != nil {
		doc["exp"] = c.Expires.Unix()
	}
	header, err := json.Marshal(map[string]string{"alg": "ES256", "typ": JWTType, "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(doc)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		return "", err
	}
	// JWS ES256 signatures are R and S as two 32-byte big-endian integers.
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// JWTKeyResolver returns the P-256 key a kid names, or an error if the
// verifier does not trust it.
type JWTKeyResolver func(kid string) (*ecdsa.PublicKey, error)

// maxJWTLen bounds a token: a lifetime of outcomes fits comfortably.
const maxJWTLen = 4 << 20

// VerifyJWT checks a VC-JWT's ES256 signature against the key its kid
// names and that its registered claims agree with the credential it
// carries, and returns the credential (the payload). Validity dates are
// the caller's to judge.
func VerifyJWT(token string, resolve JWTKeyResolver) ([]byte, string, error) {
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxJWTLen || strings.Count(token, ".") != 2 {
		return nil, "", errors.New("not a VC-JWT")
	}
	var kid string
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodES256.Alg()}), jwt.WithoutClaimsValidation())
	_, err := parser.ParseWithClaims(token, claims, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); typ != JWTType {
			return nil, errors.New("not a credential (typ)")
		}
		kid, _ = t.Header["kid"].(string)
		return resolve(kid)
	})
	if err != nil {
		if errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			return nil, kid, errors.New("the signature does not match: the credential was altered or not signed by this key")
		}
		return nil, kid, fmt.Errorf("cannot verify: %w", err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		return nil, kid, err
	}
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, kid, errors.New("the payload is not a JSON object")
	}
	c, err := claimsOf(doc)
	if err != nil {
		return nil, kid, err
	}
	num := func(name string) (int64, bool) {
		n, ok := doc[name].(json.Number)
		if !ok {
			return 0, false
		}
		v, err := n.Int64()
		return v, err == nil
	}
	nbf, okNbf := num("nbf")
	exp, okExp := num("exp")
	switch {
	case doc["iss"] != c.Issuer, doc["jti"] != c.ID, doc["sub"] != c.Subject:
		return nil, kid, errors.New("iss, jti or sub do not match the credential's issuer, id and subject")
	case !okNbf || nbf != c.NotBefore.Unix():
		return nil, kid, errors.New("nbf does not match validFrom")
	case c.Expires != nil && (!okExp || exp != c.Expires.Unix()), c.Expires == nil && okExp:
		return nil, kid, errors.New("exp does not match validUntil")
	}
	return payload, kid, nil
}

// P256FromJWK reads a public P-256 JWK.
func P256FromJWK(j JWK) (*ecdsa.PublicKey, error) {
	if j.Kty != "EC" || j.Crv != "P-256" {
		return nil, errors.New("not a P-256 key")
	}
	x, errX := base64.RawURLEncoding.DecodeString(j.X)
	y, errY := base64.RawURLEncoding.DecodeString(j.Y)
	if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
		return nil, errors.New("malformed P-256 coordinates")
	}
	raw := append(append([]byte{4}, x...), y...)
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
}
