package vc

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/piprate/json-gold/ld"
)

// Names of the W3C Data Integrity proof the bank embeds.
const (
	ProofType       = "DataIntegrityProof"
	Cryptosuite     = "eddsa-rdfc-2022"
	PurposeAssert   = "assertionMethod"
	maxProofedBytes = 4 << 20
)

// Proof is an embedded DataIntegrityProof.
type Proof struct {
	Context            any    `json:"@context,omitempty"`
	Type               string `json:"type"`
	Cryptosuite        string `json:"cryptosuite"`
	Created            string `json:"created"`
	VerificationMethod string `json:"verificationMethod"`
	ProofPurpose       string `json:"proofPurpose"`
	ProofValue         string `json:"proofValue,omitempty"`
}

// Canonicalize is RDF Dataset Canonicalization (RDFC-1.0, URDNA2015) of a
// JSON-LD document as N-Quads. Safe mode makes a term no context defines an
// error instead of silently dropping it from what is signed.
func (l *Loader) Canonicalize(doc any) (string, error) {
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = l
	opts.SafeMode = true
	// Normalize alone would not pass safe mode on to its RDF conversion,
	// so the two steps are taken here.
	dataset, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		return "", fmt.Errorf("canonicalize: %w", err)
	}
	ds, ok := dataset.(*ld.RDFDataset)
	if !ok {
		return "", errors.New("canonicalize: no RDF dataset produced")
	}
	if err := absoluteIRIsOnly(ds); err != nil {
		return "", err
	}
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdApi().Normalize(ds, opts)
	if err != nil {
		return "", fmt.Errorf("canonicalize: %w", err)
	}
	s, ok := out.(string)
	if !ok {
		return "", errors.New("canonicalize: no N-Quads produced")
	}
	return s, nil
}

// absoluteIRIsOnly refuses a dataset holding a relative IRI, such as a
// type no context defines: JSON-LD processors disagree on those (jsonld.js
// in safe mode, which wallets use, rejects the document), so a credential
// carrying one would verify here and fail elsewhere.
func absoluteIRIsOnly(ds *ld.RDFDataset) error {
	for _, quads := range ds.Graphs {
		for _, q := range quads {
			for _, n := range []ld.Node{q.Subject, q.Predicate, q.Object, q.Graph} {
				if n != nil && ld.IsIRI(n) && !strings.Contains(n.GetValue(), ":") {
					return fmt.Errorf("canonicalize: %q is not defined by the document's contexts (relative IRI)", n.GetValue())
				}
			}
		}
	}
	return nil
}

// hashData is the eddsa-rdfc-2022 input to the signature: SHA-256 of the
// canonical proof configuration followed by SHA-256 of the canonical
// document without its proof.
func (l *Loader) hashData(unsecured map[string]any, proofConfig map[string]any) ([]byte, error) {
	doc, err := l.Canonicalize(unsecured)
	if err != nil {
		return nil, err
	}
	cfg, err := l.Canonicalize(proofConfig)
	if err != nil {
		return nil, err
	}
	ph, dh := sha256.Sum256([]byte(cfg)), sha256.Sum256([]byte(doc))
	return append(ph[:], dh[:]...), nil
}

// Sign embeds an eddsa-rdfc-2022 DataIntegrityProof in a JSON credential.
// The document's own bytes are kept and the proof appended to them, so what
// the caller built is what the holder receives.
func Sign(credential []byte, key ed25519.PrivateKey, verificationMethod string, created time.Time) ([]byte, error) {
	return defaultLoader.Sign(credential, key, verificationMethod, created)
}

// Sign is the package-level Sign with this loader's contexts.
func (l *Loader) Sign(credential []byte, key ed25519.PrivateKey, verificationMethod string, created time.Time) ([]byte, error) {
	doc, err := decodeObject(credential)
	if err != nil {
		return nil, err
	}
	if _, has := doc["proof"]; has {
		return nil, errors.New("sign: the document already carries a proof")
	}
	p := Proof{Type: ProofType, Cryptosuite: Cryptosuite, Created: created.UTC().Format(time.RFC3339),
		VerificationMethod: verificationMethod, ProofPurpose: PurposeAssert}
	cfg, err := proofConfig(p, doc["@context"])
	if err != nil {
		return nil, err
	}
	hd, err := l.hashData(doc, cfg)
	if err != nil {
		return nil, err
	}
	p.ProofValue = "z" + base58Encode(ed25519.Sign(key, hd))
	pj, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	body := bytes.TrimSuffix(bytes.TrimSpace(credential), []byte("}"))
	out := make([]byte, 0, len(body)+len(pj)+12)
	out = append(out, body...)
	if len(doc) > 0 {
		out = append(out, ',')
	}
	out = append(append(append(out, `"proof":`...), pj...), '}')
	return out, nil
}

// KeyResolver returns the Ed25519 key a verification method names, or an
// error if the verifier does not trust it.
type KeyResolver func(verificationMethod string) (ed25519.PublicKey, error)

// Verify checks the embedded eddsa-rdfc-2022 proof of a JSON credential and
// returns it.
func Verify(credential []byte, resolve KeyResolver) (Proof, error) {
	return defaultLoader.Verify(credential, resolve)
}

// ErrNoProof says a credential carries no embedded proof at all.
var ErrNoProof = errors.New("no embedded proof")

// Verify is the package-level Verify with this loader's contexts.
func (l *Loader) Verify(credential []byte, resolve KeyResolver) (Proof, error) {
	if len(credential) > maxProofedBytes {
		return Proof{}, errors.New("the credential is too large")
	}
	doc, err := decodeObject(credential)
	if err != nil {
		return Proof{}, err
	}
	rawProof, ok := doc["proof"]
	if !ok {
		return Proof{}, ErrNoProof
	}
	delete(doc, "proof")
	pb, _ := json.Marshal(rawProof)
	var p Proof
	if err := json.Unmarshal(pb, &p); err != nil {
		return Proof{}, errors.New("the proof is not a single DataIntegrityProof")
	}
	switch {
	case p.Type != ProofType || p.Cryptosuite != Cryptosuite:
		return p, fmt.Errorf("proof type %q/%q is not %s/%s", p.Type, p.Cryptosuite, ProofType, Cryptosuite)
	case p.ProofPurpose != PurposeAssert:
		return p, fmt.Errorf("proof purpose %q is not %s", p.ProofPurpose, PurposeAssert)
	}
	sig, err := decodeMultibase58(p.ProofValue)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return p, errors.New("the proof value is not an Ed25519 signature")
	}
	if p.Context != nil {
		// A proof may name its contexts; they must be the document's leading ones.
		if !contextPrefix(doc["@context"], p.Context) {
			return p, errors.New("the proof's @context does not match the document's")
		}
		doc["@context"] = p.Context
	}
	key, err := resolve(p.VerificationMethod)
	if err != nil {
		return p, err
	}
	unsigned := p
	unsigned.ProofValue = ""
	cfg, err := proofConfig(unsigned, doc["@context"])
	if err != nil {
		return p, err
	}
	hd, err := l.hashData(doc, cfg)
	if err != nil {
		return p, err
	}
	if !ed25519.Verify(key, hd, sig) {
		return p, errors.New("the signature does not match: the credential was altered or not signed by this key")
	}
	return p, nil
}

// proofConfig is the proof without its value, in the document's contexts.
func proofConfig(p Proof, context any) (map[string]any, error) {
	p.ProofValue = ""
	p.Context = nil
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	cfg, err := decodeObject(b)
	if err != nil {
		return nil, err
	}
	cfg["@context"] = context
	return cfg, nil
}

func contextPrefix(docCtx, proofCtx any) bool {
	asList := func(v any) []any {
		if l, ok := v.([]any); ok {
			return l
		}
		return []any{v}
	}
	d, p := asList(docCtx), asList(proofCtx)
	return len(p) <= len(d) && reflect.DeepEqual(d[:len(p)], p)
}

func decodeObject(b []byte) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil || doc == nil {
		return nil, errors.New("the credential is not a JSON object")
	}
	return doc, nil
}
