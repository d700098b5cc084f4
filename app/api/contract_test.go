package api_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v6"

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
	bodies *bodySchemas
}

// bodySchemas validates bodies with JSON Schema 2020-12, the dialect of an
// OpenAPI 3.1 document, compiling each schema of the document once:
// openapi3filter compiles a schema on every call, which cost a few
// milliseconds an exchange, more than many of the tests' requests.
type bodySchemas struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

const contractURL = "file:///openapi.json"

func newBodySchemas(raw []byte) (*bodySchemas, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(contractURL, doc); err != nil {
		return nil, err
	}
	return &bodySchemas{compiler: c, compiled: map[string]*jsonschema.Schema{}}, nil
}

// compile returns the schema at a JSON pointer of the document, compiled
// on first use.
func (b *bodySchemas) compile(pointer string) (*jsonschema.Schema, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if sch, ok := b.compiled[pointer]; ok {
		return sch, nil
	}
	sch, err := b.compiler.Compile(contractURL + pointer)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", pointer, err)
	}
	b.compiled[pointer] = sch
	return sch, nil
}

// validate checks a JSON body against the schema at a JSON pointer of the
// document.
func (b *bodySchemas) validate(pointer string, body []byte) error {
	sch, err := b.compile(pointer)
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if err := sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return errors.New(strings.ReplaceAll(fmt.Sprintf("%#v", ve), contractURL, ""))
		}
		return err
	}
	return nil
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
		if contract.bodies, err = newBodySchemas(api.OpenAPIDocument); err != nil {
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

// bearerPresent stands for the server's own token check, which the API
// tests exercise: the document only says which operations need a token.
func bearerPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if !strings.HasPrefix(in.RequestValidationInput.Request.Header.Get("Authorization"), "Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// contractOptions leave bodies to bodySchemas; openapi3filter checks the
// rest: route, parameters, security, status and headers.
var contractOptions = &openapi3filter.Options{AuthenticationFunc: bearerPresent, IncludeResponseStatus: true,
	ExcludeRequestBody: true, ExcludeResponseBody: true}

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
	err = openapi3filter.ValidateRequest(context.Background(), in)
	if err == nil {
		err = requestBodyProblem(route, header.Get("Content-Type"), reqBody)
	}
	if err != nil && status < 400 {
		problems = append(problems, fmt.Sprintf("%s: the server accepted (%d) a request openapi.json rejects: %v", name, status, err))
	}
	if method == http.MethodHead {
		return problems
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: resHeader, Options: contractOptions}
	out.SetBodyBytes(resBody)
	err = openapi3filter.ValidateResponse(context.Background(), out)
	if err == nil {
		err = responseBodyProblem(route, status, resHeader.Get("Content-Type"), resBody)
	}
	if err != nil {
		problems = append(problems, fmt.Sprintf("%s: response %d does not match openapi.json: %v\nbody: %.400s", name, status, err, resBody))
	}
	return problems
}

var pointerEscape = strings.NewReplacer("~", "~0", "/", "~1")

// operationPointer is the JSON pointer of a route's operation object.
func operationPointer(route *routers.Route) string {
	return "#/paths/" + pointerEscape.Replace(route.Path) + "/" + strings.ToLower(route.Method)
}

// isJSON tells the media types whose bodies are validated against a schema;
// the others (CSV, HTML, script) only have to be the documented type.
func isJSON(mediaType string) bool {
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

func requestBodyProblem(route *routers.Route, contentType string, body []byte) error {
	rb := route.Operation.RequestBody
	if rb == nil {
		if len(body) > 0 {
			return errors.New("the operation takes no request body")
		}
		return nil
	}
	if len(body) == 0 {
		if rb.Value.Required {
			return errors.New("the request body is required")
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if rb.Value.Content.Get(contentType) == nil {
		return fmt.Errorf("request body of type %q is not documented", contentType)
	}
	if !isJSON(mt) {
		return nil
	}
	pointer := operationPointer(route) + "/requestBody/content/" + pointerEscape.Replace(mt) + "/schema"
	return contract.bodies.validate(pointer, body)
}

func responseBodyProblem(route *routers.Route, status int, contentType string, body []byte) error {
	key := strconv.Itoa(status)
	ref := route.Operation.Responses.Status(status)
	if ref == nil {
		key, ref = "default", route.Operation.Responses.Default()
	}
	pointer := operationPointer(route) + "/responses/" + key
	if ref.Ref != "" {
		pointer = ref.Ref
	}
	if len(ref.Value.Content) == 0 {
		if len(body) > 0 {
			return errors.New("the response has a body the document does not describe")
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if ref.Value.Content.Get(contentType) == nil || ref.Value.Content[mt] == nil {
		return fmt.Errorf("response of type %q is not documented", contentType)
	}
	if !isJSON(mt) {
		return nil
	}
	return contract.bodies.validate(pointer+"/content/"+pointerEscape.Replace(mt)+"/schema", body)
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
	if err := contract.bodies.validate("#/components/schemas/Error", body); err != nil {
		return []string{fmt.Sprintf("%s %s: %d error body does not match the Error schema: %v", method, target, status, err)}
	}
	return nil
}
