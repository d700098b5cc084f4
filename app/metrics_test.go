package main

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// scrape reads the metrics listener and parses it as Prometheus does.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d", res.StatusCode)
	}
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("metrics are not in the Prometheus text format: %v", err)
	}
	return families
}

// sample finds the series of a family with the given labels (others may
// differ) and returns it, or nil.
func sample(families map[string]*dto.MetricFamily, name string, labels ...string) *dto.Metric {
	f := families[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

// TestMetricsOnTheirOwnListener drives sign-ins (one failed), signed-in
// requests (one with a forged token), an unknown path and a CSV import, then
// scrapes the private metrics listener and parses it with the Prometheus
// text parser: the request, group-commit, import, token and sign-in figures
// are there with the counts driven, no label carries an ID or a name, and
// the public listener does not serve the metrics.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := startServerWith(t, func(a *application) { a.metricsLn = mln })
	c := newAPIClient(base)
	c.login(t, "admin", demoAdminPassword)
	staff := c.login(t, "cc.registrar", demoStaffPassword)
	if res, err := c.call("POST", "/api/v1/auth/login", "", "", map[string]string{"username": "admin", "password": "not-the-password"}); err != nil || res.status != 401 {
		t.Fatalf("wrong password: %v %v", res.status, err)
	}
	for range 3 {
		c.must(t, 200, "GET", "/api/v1/me", staff, nil)
	}
	if res, err := c.call("GET", "/api/v1/me", "forged.token.here", "", nil); err != nil || res.status != 401 {
		t.Fatalf("forged token: %v %v", res.status, err)
	}
	unknownID := uuid.NewString()
	if res, err := c.call("GET", "/api/v1/nothing/"+unknownID, "", "", nil); err != nil || res.status != 404 {
		t.Fatalf("unknown path: %v %v", res.status, err)
	}
	csv := "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n" +
		testNationalID(t, 901) + ",甲,community,社区合唱,M-01,16,90,2025-03-01\n" +
		testNationalID(t, 902) + ",乙,community,社区合唱,M-01,16,90,2025-03-01\n" +
		testNationalID(t, 903) + ",丙,community,社区合唱,M-01,很多,90,2025-03-01\n"
	job := c.must(t, 202, "POST", "/api/v1/outcomes/import", staff, []byte(csv))
	deadline := time.Now().Add(30 * time.Second)
	for job["state"] != "done" {
		if time.Now().After(deadline) {
			t.Fatalf("import not done: %v", job)
		}
		time.Sleep(20 * time.Millisecond)
		job = c.must(t, 200, "GET", "/api/v1/imports/"+job["id"].(string), staff, nil)
	}

	got := scrape(t, mln.Addr().String())
	for _, tc := range []struct {
		name    string
		labels  []string
		want    float64
		atLeast bool
	}{
		{"creditbank_http_requests_total", []string{"route", "/api/v1/auth/login", "method", "POST", "status", "200"}, 2, false},
		{"creditbank_http_requests_total", []string{"route", "/api/v1/auth/login", "method", "POST", "status", "401"}, 1, false},
		{"creditbank_http_requests_total", []string{"route", "/api/v1/me", "method", "GET", "status", "200"}, 3, false},
		{"creditbank_http_requests_total", []string{"route", "unrouted", "method", "GET", "status", "401"}, 1, false},
		{"creditbank_http_requests_total", []string{"route", "unmatched", "method", "GET", "status", "404"}, 1, false},
		{"creditbank_http_requests_total", []string{"route", "/api/v1/outcomes/import", "method", "POST", "status", "202"}, 1, false},
		{"creditbank_http_request_duration_seconds", []string{"route", "/api/v1/me", "method", "GET", "status", "200"}, 3, false},
		{"creditbank_http_in_flight_requests", nil, 0, false},
		{"creditbank_http_shed_total", []string{"budget", "general"}, 0, false},
		{"creditbank_http_shed_total", []string{"budget", "password"}, 0, false},
		{"creditbank_http_shed_total", []string{"budget", "connections_per_address"}, 0, false},
		{"creditbank_import_rows_total", []string{"result", "banked"}, 2, false},
		{"creditbank_import_rows_total", []string{"result", "failed"}, 1, false},
		{"creditbank_import_rows_total", []string{"result", "duplicate"}, 0, false},
		{"creditbank_token_verifications_total", []string{"result", "valid"}, 5, true},
		{"creditbank_token_verifications_total", []string{"result", "invalid"}, 1, false},
		{"creditbank_login_failures_total", []string{"kind", "password"}, 1, false},
		{"creditbank_login_lockouts_total", []string{"kind", "password"}, 0, false},
		{"creditbank_store_errors_total", []string{"kind", "unavailable"}, 0, false},
		{"creditbank_store_group_commit_writes", nil, 2, true},
		{"creditbank_store_log_sync_seconds", nil, 1, true},
	} {
		v := value(sample(got, tc.name, tc.labels...))
		if (tc.atLeast && v < tc.want) || (!tc.atLeast && v != tc.want) {
			t.Errorf("%s%v = %v, want %v%v", tc.name, tc.labels, v, map[bool]string{true: "≥ ", false: ""}[tc.atLeast], tc.want)
		}
	}
	if h := sample(got, "creditbank_store_group_commit_writes").GetHistogram(); h.GetSampleSum() < 2 {
		t.Errorf("group commits carried %v writes in all, want at least the 2 banked rows", h.GetSampleSum())
	}
	if sample(got, "go_goroutines") == nil {
		t.Error("the Go runtime's metrics are missing")
	}
	allowed := map[string]bool{"route": true, "method": true, "status": true, "budget": true, "result": true, "kind": true}
	for name, f := range got {
		if !strings.HasPrefix(name, "creditbank_") {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				v := l.GetValue()
				if !allowed[l.GetName()] || strings.Contains(v, unknownID) || strings.Contains(v, "registrar") || strings.ContainsAny(v, "甲乙丙") {
					t.Errorf("%s has label %s=%q: labels name only routes, methods, statuses and fixed kinds", name, l.GetName(), v)
				}
				if _, err := uuid.Parse(v); err == nil {
					t.Errorf("%s has an ID as label %s", name, l.GetName())
				}
			}
		}
	}
	// The public listener does not serve them.
	res, err := c.call("GET", "/metrics", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(res.body), "creditbank_http_requests_total") {
		t.Error("the public listener serves the metrics")
	}
}
