package vc

import (
	"bytes"
	"embed"
	"fmt"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// Context URLs the bank's credentials use. Their documents are embedded
// byte for byte (see contexts/PROVENANCE.md): canonicalisation must give the
// same bytes on every machine, with or without a network, and a context
// fetched at signing time could be swapped under us.
const (
	ContextVC2  = "https://www.w3.org/ns/credentials/v2"
	ContextOB3  = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextCLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
)

//go:embed contexts/*.json contexts/*.jsonld
var contextFS embed.FS

var contextFiles = map[string]string{
	ContextVC2:  "contexts/credentials-v2.jsonld",
	ContextOB3:  "contexts/ob-v3p0-context-3.0.3.json",
	ContextCLR2: "contexts/clr-v2p0-context-2.0.1.json",
}

// ContextDocument returns the embedded bytes of a known context.
func ContextDocument(url string) ([]byte, bool) {
	name, ok := contextFiles[url]
	if !ok {
		return nil, false
	}
	b, err := contextFS.ReadFile(name)
	return b, err == nil
}

// Loader is a JSON-LD document loader that serves only embedded contexts
// and refuses every other URL: it never touches the network.
type Loader struct {
	docs map[string][]byte

	mu     sync.Mutex
	parsed map[string]any
}

// NewLoader serves the embedded contexts plus extra (URL → document), which
// lets tests add a context such as the W3C examples one.
func NewLoader(extra map[string][]byte) *Loader {
	l := &Loader{docs: map[string][]byte{}, parsed: map[string]any{}}
	for url := range contextFiles {
		b, _ := ContextDocument(url)
		l.docs[url] = b
	}
	for url, b := range extra {
		l.docs[url] = b
	}
	return l
}

var defaultLoader = NewLoader(nil)

// LoadDocument implements ld.DocumentLoader. Parsed contexts are cached:
// json-gold only reads what a loader hands it.
func (l *Loader) LoadDocument(url string) (*ld.RemoteDocument, error) {
	raw, ok := l.docs[url]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, fmt.Sprintf("context %s is not one the bank embeds", url))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	doc, ok := l.parsed[url]
	if !ok {
		var err error
		if doc, err = ld.DocumentFromReader(bytes.NewReader(raw)); err != nil {
			return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, err)
		}
		l.parsed[url] = doc
	}
	return &ld.RemoteDocument{DocumentURL: url, Document: doc}, nil
}
