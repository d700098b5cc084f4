package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// logLines returns the JSON log records with msg "request" and the given
// request id.
func (e *env) requestLogLines(id string) []map[string]any {
	e.t.Helper()
	logMu <- struct{}{}
	raw := bytes.Clone(e.logs.Bytes())
	<-logMu
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "request" && m["requestId"] == id {
			out = append(out, m)
		}
	}
	return out
}

// TestErrorBodiesCarryTheRequestID: the id of a failed request is in the
// X-Request-ID header, in error.requestId and in the request's log line,
// with the status and error code; a caller's id is kept only when short
// and printable.
func TestErrorBodiesCarryTheRequestID(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("a", 65)
	cases := []struct {
		name, sent string
		r          req
		status     int
		code       string
		kept       bool
	}{
		{"caller's id kept", "clerk-42.screenshot", req{method: "GET", path: "/api/v1/me"}, 401, "unauthenticated", true},
		{"no id", "", req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": "admin", "password": "wrong-password"}}, 401, "unauthenticated", false},
		{"too long", long, req{method: "GET", path: "/api/v1/no-such-route"}, 404, "not_found", false},
		{"quotes", `id","level":"ERROR`, req{method: "GET", path: "/api/v1/me"}, 401, "unauthenticated", false},
		{"control characters", "id\twith\ttabs", req{method: "POST", path: "/api/v1/auth/login", body: "{"}, 400, "bad_request", false},
		{"non-ASCII", "编号-1", req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": "admin", "password": adminPassword},
			headers: map[string]string{"Content-Encoding": "gzip"}}, 415, "unsupported_encoding", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			if tc.sent != "" {
				r.headers = map[string]string{"X-Request-ID": tc.sent}
				for k, v := range tc.r.headers {
					r.headers[k] = v
				}
			}
			res := e.do(r)
			if res.status != tc.status || res.errorCode(t) != tc.code {
				t.Fatalf("status %d %q, want %d %q: %s", res.status, res.errorCode(t), tc.status, tc.code, res.body)
			}
			header := res.header.Get("X-Request-ID")
			body, _ := res.json(t)["error"].(map[string]any)["requestId"].(string)
			if header == "" || body != header {
				t.Fatalf("X-Request-ID %q, error.requestId %q: want the same, non-empty", header, body)
			}
			if tc.kept && header != tc.sent {
				t.Errorf("caller's id %q replaced by %q", tc.sent, header)
			}
			if !tc.kept {
				if _, err := uuid.Parse(header); err != nil || header == tc.sent {
					t.Errorf("unsafe id %q answered with %q, want a generated UUID", tc.sent, header)
				}
			}
			lines := e.requestLogLines(header)
			if len(lines) != 1 {
				t.Fatalf("%d request log lines with id %s, want 1", len(lines), header)
			}
			if l := lines[0]; l["status"] != float64(tc.status) || l["code"] != tc.code || l["level"] != "INFO" {
				t.Errorf("log line %v, want status %d code %s at INFO", l, tc.status, tc.code)
			}
		})
	}
}
