// Package api is the credit bank's HTTP layer (Fiber v2): routes, request and
// response DTOs, the error → status table and middleware. It holds no
// business rules; those are in app/service and domain.
package api

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"creditbank/app/metrics"
	"creditbank/app/service"
	"creditbank/auth"
)

// TokenVerifier checks access tokens.
type TokenVerifier interface {
	Verify(token string) (auth.Principal, error)
}

// KeyPublisher serves the public signing keys.
type KeyPublisher interface {
	JWKS() []byte
}

// Config is the HTTP layer's part of the application configuration.
type Config struct {
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// for the client IP; empty means the peer address is the client.
	TrustedProxies []string
	// CORSOrigins may call the API from a browser; empty means same-origin only.
	CORSOrigins []string
	// BodyLimit caps any request body (CSV uploads included); JSON bodies are
	// further capped at JSONLimit.
	BodyLimit int
	JSONLimit int
	// LoginRate and LoginBurst bound login, token and refresh attempts per
	// client IP and per username.
	LoginRate  float64
	LoginBurst float64
	// MaxInFlight requests are served at once; up to MaxQueue more wait at
	// most QueueWait for a slot; the rest get 503 + Retry-After at once.
	// Health and readiness probes are exempt.
	MaxInFlight int
	MaxQueue    int
	QueueWait   time.Duration
	// MaxPasswordChecks requests that hash a password (sign-in,
	// self-registration, password change, staff creation) run at once,
	// outside MaxInFlight; up to 8 times as many wait QueueWait, the rest get
	// 503 + Retry-After. 0 means one per CPU (GOMAXPROCS): hashing is
	// CPU-bound, more at once would only slow each one down.
	MaxPasswordChecks int
	// MaxConns caps open connections; more are refused by the transport.
	// With BodyLimit it bounds the memory request bodies can take.
	MaxConns int
	// MaxConnsPerAddr caps the open connections of one peer address (429
	// beyond it); trusted proxies are exempt (see connsPerAddr).
	MaxConnsPerAddr int
	// HeaderTimeout is the time a client has to send a request's headers
	// once it starts one (cuts off clients trickling header lines); it is
	// never longer than ReadTimeout. ReadTimeout is the time to send a
	// whole request (cuts off slow senders of bodies); WriteTimeout to take
	// the response; IdleTimeout keeps an unused keep-alive connection.
	HeaderTimeout time.Duration
	ReadTimeout   time.Duration
	WriteTimeout  time.Duration
	IdleTimeout   time.Duration
	// RecordCacheBytes bounds the memory kept by the cache of learners' own
	// rendered records; 0 means DefaultRecordCacheBytes, negative turns the
	// cache off.
	RecordCacheBytes int
	Now              func() time.Time
	Logger           *slog.Logger
	// Metrics records what operators see on the metrics listener; nil
	// records nothing. The API never serves them itself.
	Metrics *metrics.Metrics
	// UI is the embedded web interface, served at /.
	UI fs.FS
}

// Server holds the HTTP layer's collaborators.
type Server struct {
	svc     *service.Service
	tokens  TokenVerifier
	keys    KeyPublisher
	cfg     Config
	log     *slog.Logger
	metrics *metrics.Metrics
	now     func() time.Time
	limiter *limiter
	// subjects limits a username or client ID over all addresses.
	subjects *limiter
	trusted  []netip.Prefix

	admission   *admission
	passwords   *admission      // the password-hashing routes' own budget
	templates   map[string]bool // registered route paths, the only route labels
	completions completions
	records     *recordCache
	encode      func(any) ([]byte, error) // the app's JSON encoder, as c.JSON uses it
}

// Defaults for the overload settings. A deposit takes a few milliseconds
// of CPU and store time (the store writes one at a time), so 64 running at
// once already keep two cores and the store busy; more would only queue
// inside the process, adding latency to everyone (RELIABILITY.md has the
// measurements).
const (
	DefaultMaxInFlight = 64
	DefaultMaxQueue    = 64
	DefaultQueueWait   = 500 * time.Millisecond
	DefaultMaxConns    = 1024
	// DefaultMaxConnsPerAddr leaves room for a browser's six connections
	// per host several times over (a shared office address), while 1024
	// connections take more than thirty addresses.
	DefaultMaxConnsPerAddr = 32
	DefaultHeaderTimeout   = 5 * time.Second
	DefaultReadTimeout     = 30 * time.Second
	DefaultWriteTimeout    = 60 * time.Second
	DefaultIdleTimeout     = 120 * time.Second
	// DefaultRecordCacheBytes holds some four thousand records of ten
	// outcomes (about 8 kB each). Being live heap, it raises the garbage
	// collector's target by as much again, so it costs about twice this in
	// resident memory; the 100 000-learner bench peaks well under its 400 MB
	// target with it since the store keeps fewer accounts decoded.
	DefaultRecordCacheBytes = 32 << 20
)

func (cfg *Config) withOverloadDefaults() {
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	setD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&cfg.MaxInFlight, DefaultMaxInFlight)
	set(&cfg.MaxQueue, DefaultMaxQueue)
	set(&cfg.MaxConns, DefaultMaxConns)
	set(&cfg.MaxPasswordChecks, runtime.GOMAXPROCS(0))
	set(&cfg.MaxConnsPerAddr, DefaultMaxConnsPerAddr)
	setD(&cfg.QueueWait, DefaultQueueWait)
	setD(&cfg.HeaderTimeout, DefaultHeaderTimeout)
	setD(&cfg.ReadTimeout, DefaultReadTimeout)
	setD(&cfg.WriteTimeout, DefaultWriteTimeout)
	setD(&cfg.IdleTimeout, DefaultIdleTimeout)
	cfg.HeaderTimeout = min(cfg.HeaderTimeout, cfg.ReadTimeout)
}

// New builds the Fiber application with every route.
func New(svc *service.Service, tokens TokenVerifier, keys KeyPublisher, cfg Config) *fiber.App {
	_, app := newServer(svc, tokens, keys, cfg)
	return app
}

func newServer(svc *service.Service, tokens TokenVerifier, keys KeyPublisher, cfg Config) (*Server, *fiber.App) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 16 << 20
	}
	if cfg.JSONLimit == 0 {
		cfg.JSONLimit = 256 << 10
	}
	if cfg.LoginRate == 0 {
		cfg.LoginRate = 1
	}
	if cfg.LoginBurst == 0 {
		cfg.LoginBurst = 10
	}
	if cfg.RecordCacheBytes == 0 {
		cfg.RecordCacheBytes = DefaultRecordCacheBytes
	}
	cfg.withOverloadDefaults()
	s := &Server{svc: svc, tokens: tokens, keys: keys, cfg: cfg, log: cfg.Logger, metrics: cfg.Metrics, now: cfg.Now,
		limiter:  newLimiter(cfg.LoginRate, cfg.LoginBurst, cfg.Now),
		subjects: newLimiter(cfg.LoginRate, subjectBurstFactor*cfg.LoginBurst, cfg.Now), trusted: parseTrusted(cfg.TrustedProxies),
		admission: newAdmission(cfg.MaxInFlight, cfg.MaxQueue, cfg.QueueWait),
		passwords: newAdmission(cfg.MaxPasswordChecks, 8*cfg.MaxPasswordChecks, cfg.QueueWait),
		records:   newRecordCache(int64(cfg.RecordCacheBytes))}
	app := fiber.New(fiber.Config{
		AppName:                 "creditbank",
		BodyLimit:               cfg.BodyLimit,
		DisableStartupMessage:   true,
		ReadTimeout:             cfg.ReadTimeout,
		WriteTimeout:            cfg.WriteTimeout,
		IdleTimeout:             cfg.IdleTimeout,
		Concurrency:             cfg.MaxConns,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return s.writeError(c, err)
		},
	})
	s.encode = app.Config().JSONEncoder
	// The transport's read deadline is set when a request starts: it is the
	// header deadline, and once the headers are in, the body gets the rest
	// of ReadTimeout.
	transport := app.Server()
	transport.ReadTimeout = cfg.HeaderTimeout
	transport.HeaderReceived = func(*fasthttp.RequestHeader) fasthttp.RequestConfig {
		return fasthttp.RequestConfig{ReadTimeout: cfg.ReadTimeout}
	}
	transport.ConnState = newConnsPerAddr(cfg.MaxConnsPerAddr, s.trustedAddr, s.log, s.metrics).connState
	s.routes(app)
	s.templates = map[string]bool{}
	for _, r := range app.GetRoutes(true) {
		s.templates[r.Path] = true
	}
	// Responses still being stored are part of the requests that produced
	// them: a clean stop stores them before the store closes.
	app.Hooks().OnShutdown(func() error {
		s.completions.drain()
		return nil
	})
	return s, app
}

func (s *Server) routes(app *fiber.App) {
	app.Use(recover.New(recover.Config{StackTraceHandler: s.logPanic, EnableStackTrace: true}))
	// Admission comes before authentication, which may read the store: a
	// shed request must cost next to nothing. Compressed bodies are refused
	// before anything can inflate them.
	app.Use(s.requestContext, s.accessLog, s.securityHeaders, s.plainBodies, s.admit, s.cors, s.authenticate)

	app.Get("/healthz", s.health)
	app.Get("/readyz", s.ready)
	app.Get("/.well-known/jwks.json", s.jwks)
	app.Get("/.well-known/did.json", s.didDocument)
	app.Get("/v/:code", s.shortVerify)
	app.Get("/api/docs", s.docsPage)
	app.Get("/api/docs/:asset", s.docsPage)

	v1 := app.Group("/api/v1")
	v1.Get("/openapi.json", s.openAPIDocument)
	v1.Post("/auth/login", s.login)
	v1.Post("/auth/refresh", s.refresh)
	v1.Post("/auth/token", s.clientToken)

	v1.Get("/me", s.me)
	v1.Post("/me/password", s.changePassword)
	v1.Post("/learners", s.idempotent(s.registerLearner))
	v1.Get("/learners/me/record", s.myRecord)
	v1.Get("/learners/me/data", s.myData)
	v1.Get("/learners/me/transcript", s.transcript)
	v1.Post("/learners/me/grants", s.idempotent(s.createGrant))
	v1.Delete("/learners/me/grants/:id", onObject(s.withdrawGrant))
	v1.Get("/learners/:id/record", onObject(s.sharedRecord))
	v1.Post("/learners/lookup", s.lookupLearner)
	v1.Post("/learners/:id/reset", onObject(s.resetLearner))

	v1.Get("/institutions", s.listInstitutions)
	v1.Post("/institutions", s.idempotent(s.createInstitution))
	v1.Get("/institutions/me/outcomes", s.issuedOutcomes)
	v1.Get("/institutions/me/shared", s.sharedWithMe)
	v1.Get("/institutions/:id", s.getInstitution)
	v1.Post("/institutions/:id/status", onObject(s.setInstitutionStatus))
	v1.Post("/institutions/:id/staff", s.idempotent(onKeyedObject(s.createStaff)))
	v1.Get("/institutions/:id/staff", onObject(s.listStaff))
	v1.Post("/institutions/:id/staff/:userId/status", s.setStaffStatus)

	v1.Post("/outcomes", s.idempotent(s.issueOutcome))
	v1.Post("/outcomes/import", s.idempotent(s.importOutcomes))
	v1.Get("/imports/:id", onObject(s.getImport))
	v1.Get("/imports/:id/failed.csv", onObject(s.importFailedRows))
	v1.Get("/institutions/me/imports", s.importHistory)
	v1.Post("/outcomes/:id/revoke", s.idempotent(onKeyedObject(s.revokeOutcome)))

	v1.Get("/rules", s.listRules)
	v1.Post("/rules", s.idempotent(s.createRule))
	// Before /rules/:id, which would take "submitted" for an ID.
	v1.Get("/rules/submitted", s.submittedRules)
	v1.Get("/rules/:id", s.getRule)
	v1.Put("/rules/:id", onObject(s.editRule))
	v1.Post("/rules/:id/publish", s.ruleAction(s.svc.PublishRule))
	v1.Post("/rules/:id/retire", s.ruleAction(s.svc.RetireRule))
	v1.Post("/rules/:id/submit", s.ruleAction(s.svc.SubmitRule))
	v1.Post("/rules/:id/return", onObject(s.returnRule))
	v1.Post("/rules/:id/simulate", onObject(s.simulateRule))

	v1.Post("/conversions/preview", s.previewConversion)
	v1.Post("/conversions", s.idempotent(s.applyConversion))
	v1.Get("/institutions/me/conversions", s.reviewQueue)
	v1.Post("/conversions/:id/approve", s.idempotent(s.decideConversion(service.Approve)))
	v1.Post("/conversions/:id/reject", s.idempotent(s.decideConversion(service.Reject)))
	v1.Get("/notices", s.listNotices)
	v1.Post("/conversions/:id/objections", s.idempotent(onKeyedObject(s.objectToConversion)))
	v1.Post("/conversions/:id/appeal", s.idempotent(onKeyedObject(s.appealConversion)))

	v1.Get("/policy", s.getPolicy)
	v1.Put("/policy", s.setPolicy)
	v1.Get("/framework", s.getFramework)
	v1.Put("/framework", s.setFramework)
	v1.Get("/units", s.listUnits)
	v1.Post("/units", s.idempotent(s.createUnit))
	v1.Get("/units/:code", s.getUnit)
	v1.Put("/units/:code", s.updateUnit)

	v1.Post("/verify", s.verifyTranscript)
	v1.Get("/stats", s.stats)
	v1.Get("/stats/:table.csv", s.statsCSV)
	v1.Get("/audit", s.listAudit)
	v1.Get("/audit/verify", s.verifyAudit)

	// Issue 9, the learner's side: access log and assisted access.
	v1.Get("/learners/me/access-log", s.myAccessLog)
	v1.Post("/learners/me/helpers", s.idempotent(s.nameHelper))
	v1.Get("/learners/me/helpers", s.listHelpers)
	v1.Delete("/learners/me/helpers/:id", onObject(s.withdrawHelper))
	v1.Get("/learners/me/assisting", s.assisting)
	v1.Post("/learners/:id/conversions/preview", onObject(s.previewFor))
	v1.Post("/learners/:id/conversions", s.idempotent(onKeyedObject(s.applyFor)))
	// Offline verification: every transcript key, and the signed revocation list.
	v1.Get("/transcripts/keys", s.transcriptKeys)
	v1.Get("/transcripts/status", s.transcriptStatus)
	v1.Get("/credentials/status/:list", s.statusList)
	// Course catalogues, pathways and alerts (issue 9).
	v1.Get("/courses", s.searchCourses)
	v1.Get("/courses/:id", s.getCourse)
	v1.Put("/courses/:id", onObject(s.updateCourse))
	v1.Delete("/courses/:id", onObject(s.deleteCourse))
	v1.Get("/institutions/me/courses", s.myCourses)
	v1.Post("/institutions/me/courses", s.idempotent(s.createCourse))
	v1.Get("/learners/me/pathways", s.myPathways)
	v1.Get("/learners/me/alerts", s.myAlerts)
	v1.Get("/learners/me/alerts/history", s.myNoticeHistory)
	v1.Post("/learners/me/alerts/seen", s.markAlertsSeen)

	if s.cfg.UI != nil {
		s.uiRoutes(app)
	}
	app.Use(func(c *fiber.Ctx) error {
		c.Locals(unmatchedKey, true)
		return fiber.NewError(fiber.StatusNotFound, "no such route")
	})
}

// logPanic records a handler panic once; the client gets a generic 500.
func (s *Server) logPanic(c *fiber.Ctx, e any) {
	s.log.Error("panic in handler", "method", c.Method(), "path", c.Route().Path, "requestId", requestID(c), "panic", fmt.Sprint(e), "stack", string(debug.Stack()))
}

// health is liveness: the process answers. It does not ask the store, so an
// orchestrator does not restart a healthy process because the database is
// away; that is what readiness is for.
func (s *Server) health(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// ready is readiness: the store answers, so requests can be served. A load
// balancer stops sending traffic while it says 503 and resumes when the
// store returns.
func (s *Server) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.svc.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		c.Set(fiber.HeaderRetryAfter, storeRetryAfter)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) jwks(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(s.keys.JWKS())
}
