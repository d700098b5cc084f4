package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"creditbank/app/api"
)

// The contract is docs/openapi.json, loaded once for the whole package:
// every request the API tests send through env.do, and the answer they get,
// is checked against it, so the document cannot drift from what the
// server does without a test naming the route.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

func loadContract(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	contract.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPIDocument)
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contract.err = err
			return
		}
		contract.doc = doc
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	if contract.err != nil {
		tb.Fatalf("openapi.json: %v", contract.err)
	}
	return contract.doc, contract.router
}

func init() {
	// The reference page and its assets are text; kin-openapi decodes only
	// the media types it knows.
	for _, ct := range []string{"text/html", "text/javascript", "text/css"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.PlainBodyDecoder)
	}
}

// bearerPresent stands for the server's own token check, which the API
// tests exercise: the document only says which operations need a token.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

var contractOptions = &openapi3filter.Options{AuthenticationFunc: bearerPresent, IncludeResponseStatus: true}

// checkContract validates one exchange of the API tests against the
// document and fails the test on any mismatch, naming the route.
func checkContract(t *testing.T, method, target string, header http.Header, reqBody []byte, status int, resHeader http.Header, resBody []byte) {
	t.Helper()
	loadContract(t)
	for _, p := range contractProblems(method, target, header, reqBody, status, resHeader, resBody) {
		t.Errorf("contract: %s", p)
	}
}

// contractProblems lists how one exchange departs from the document. A
// request the document rejects must have been refused by the server too
// (4xx); the response, whatever it is, must be one the document lists for
// the operation, with a body of its schema and media type.
func contractProblems(method, target string, header http.Header, reqBody []byte, status int, resHeader http.Header, resBody []byte) []string {
	if method == http.MethodOptions {
		return nil // CORS preflight, answered by middleware for any path
	}
	hr := httptest.NewRequest(method, target, bytes.NewReader(reqBody))
	hr.Header = header.Clone()
	lookup := hr
	if method == http.MethodHead {
		lookup = hr.Clone(context.Background())
		lookup.Method = http.MethodGet
	}
	route, params, err := contract.router.FindRoute(lookup)
	if err != nil {
		// Not an operation of the API: the server must say so, in the
		// error shape.
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			return []string{fmt.Sprintf("%s %s is not in openapi.json but answered %d", method, target, status)}
		}
		return errorShapeProblems(method, target, status, resHeader, resBody)
	}
	var problems []string
	name := method + " " + route.Path
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route, Options: contractOptions}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && status < 400 {
		problems = append(problems, fmt.Sprintf("%s: the server accepted (%d) a request openapi.json rejects: %v", name, status, err))
	}
	if method == http.MethodHead {
		return problems
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: resHeader, Options: contractOptions}
	out.SetBodyBytes(resBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		problems = append(problems, fmt.Sprintf("%s: response %d does not match openapi.json: %v\nbody: %.400s", name, status, err, resBody))
	}
	return problems
}

// errorShapeProblems checks an error answered outside any operation against
// the document's Error schema.
func errorShapeProblems(method, target string, status int, resHeader http.Header, body []byte) []string {
	if method == http.MethodHead {
		return nil
	}
	if !strings.HasPrefix(resHeader.Get("Content-Type"), "application/json") {
		return []string{fmt.Sprintf("%s %s: %d error is %q, not JSON", method, target, status, resHeader.Get("Content-Type"))}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{fmt.Sprintf("%s %s: %d error body is not JSON: %v", method, target, status, err)}
	}
	if err := contract.doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		return []string{fmt.Sprintf("%s %s: %d error body does not match the Error schema: %v", method, target, status, err)}
	}
	return nil
}
