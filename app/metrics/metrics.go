// Package metrics is what the credit bank tells operators, in the
// Prometheus text format, on a listener of its own (never the public one).
// Every label takes its values from a small fixed set (route templates,
// status codes, outcomes): no label ever carries an ID or a name, so
// nothing personal reaches a metrics store and series do not grow with
// traffic.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors. A nil *Metrics records nothing, so parts
// wired without it (tests, commands other than serve) need no checks.
type Metrics struct {
	requests     *prometheus.CounterVec
	latency      *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	shed         *prometheus.CounterVec
	groupWrites  prometheus.Histogram
	logSync      prometheus.Histogram
	logSyncFails prometheus.Counter
	importRows   *prometheus.CounterVec
	storeErrors  *prometheus.CounterVec
	tokens       *prometheus.CounterVec
	authFailures *prometheus.CounterVec
	lockouts     *prometheus.CounterVec
}

// Label values known in advance are created at once, so that their series
// read 0 rather than being absent until the first event.
var (
	ShedBudgets   = []string{"general", "password", "connections_per_address"}
	ImportResults = []string{"banked", "duplicate", "failed"}
	StoreErrKinds = []string{"unavailable", "conflict", "internal"}
	TokenResults  = []string{"valid", "invalid", "rejected"}
	AuthKinds     = []string{"password", "refresh", "client"}
)

// New registers the collectors, with the Go runtime's and the process's, on
// reg (a registry of the caller's, not the global one).
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_http_requests_total", Help: "HTTP requests answered, by route template, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "creditbank_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route template, method and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "creditbank_http_in_flight_requests", Help: "Requests admitted and being served now.",
		}),
		shed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_http_shed_total", Help: "Requests (or connections) turned away for want of capacity, by budget.",
		}, []string{"budget"}),
		groupWrites: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "creditbank_store_group_commit_writes", Help: "Writes carried by each SQLite group commit.",
			Buckets: prometheus.ExponentialBuckets(1, 2, 11),
		}),
		logSync: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "creditbank_store_log_sync_seconds", Help: "Time to make SQLite's write-ahead log durable (one fsync per group or more).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
		logSyncFails: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "creditbank_store_log_sync_failures_total", Help: "Failed syncs of SQLite's write-ahead log (the store refuses writes after one).",
		}),
		importRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_import_rows_total", Help: "CSV import rows settled, by result; its rate is the import speed in rows per second.",
		}, []string{"result"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_store_errors_total", Help: "Requests failed by the store, by kind (unavailable, conflict, internal).",
		}, []string{"kind"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_token_verifications_total", Help: "Bearer tokens checked, by result (valid; invalid signature, expiry or form; rejected: valid but its account or institution may no longer act).",
		}, []string{"result"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_login_failures_total", Help: "Failed sign-ins, by kind (password, refresh token, client credentials).",
		}, []string{"kind"}),
		lockouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "creditbank_login_lockouts_total", Help: "Sign-in attempts refused without checking because the address or account is backing off after failures or over its rate.",
		}, []string{"kind"}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.shed, m.groupWrites, m.logSync, m.logSyncFails,
		m.importRows, m.storeErrors, m.tokens, m.authFailures, m.lockouts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, v := range ShedBudgets {
		m.shed.WithLabelValues(v)
	}
	for _, v := range ImportResults {
		m.importRows.WithLabelValues(v)
	}
	for _, v := range StoreErrKinds {
		m.storeErrors.WithLabelValues(v)
	}
	for _, v := range TokenResults {
		m.tokens.WithLabelValues(v)
	}
	for _, v := range AuthKinds {
		m.authFailures.WithLabelValues(v)
		m.lockouts.WithLabelValues(v)
	}
	return m
}

// Handler serves what g gathers in the Prometheus text format.
func Handler(g prometheus.Gatherer) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Request records an answered request. route is the route's template
// (never the path, which may hold IDs).
func (m *Metrics) Request(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	s := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, s).Inc()
	m.latency.WithLabelValues(route, method, s).Observe(d.Seconds())
}

// Admitted counts a request into (+1) or out of (-1) service.
func (m *Metrics) Admitted(delta int) {
	if m != nil {
		m.inFlight.Add(float64(delta))
	}
}

// Shed counts a request turned away by one of ShedBudgets.
func (m *Metrics) Shed(budget string) {
	if m != nil {
		m.shed.WithLabelValues(budget).Inc()
	}
}

// GroupCommitted records one SQLite group commit of writes writes.
func (m *Metrics) GroupCommitted(writes int) {
	if m != nil {
		m.groupWrites.Observe(float64(writes))
	}
}

// LogSynced records one sync of SQLite's log.
func (m *Metrics) LogSynced(d time.Duration, err error) {
	if m == nil {
		return
	}
	m.logSync.Observe(d.Seconds())
	if err != nil {
		m.logSyncFails.Inc()
	}
}

// ImportRows counts n import rows settled with one of ImportResults.
func (m *Metrics) ImportRows(result string, n int) {
	if m != nil && n > 0 {
		m.importRows.WithLabelValues(result).Add(float64(n))
	}
}

// StoreError counts a request failed by the store, by one of StoreErrKinds.
func (m *Metrics) StoreError(kind string) {
	if m != nil {
		m.storeErrors.WithLabelValues(kind).Inc()
	}
}

// TokenVerified counts a bearer token checked, by one of TokenResults.
func (m *Metrics) TokenVerified(result string) {
	if m != nil {
		m.tokens.WithLabelValues(result).Inc()
	}
}

// LoginFailed counts a failed sign-in of one of AuthKinds.
func (m *Metrics) LoginFailed(kind string) {
	if m != nil {
		m.authFailures.WithLabelValues(kind).Inc()
	}
}

// LockedOut counts a sign-in of one of AuthKinds refused by the throttle.
func (m *Metrics) LockedOut(kind string) {
	if m != nil {
		m.lockouts.WithLabelValues(kind).Inc()
	}
}
