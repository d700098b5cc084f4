package vc

import (
	"errors"
	"net/url"
	"strings"
)

// DIDWeb derives the bank's did:web from its public base URL: the host,
// with a port percent-encoded ("did:web:bank.example%3A8443"). The DID
// document is then served at /.well-known/did.json of that host, so the
// base URL's path, if any, is not part of the DID.
func DIDWeb(baseURL string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", errors.New("the public base URL must be an http(s) URL with a host")
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" {
		host += "%3A" + p
	}
	return "did:web:" + host, nil
}

// DIDWebURL is where a did:web resolver fetches the DID document from, per
// the did:web method: https, the decoded host, /.well-known/did.json.
func DIDWebURL(did string) (string, error) {
	rest, ok := strings.CutPrefix(did, "did:web:")
	if !ok || rest == "" {
		return "", errors.New("not a did:web")
	}
	parts := strings.Split(rest, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return "", err
	}
	if len(parts) == 1 {
		return "https://" + host + "/.well-known/did.json", nil
	}
	return "https://" + host + "/" + strings.Join(parts[1:], "/") + "/did.json", nil
}

// DID document contexts: DID core, and the Multikey and JsonWebKey
// verification method vocabularies.
var didContexts = []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1", "https://w3id.org/security/jwk/v1"}

// JWK is a public P-256 key in JWK form (RFC 7517/7518).
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
	Alg string `json:"alg,omitempty"`
	Kid string `json:"kid,omitempty"`
}

// VerificationMethod is one key of a DID document.
type VerificationMethod struct {
	ID                 string `json:"id"`
	Type               string `json:"type"` // Multikey or JsonWebKey
	Controller         string `json:"controller"`
	PublicKeyMultibase string `json:"publicKeyMultibase,omitempty"`
	PublicKeyJwk       *JWK   `json:"publicKeyJwk,omitempty"`
}

// DIDDocument is the body of /.well-known/did.json.
type DIDDocument struct {
	Context            []string             `json:"@context"`
	ID                 string               `json:"id"`
	VerificationMethod []VerificationMethod `json:"verificationMethod"`
	AssertionMethod    []string             `json:"assertionMethod"`
}

// NewDIDDocument lists methods, all of them usable to assert credentials.
func NewDIDDocument(did string, methods []VerificationMethod) DIDDocument {
	doc := DIDDocument{Context: didContexts, ID: did, VerificationMethod: methods, AssertionMethod: make([]string, 0, len(methods))}
	if doc.VerificationMethod == nil {
		doc.VerificationMethod = []VerificationMethod{}
	}
	for _, m := range methods {
		doc.AssertionMethod = append(doc.AssertionMethod, m.ID)
	}
	return doc
}

// Method returns the verification method with id, if it is listed for
// assertions.
func (d DIDDocument) Method(id string) (VerificationMethod, bool) {
	asserts := false
	for _, a := range d.AssertionMethod {
		asserts = asserts || a == id
	}
	for _, m := range d.VerificationMethod {
		if m.ID == id && asserts {
			return m, true
		}
	}
	return VerificationMethod{}, false
}
