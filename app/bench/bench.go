// Package bench is the `creditbank bench` command: it seeds a district on a
// scratch store, serves it on loopback and measures the product over HTTP
// against baselines taken in the same run. It is a tool beside the product,
// not part of it; the main package hands it the wiring.
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/mongo"
	"creditbank/storage/sqlite"
)

// benchOptions are the bench command's flags.
type benchOptions struct {
	learners, perLearner, rules, conns, importRows, heavy int
	duration                                              time.Duration
	store, jsonOut, cpuProfile, only                      string
	growth                                                bool
}

// Product is the credit bank wired on one store, as the main package opens
// it to serve.
type Product struct {
	Service *service.Service
	// Store is the product's store: the bench reads a sample account from
	// it, and asks the concrete store behind it for raw baselines and
	// group-commit counters.
	Store   storage.Accounts
	Tokens  *auth.TokenService
	Handler func() *fiber.App
	Close   func() error
}

// Scratch is a fresh store that one run seeds.
type Scratch struct {
	// Label names the store in the run's header line.
	Label string
	// Open wires the product on the store; the start-up measurement opens
	// it a second time, after the first is closed.
	Open func(ctx context.Context) (*Product, error)
	// Remove deletes the store.
	Remove func()
}

// Command is `creditbank bench`. The main package supplies what only it
// knows: how to make a store and wire the product on it.
type Command struct {
	// Scratch prepares a fresh store for the --store flag's target ("": a
	// temporary SQLite file).
	Scratch func(ctx context.Context, target string) (*Scratch, error)
	// Sizes are the stores --growth seeds; nil means GrowthSizes.
	Sizes []GrowthSize
}

// exitStatus ends the command with a status of its own: 2 for bad flags,
// 1 when requests failed.
type exitStatus struct {
	code int
	msg  string
}

func (e exitStatus) Error() string { return e.msg }
func (e exitStatus) ExitCode() int { return e.code }

// Run seeds a district on a scratch store, starts the real server on
// loopback in this process and measures it over HTTP with real tokens from
// concurrent connections, next to baselines taken in the same run: the
// store's raw compare-and-swap writes and point reads, and a Fiber handler
// answering a constant. Every figure is a ratio to its baseline, because the
// machines this runs on are shared and noisy.
func (c Command) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o benchOptions
	fs.IntVar(&o.learners, "learners", 100000, "learners to seed")
	fs.IntVar(&o.perLearner, "outcomes-per-learner", 10, "outcomes seeded per learner")
	fs.IntVar(&o.rules, "rules", 50, "published conversion rules to seed")
	fs.IntVar(&o.conns, "conns", 32, "concurrent HTTP connections")
	fs.IntVar(&o.importRows, "import-rows", 100000, "rows of the CSV import (0 skips it)")
	fs.IntVar(&o.heavy, "heavy-outcomes", 2000, "outcomes of the one heavy learner whose record read is measured apart (0 skips it)")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each measurement runs")
	fs.StringVar(&o.store, "store", "", "sqlite:PATH or mongodb://… (default a scratch SQLite file; MongoDB gets a scratch database, dropped afterwards)")
	fs.StringVar(&o.jsonOut, "json", "", "also write the figures as JSON to this file")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the HTTP measurements to this file")
	fs.StringVar(&o.only, "only", "", "measure only these endpoints (comma-separated: issue,record,heavy,preview,apply,list,stats,import)")
	fs.BoolVar(&o.growth, "growth", false, "instead, measure how read-record and issue-outcome latency grow with outcomes in the store and per learner")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.learners < 1 || o.perLearner < 1 || o.rules < 1 || o.conns < 1 || o.duration <= 0 {
		return exitStatus{code: 2, msg: "bench: --learners, --outcomes-per-learner, --rules, --conns and --duration must be positive"}
	}
	var results []measurement
	var err error
	if o.growth {
		results, err = c.growth(ctx, o, stdout, stderr)
	} else {
		results, err = c.run(ctx, o, benchAll, stdout, stderr)
	}
	if err != nil {
		return err
	}
	printMeasurements(stdout, results)
	if o.jsonOut != "" {
		out, err := json.MarshalIndent(results, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(out, '\n'), 0o644); err != nil {
			return err
		}
	}
	errs := 0
	for _, m := range results {
		errs += m.Errors
	}
	if errs > 0 {
		return exitStatus{code: 1, msg: fmt.Sprintf("bench: %d requests failed", errs)}
	}
	return nil
}

// benchPhases selects what one run measures.
type benchPhases int

const (
	benchAll benchPhases = iota
	benchPointOnly
)

// benchSession is one seeded store with the server running on it.
type benchSession struct {
	o        benchOptions
	app      *Product
	d        *benchDistrict
	server   *fiber.App
	addr     string
	client   *benchHTTP
	admin    string
	reviewer string
	issuers  []string // client tokens, one per issuing institution
	stdout   io.Writer
	stderr   io.Writer
	applyAt  atomic.Int64
}

// benchRun seeds one district and measures it.
func (c Command) run(ctx context.Context, o benchOptions, phases benchPhases, stdout, stderr io.Writer) ([]measurement, error) {
	scratch, err := c.Scratch(ctx, o.store)
	if err != nil {
		return nil, err
	}
	defer scratch.Remove()
	app, err := scratch.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { app.Close() }()
	adminPassword := auth.RandomPassword()
	if _, err := app.Service.EnsureAdmin(ctx, adminPassword); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "creditbank bench: %d learners × %d outcomes, %d rules, %d connections, %s per measurement, GOMAXPROCS=%d, store %s\n",
		o.learners, o.perLearner, o.rules, o.conns, o.duration, runtime.GOMAXPROCS(0), scratch.Label)
	heavy := o.heavy
	if phases != benchAll {
		heavy = 0
	}
	seedStart := time.Now()
	d, err := seedBenchDistrict(ctx, app.Service, o.learners, o.perLearner, o.rules, heavy, stderr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "seeded %d outcomes in %s\n", o.learners*o.perLearner+heavy, time.Since(seedStart).Round(time.Millisecond))
	reviewerPassword := auth.RandomPassword()
	if _, err := app.Service.CreateStaff(ctx, service.System, service.Op{}, d.converter.ID, service.StaffInput{
		Username: "bench.reviewer", Password: reviewerPassword, Perms: []string{"review"}}); err != nil {
		return nil, err
	}

	var results []measurement
	// Store baselines, before the server adds any load of its own.
	sample, err := app.Store.GetAccount(ctx, d.learners[len(d.learners)/2].ID)
	if err != nil {
		return nil, err
	}
	storeBase, err := benchStoreBaselines(ctx, app.Store, sample, o, stderr)
	if err != nil {
		return nil, err
	}
	results = append(results, storeBase...)
	constBase, err := benchConstantHandler(ctx, o)
	if err != nil {
		return nil, err
	}
	results = append(results, constBase)

	s := &benchSession{o: o, app: app, d: d, stdout: stdout, stderr: stderr}
	if err := s.start(adminPassword, reviewerPassword); err != nil {
		return nil, err
	}
	defer func() { s.server.Shutdown() }()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	endpoints, err := s.measureEndpoints(ctx, phases)
	results = append(results, endpoints...)
	if err != nil {
		return results, err
	}
	if phases != benchAll {
		return withRatios(results), nil
	}
	if o.importRows > 0 && o.wants("import") {
		m, err := s.measureImport(ctx)
		if err != nil {
			return results, err
		}
		results = append(results, m)
	}
	s.server.Shutdown()
	app.Close()
	startup, err := benchStartup(ctx, scratch)
	if err != nil {
		return results, err
	}
	results = append(results, startup, peakRSS())
	return withRatios(results), nil
}

// Baseline names, referred to by the measurements they bound.
const (
	baseCAS1     = "baseline: store CAS write, 1 per transaction"
	baseCAS100   = "baseline: store CAS write, 100 per transaction"
	baseRead     = "baseline: store point read"
	baseConstant = "baseline: Fiber handler returning a constant"
)

// wants reports whether --only selects the endpoint (no --only: all).
func (o benchOptions) wants(endpoint string) bool {
	if o.only == "" {
		return true
	}
	for _, e := range strings.Split(o.only, ",") {
		if strings.TrimSpace(e) == endpoint {
			return true
		}
	}
	return false
}

// withRatios fills each measurement's ratio to its baseline's rate.
func withRatios(ms []measurement) []measurement {
	rates := map[string]float64{}
	for _, m := range ms {
		rates[m.Name] = m.RPS
	}
	for i := range ms {
		if b := rates[ms[i].Baseline]; b > 0 && ms[i].Baseline != "" {
			ms[i].Ratio = ms[i].RPS / b
		}
	}
	return ms
}

// rawDocs is a scratch collection of account-sized documents on which the
// bench measures what the store itself can do, with no product code around
// it: compare-and-swap writes, one or many per transaction, and point reads
// by key, at the same durability settings as the product's own writes.
type rawDocs interface {
	CAS(ctx context.Context, i int) error
	CASBatch(ctx context.Context, is []int) error
	Read(ctx context.Context, i int) error
	// Close drops the scratch collection.
	Close(ctx context.Context) error
}

// rawBaseline makes docs copies of sample's document in the store's
// scratch collection. Only the concrete adapters offer one, to the bench
// alone: it is no part of the storage port.
func rawBaseline(ctx context.Context, store storage.Accounts, sample *domain.Account, docs int) (rawDocs, error) {
	var raw rawDocs
	var err error
	switch s := store.(type) {
	case *sqlite.Store:
		raw, err = s.RawBaseline(ctx, sample, docs)
	case *mongo.Store:
		raw, err = s.RawBaseline(ctx, sample, docs)
	default:
		return nil, fmt.Errorf("bench: a %T offers no raw baseline", store)
	}
	if err != nil {
		return nil, err
	}
	return raw, nil
}

func benchStoreBaselines(ctx context.Context, store storage.Accounts, sample *domain.Account, o benchOptions, stderr io.Writer) ([]measurement, error) {
	docs := min(o.learners, 10000)
	fmt.Fprintf(stderr, "baselines: %d raw documents of %d outcomes\n", docs, len(sample.Outcomes))
	raw, err := rawBaseline(ctx, store, sample, docs)
	if err != nil {
		return nil, err
	}
	defer raw.Close(context.WithoutCancel(ctx))
	one := runLoad(ctx, baseCAS1, o.conns, o.duration, nil, func(w *loadWorker) error {
		return raw.CAS(ctx, w.rand.IntN(docs))
	})
	// Batches run on one worker: the point is one transaction of 100
	// distinct documents (a document twice in one batch is not what a
	// group commit carries, and FerretDB stalls on it).
	perBatch := min(100, docs)
	batch := runLoad(ctx, baseCAS100, 1, o.duration, nil, func(w *loadWorker) error {
		start := w.rand.IntN(docs)
		ids := make([]int, perBatch)
		for i := range ids {
			ids[i] = (start + i) % docs
		}
		return raw.CASBatch(ctx, ids)
	})
	batch.Ops *= perBatch
	batch.RPS *= float64(perBatch)
	batch.CPUUsPerOp /= float64(perBatch)
	batch.Note = fmt.Sprintf("latency is per transaction of %d", perBatch)
	read := runLoad(ctx, baseRead, o.conns, o.duration, nil, func(w *loadWorker) error {
		return raw.Read(ctx, w.rand.IntN(docs))
	})
	return []measurement{one, batch, read}, nil
}

// benchConstantHandler measures the HTTP stack alone: Fiber answering a
// constant, driven by the same client and connection count.
func benchConstantHandler(ctx context.Context, o benchOptions) (measurement, error) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/const", func(c *fiber.Ctx) error { return c.SendString(`{"status":"ok"}`) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return measurement{}, err
	}
	go func() { _ = app.Listener(ln) }()
	defer app.Shutdown()
	client := newBenchHTTP(ln.Addr().String(), o.conns)
	return runLoad(ctx, baseConstant, o.conns, o.duration, client, func(w *loadWorker) error {
		_, err := w.http.expect(200, "GET", "/const", "", nil)
		return err
	}), nil
}

// start runs the product's HTTP handler on a loopback port and signs in
// the admin, the reviewer and each issuing institution's API client.
func (s *benchSession) start(adminPassword, reviewerPassword string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.server = s.app.Handler()
	go func() { _ = s.server.Listener(ln) }()
	s.addr = ln.Addr().String()
	s.client = newBenchHTTP(s.addr, s.o.conns)
	login := func(path string, body any) (string, error) {
		raw, _ := json.Marshal(body)
		out, err := s.client.expect(200, "POST", path, "", raw)
		if err != nil {
			return "", err
		}
		var pair struct {
			AccessToken string `json:"accessToken"`
		}
		return pair.AccessToken, json.Unmarshal(out, &pair)
	}
	if s.admin, err = login("/api/v1/auth/login", map[string]string{"username": "admin", "password": adminPassword}); err != nil {
		return err
	}
	if s.reviewer, err = login("/api/v1/auth/login", map[string]string{"username": "bench.reviewer", "password": reviewerPassword}); err != nil {
		return err
	}
	for _, iss := range s.d.issuers {
		tok, err := login("/api/v1/auth/token", map[string]string{"clientId": iss.ClientID, "clientSecret": iss.Secret})
		if err != nil {
			return err
		}
		s.issuers = append(s.issuers, tok)
	}
	return nil
}

// load runs one endpoint's measurement if --only selects it.
func (s *benchSession) load(ctx context.Context, endpoint, name string, conns int, d time.Duration, client *benchHTTP, op func(w *loadWorker) error) measurement {
	if !s.o.wants(endpoint) {
		return measurement{}
	}
	g0, w0 := s.writeGroups()
	m := runLoad(ctx, name, conns, d, client, op)
	if g1, w1 := s.writeGroups(); g1 > g0 {
		m.Note = fmt.Sprintf("%d store commits carried %d writes (%.1f per commit)", g1-g0, w1-w0, float64(w1-w0)/float64(g1-g0))
	}
	return m
}

// writeGroups reads the store's group-commit counters, where it has them.
func (s *benchSession) writeGroups() (groups, writes int64) {
	if g, ok := s.app.Store.(interface{ WriteGroups() (int64, int64) }); ok {
		return g.WriteGroups()
	}
	return 0, 0
}

// learnerToken signs a learner in the way a login would, without paying
// for a password hash per learner.
func (s *benchSession) learnerToken(l benchLearner) (string, error) {
	tok, _, err := s.app.Tokens.Issue(auth.Principal{Role: domain.RoleLearner, Subject: l.ID})
	return tok, err
}

// measureEndpoints drives each endpoint for the run's duration.
func (s *benchSession) measureEndpoints(ctx context.Context, phases benchPhases) ([]measurement, error) {
	o, d := s.o, s.d
	var out []measurement
	add := func(m measurement, baseline string) error {
		if m.Ops == 0 {
			return nil // not selected by --only
		}
		m.Baseline = baseline
		out = append(out, m)
		fmt.Fprintf(s.stderr, "  %-45s %8.0f/s  p99 %7.1f ms  errors %d\n", m.Name, m.RPS, m.P99Ms, m.Errors)
		if m.firstErr != nil {
			fmt.Fprintf(s.stderr, "    first error: %v\n", m.firstErr)
		}
		return nil
	}
	fmt.Fprintln(s.stderr, "measuring endpoints over HTTP")

	var issued atomic.Int64
	issue := s.load(ctx, "issue", "issue outcome (POST /outcomes)", o.conns, o.duration, s.client, func(w *loadWorker) error {
		k := w.rand.IntN(len(d.issuers))
		iss := d.issuers[k]
		l := d.learners[w.rand.IntN(len(d.learners))]
		// A course code of its own: never a duplicate of an outcome banked before.
		in := benchOutcome(w.rand, iss.Categories[w.rand.IntN(len(iss.Categories))], 10000+int(issued.Add(1)), time.Now())
		body, _ := json.Marshal(map[string]any{
			"learner":  map[string]string{"nationalId": l.NationalID, "name": l.Name},
			"category": in.Category, "title": in.Title, "courseCode": in.CourseCode, "hours": in.Hours,
			"result": map[string]any{"score": *in.Result.Score}, "completedOn": in.CompletedOn.Format("2006-01-02"),
			"level": in.Level, "expiresOn": datePtr(in.ExpiresOn),
		})
		key := domain.NewID().String()
		return w.timeIt(func() error {
			_, err := w.http.expect(201, "POST", "/api/v1/outcomes", s.issuers[k], body, "Idempotency-Key", key)
			return err
		})
	})
	add(issue, baseCAS100)

	tokens := make([]string, min(len(d.learners), 5000))
	for i := range tokens {
		tok, err := s.learnerToken(d.learners[(i*7919)%len(d.learners)])
		if err != nil {
			return out, err
		}
		tokens[i] = tok
	}
	read := s.load(ctx, "record", "read own record (GET /learners/me/record)", o.conns, o.duration, s.client, func(w *loadWorker) error {
		_, err := w.http.expect(200, "GET", "/api/v1/learners/me/record", tokens[w.rand.IntN(len(tokens))], nil)
		return err
	})
	add(read, baseConstant)
	if phases == benchPointOnly {
		return out, nil
	}

	if d.heavy.ID != uuid.Nil {
		tok, err := s.learnerToken(d.heavy)
		if err != nil {
			return out, err
		}
		heavy := s.load(ctx, "heavy", fmt.Sprintf("read own record, %d outcomes (1 conn)", o.heavy), 1, min(o.duration, 5*time.Second), s.client, func(w *loadWorker) error {
			_, err := w.http.expect(200, "GET", "/api/v1/learners/me/record", tok, nil)
			return err
		})
		add(heavy, baseConstant)
	}

	preview := s.load(ctx, "preview", "preview conversion (POST /conversions/preview)", o.conns, o.duration, s.client, func(w *loadWorker) error {
		r := d.rules[w.rand.IntN(len(d.rules))]
		body, _ := json.Marshal(map[string]string{"ruleId": r.ID.String()})
		_, err := w.http.expect(200, "POST", "/api/v1/conversions/preview", tokens[w.rand.IntN(len(tokens))], body)
		return err
	})
	add(preview, baseConstant)

	apply := s.load(ctx, "apply", "apply + approve (POST /conversions, /approve)", o.conns, o.duration, s.client, func(w *loadWorker) error {
		n := int(s.applyAt.Add(1) - 1)
		if n >= len(d.learners)*d.applyable {
			return errors.New("every learner has applied for every apply rule; use more learners or a shorter duration")
		}
		l := d.learners[n%len(d.learners)]
		r := d.rules[n/len(d.learners)]
		tok, err := s.learnerToken(l)
		if err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]string{"ruleId": r.ID.String()})
		return w.timeIt(func() error {
			out, err := w.http.expect(201, "POST", "/api/v1/conversions", tok, body, "Idempotency-Key", domain.NewID().String())
			if err != nil {
				return err
			}
			var conv struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(out, &conv); err != nil {
				return err
			}
			_, err = w.http.expect(200, "POST", "/api/v1/conversions/"+conv.ID+"/approve", s.reviewer, []byte(`{"note":"核对无误"}`))
			return err
		})
	})
	add(apply, baseCAS100)

	cursors := make([]string, o.conns)
	list := s.load(ctx, "list", "institution outcomes, paged (GET /institutions/me/outcomes)", o.conns, o.duration, s.client, func(w *loadWorker) error {
		path := "/api/v1/institutions/me/outcomes?limit=50"
		if c := cursors[w.id]; c != "" {
			path += "&cursor=" + c
		}
		out, err := w.http.expect(200, "GET", path, s.issuers[w.id%len(s.issuers)], nil)
		if err != nil {
			return err
		}
		var page struct {
			NextCursor string `json:"nextCursor"`
		}
		err = json.Unmarshal(out, &page)
		cursors[w.id] = page.NextCursor
		return err
	})
	add(list, baseConstant)

	stats := s.load(ctx, "stats", "district statistics (GET /stats)", min(o.conns, 4), o.duration, s.client, func(w *loadWorker) error {
		_, err := w.http.expect(200, "GET", "/api/v1/stats", s.admin, nil)
		return err
	})
	add(stats, baseConstant)
	return out, nil
}

func datePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

// measureImport uploads a CSV of importRows rows (existing learners, new
// outcomes) and times 202 → job done.
func (s *benchSession) measureImport(ctx context.Context) (measurement, error) {
	var buf bytes.Buffer
	buf.WriteString("nationalId,name,category,title,courseCode,hours,score,completedOn\n")
	r := newBenchRand(99)
	now := time.Now()
	for i := 0; i < s.o.importRows; i++ {
		l := s.d.learners[r.IntN(len(s.d.learners))]
		in := benchOutcome(r, domain.CategoryCommunity, i, now)
		fmt.Fprintf(&buf, "%s,%s,%s,%s,IMP-%d,%g,%g,%s\n", l.NationalID, l.Name, in.Category, in.Title, i, in.Hours, *in.Result.Score, in.CompletedOn.Format("2006-01-02"))
	}
	fmt.Fprintf(s.stderr, "importing %d CSV rows (%.1f MB)\n", s.o.importRows, float64(buf.Len())/(1<<20))
	cpu0, io0 := processCPU(), processIO()
	g0, w0 := s.writeGroups()
	start := time.Now()
	out, err := s.client.expect(202, "POST", "/api/v1/outcomes/import", s.issuers[0], buf.Bytes(), "Content-Type", "text/csv")
	if err != nil {
		return measurement{}, err
	}
	var job struct {
		ID     string `json:"id"`
		State  string `json:"state"`
		Total  int    `json:"total"`
		Done   int    `json:"done"`
		OK     int    `json:"ok"`
		Failed int    `json:"failed"`
	}
	if err := json.Unmarshal(out, &job); err != nil {
		return measurement{}, err
	}
	bar := newProgressBar(s.stderr, "import", s.o.importRows)
	for job.State != "done" && job.State != "failed" {
		select {
		case <-ctx.Done():
			return measurement{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		out, err := s.client.expect(200, "GET", "/api/v1/imports/"+job.ID, s.issuers[0], nil)
		if err != nil {
			return measurement{}, err
		}
		if err := json.Unmarshal(out, &job); err != nil {
			return measurement{}, err
		}
		bar.set(job.Done)
	}
	bar.finish()
	elapsed := time.Since(start)
	m := summarise(fmt.Sprintf("CSV import, %d rows (202 → done)", s.o.importRows), []time.Duration{elapsed}, elapsed)
	m.Ops, m.RPS = job.Total, float64(job.OK)/elapsed.Seconds()
	m.CPUUsPerOp = float64((processCPU() - cpu0).Microseconds()) / float64(max(1, job.Total))
	m.Errors = job.Failed
	m.Baseline = baseCAS100
	m.Note = fmt.Sprintf("%.1f s end to end; rate is rows/s", elapsed.Seconds())
	if g1, w1 := s.writeGroups(); g1 > g0 {
		m.Note += fmt.Sprintf("; %d store commits carried %d writes (%.1f per commit)", g1-g0, w1-w0, float64(w1-w0)/float64(g1-g0))
	}
	if io := processIO().since(io0); io.reads+io.writes > 0 {
		rows := float64(max(1, job.Total))
		m.Note += fmt.Sprintf("; per row %.1f file reads and %.1f writes (%.1f kB written)",
			float64(io.reads)/rows, float64(io.writes)/rows, float64(io.writtenBytes)/rows/1024)
	}
	if job.State != "done" {
		m.Errors = max(1, m.Errors)
	}
	return m, nil
}

// benchStartup reopens the seeded store as a server start would and times
// it until /healthz answers.
func benchStartup(ctx context.Context, scratch *Scratch) (measurement, error) {
	start := time.Now()
	app, err := scratch.Open(ctx)
	if err != nil {
		return measurement{}, err
	}
	defer app.Close()
	if _, err := app.Service.EnsureAdmin(ctx, auth.RandomPassword()); err != nil {
		return measurement{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return measurement{}, err
	}
	server := app.Handler()
	go func() { _ = server.Listener(ln) }()
	defer server.Shutdown()
	client := newBenchHTTP(ln.Addr().String(), 1)
	if _, err := client.expect(200, "GET", "/healthz", "", nil); err != nil {
		return measurement{}, err
	}
	elapsed := time.Since(start)
	m := summarise("start-up on the seeded store (open → /healthz 200)", []time.Duration{elapsed}, elapsed)
	m.Note = "target ≤ 1 s"
	return m, nil
}

// peakRSS reports the process's peak resident set (Linux VmHWM), which
// covers seeding, the server and the load generator together.
func peakRSS() measurement {
	m := measurement{Name: "peak RSS of the whole bench process (MB)"}
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		m.Note = "unavailable on this system"
		return m
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			m.Ops = int(kb / 1024)
			m.Note = fmt.Sprintf("%.0f MB; target ≤ 400 MB", kb/1024)
		}
	}
	return m
}

// GrowthSize is one store the growth measurement seeds.
type GrowthSize struct{ Learners, OutcomesPerLearner int }

// GrowthSizes are 10 000, 100 000 and 1 000 000 outcomes at 10 per learner,
// then 5, 50 and 500 outcomes per learner.
var GrowthSizes = []GrowthSize{{1000, 10}, {10000, 10}, {100000, 10}, {2000, 5}, {2000, 50}, {2000, 500}}

// growth measures point operations on stores of growing size and on
// learners of growing record length.
func (c Command) growth(ctx context.Context, o benchOptions, stdout, stderr io.Writer) ([]measurement, error) {
	sizes := c.Sizes
	if sizes == nil {
		sizes = GrowthSizes
	}
	var out []measurement
	for _, sz := range sizes {
		run := o
		run.learners, run.perLearner = sz.Learners, sz.OutcomesPerLearner
		ms, err := c.run(ctx, run, benchPointOnly, stdout, stderr)
		if err != nil {
			return out, err
		}
		label := fmt.Sprintf(" @ %d outcomes, %d per learner", sz.Learners*sz.OutcomesPerLearner, sz.OutcomesPerLearner)
		for _, m := range ms {
			if strings.HasPrefix(m.Name, "baseline: store CAS write, 100") || strings.HasPrefix(m.Name, "baseline: Fiber") ||
				strings.HasPrefix(m.Name, "issue") || strings.HasPrefix(m.Name, "read") {
				m.Name += label
				m.Baseline += label
				out = append(out, m)
			}
		}
	}
	return withRatios(out), nil
}

func printMeasurements(w io.Writer, ms []measurement) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "measurement\tops\trate/s\tp50 ms\tp99 ms\tmax ms\terrors\tratio\tCPU µs/op\t")
	for _, m := range ms {
		ratio := ""
		if m.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f", m.Ratio)
		}
		cpu := ""
		if m.CPUUsPerOp > 0 {
			cpu = fmt.Sprintf("%.0f", m.CPUUsPerOp)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%d\t%s\t%s\t\n", m.Name, m.Ops, m.RPS, m.P50Ms, m.P99Ms, m.MaxMs, m.Errors, ratio, cpu)
	}
	tw.Flush()
	for _, m := range ms {
		if m.Baseline != "" || m.Note != "" {
			fmt.Fprintf(w, "  %s: ", m.Name)
			if m.Baseline != "" {
				fmt.Fprintf(w, "ratio to %q", m.Baseline)
			}
			if m.Note != "" {
				fmt.Fprintf(w, " (%s)", m.Note)
			}
			fmt.Fprintln(w)
		}
	}
}
