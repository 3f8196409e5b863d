package credentials

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/piprate/json-gold/ld"
)

// The context URLs the credentials and the DID document name.
const (
	ContextCredentials   = "https://www.w3.org/ns/credentials/v2"
	ContextOpenBadges    = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	ContextMultikey      = "https://w3id.org/security/multikey/v1"
	ContextDataIntegrity = "https://w3id.org/security/data-integrity/v2"
	ContextDID           = "https://www.w3.org/ns/did/v1"
)

//go:embed contexts/*.jsonld contexts/*.json
var contextFiles embed.FS

var contextFile = map[string]string{
	ContextCredentials:   "contexts/credentials-v2.jsonld",
	ContextOpenBadges:    "contexts/ob-v3p0-context-3.0.3.json",
	ContextMultikey:      "contexts/multikey-v1.jsonld",
	ContextDataIntegrity: "contexts/data-integrity-v2.jsonld",
	ContextDID:           "contexts/did-v1.jsonld",
}

// Contexts returns the embedded contexts by URL, as published: a verifier
// of another party may be handed exactly what this package signs with.
func Contexts() map[string][]byte {
	out := make(map[string][]byte, len(contextFile))
	for url, file := range contextFile {
		b, err := contextFiles.ReadFile(file)
		if err != nil {
			panic(err) // embedded at build time
		}
		out[url] = b
	}
	return out
}

// embeddedLoader is the JSON-LD document loader: only the embedded
// contexts, so canonicalising never reaches the network and a document
// naming any other context fails.
type embeddedLoader struct{}

var parsedContexts = sync.OnceValue(func() map[string]any {
	out := map[string]any{}
	for url, b := range Contexts() {
		doc, err := ld.DocumentFromReader(bytes.NewReader(b))
		if err != nil {
			panic(fmt.Sprintf("credentials: embedded context %s: %v", url, err))
		}
		out[url] = doc
	}
	return out
})

func (embeddedLoader) LoadDocument(u string) (*ld.RemoteDocument, error) {
	doc, ok := parsedContexts()[u]
	if !ok {
		return nil, ld.NewJsonLdError(ld.LoadingDocumentFailed, "only the embedded contexts are served: "+u)
	}
	return &ld.RemoteDocument{DocumentURL: u, Document: doc}, nil
}

// canonical is the RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD
// document, in safe mode: a term no context defines is an error rather
// than silently dropped, so nothing in a document goes unsigned. The
// document is turned into RDF here rather than inside Normalize, which
// does it without safe mode.
func canonical(doc any) ([]byte, error) {
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = embeddedLoader{}
	opts.SafeMode = true
	dataset, err := ld.NewJsonLdProcessor().ToRDF(doc, opts)
	if err != nil {
		return nil, err
	}
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	out, err := ld.NewJsonLdApi().Normalize(dataset.(*ld.RDFDataset), opts)
	if err != nil {
		return nil, err
	}
	s, ok := out.(string)
	if !ok {
		return nil, fmt.Errorf("credentials: canonical form is %T", out)
	}
	return []byte(s), nil
}

// generic turns a value into the plain JSON shapes (map[string]any, []any,
// string, float64, bool) the JSON-LD processor walks.
func generic(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}
