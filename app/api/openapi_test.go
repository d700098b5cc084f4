package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"creditbank/app/api"
)

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, _ := loadContract(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1", doc.OpenAPI)
	}
	if doc.Components.SecuritySchemes["bearerAuth"] == nil || doc.Components.SecuritySchemes["bearerAuth"].Value.Scheme != "bearer" {
		t.Error("no bearer security scheme")
	}
	// Every schema is one the JSON Schema 2020-12 validator of the traffic
	// check accepts.
	for name := range doc.Components.Schemas {
		if _, err := contract.bodies.compile("#/components/schemas/" + name); err != nil {
			t.Error(err)
		}
	}
	// Every operation documents its error answers in the one error shape.
	errRef := "#/components/responses/Error"
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			def := op.Responses.Default()
			if def == nil || def.Ref != errRef {
				t.Errorf("%s %s: default response is not the Error response", method, path)
			}
			if op.OperationID == "" || op.Summary == "" || len(op.Tags) != 1 {
				t.Errorf("%s %s: needs an operationId, a summary and one tag", method, path)
			}
		}
	}
}

var fiberParam = regexp.MustCompile(`:([A-Za-z]+)`)

// openAPIPath spells a Fiber route the way the document does.
func openAPIPath(fiberPath string) string {
	return fiberParam.ReplaceAllString(fiberPath, "{$1}")
}

// TestOpenAPIDocumentMatchesRouter holds the document and the router to
// the same set of operations, both ways.
func TestOpenAPIDocumentMatchesRouter(t *testing.T) {
	e := newEnv(t)
	doc, _ := loadContract(t)
	// Built as the binary builds it, with the UI, whose catch-all serves
	// pages rather than API operations.
	app := api.New(e.svc, e.tokens, nil, api.Config{UI: fstest.MapFS{"index.html": {Data: []byte("<!doctype html>")}}})
	routed := map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		if r.Method == http.MethodHead || r.Path == "/*" {
			continue // HEAD answers every GET; /* is the UI
		}
		routed[r.Method+" "+openAPIPath(r.Path)] = true
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[method+" "+path] = true
		}
	}
	var missing, unrouted []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			unrouted = append(unrouted, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(unrouted)
	for _, k := range missing {
		t.Errorf("routed but not in openapi.json: %s", k)
	}
	for _, k := range unrouted {
		t.Errorf("in openapi.json but not routed: %s", k)
	}
	if len(routed) < 80 {
		t.Errorf("only %d routes found: the router listing is broken", len(routed))
	}
}

// TestOpenAPIServed checks the document and the reference page as a client
// gets them: anonymous, from the binary, and loadable under the server's
// Content-Security-Policy (scripts and styles from the same origin only).
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	res := e.do(req{method: "GET", path: "/api/v1/openapi.json"})
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", res.status, res.header.Get("Content-Type"))
	}
	var served map[string]any
	if err := json.Unmarshal(res.body, &served); err != nil || served["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json does not parse as a 3.1 document: %v", err)
	}
	if string(res.body) != string(api.OpenAPIDocument) {
		t.Error("the served document differs from the embedded one")
	}
	page := e.do(req{method: "GET", path: "/api/docs"})
	if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("/api/docs: %d %s", page.status, page.header.Get("Content-Type"))
	}
	csp := page.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
		t.Fatalf("CSP %q is not the strict one the page is written for", csp)
	}
	html := string(page.body)
	for _, bad := range []string{"http://", "https://", "<style", "onload=", "onclick="} {
		if strings.Contains(html, bad) {
			t.Errorf("/api/docs contains %q: it must load nothing from elsewhere and nothing inline", bad)
		}
	}
	if n := strings.Count(html, "<script"); n != strings.Count(html, `<script src="/api/docs/`) {
		t.Error("/api/docs has an inline script, which the CSP blocks")
	}
	for asset, ct := range map[string]string{"docs.js": "text/javascript", "docs.css": "text/css"} {
		if !strings.Contains(html, "/api/docs/"+asset) {
			t.Errorf("the page does not load %s", asset)
		}
		a := e.do(req{method: "GET", path: "/api/docs/" + asset})
		if a.status != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), ct) || len(a.body) == 0 {
			t.Errorf("%s: %d %q", asset, a.status, a.header.Get("Content-Type"))
		}
		if strings.Contains(string(a.body), "http://") || strings.Contains(string(a.body), "https://") {
			t.Errorf("%s refers to another origin", asset)
		}
	}
	if res := e.do(req{method: "GET", path: "/api/docs/openapi.go"}); res.status != 404 {
		t.Errorf("/api/docs serves files beyond its page: %d", res.status)
	}
}

// TestContractCatchesDrift shows that the traffic check fails on what the
// document does not describe, naming the route.
func TestContractCatchesDrift(t *testing.T) {
	loadContract(t)
	token := http.Header{"Authorization": {"Bearer x"}}
	cases := []struct {
		name, method, path string
		reqBody            string
		status             int
		ct, body           string
		want               string
	}{
		{"field the schema does not have", "GET", "/healthz", "", 200, "application/json", `{"status":"ok","extra":1}`, "GET /healthz"},
		{"status the operation does not list", "GET", "/healthz", "", 201, "application/json", `{"status":"ok"}`, "GET /healthz"},
		{"error outside the error shape", "GET", "/api/v1/me", "", 401, "application/json", `{"message":"no"}`, "GET /api/v1/me"},
		{"wrong media type", "GET", "/api/v1/stats/summary.csv", "", 200, "application/json", `{}`, "GET /api/v1/stats/{table}.csv"},
		{"accepted a request the document rejects", "POST", "/api/v1/auth/login", `{"username":1}`, 200, "application/json",
			`{"accessToken":"a","refreshToken":"r","tokenType":"Bearer","expiresIn":900}`, "POST /api/v1/auth/login"},
		{"route the document lacks", "GET", "/api/v1/nowhere", "", 200, "application/json", `{}`, "/api/v1/nowhere"},
		{"404 outside the error shape", "GET", "/api/v1/nowhere", "", 404, "text/plain", `Not Found`, "/api/v1/nowhere"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := token.Clone()
			h.Set("Content-Type", "application/json")
			got := contractProblems(tc.method, tc.path, h, []byte(tc.reqBody), tc.status, http.Header{"Content-Type": {tc.ct}}, []byte(tc.body))
			if len(got) == 0 {
				t.Fatal("no problem reported")
			}
			if !strings.Contains(got[0], tc.want) {
				t.Errorf("problem %q does not name %s", got[0], tc.want)
			}
		})
	}
	// And an exchange that matches passes.
	ok := contractProblems("GET", "/healthz", http.Header{}, nil, 200, http.Header{"Content-Type": {"application/json"}}, []byte(`{"status":"ok"}`))
	if len(ok) != 0 {
		t.Errorf("a matching exchange was reported: %v", ok)
	}
}
