package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

func init() { commands["bench"] = cmdBench }

// cmdBench measures the product's hot paths on a scratch store (a fresh
// SQLite file in a temporary directory unless --store names another, which
// must then be empty): deposits one by one and concurrently, record reads,
// rule evaluation, and a district-wide simulation with its memory use.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	learners := fs.Int("learners", 2000, "learners to create")
	perLearner := fs.Int("outcomes", 10, "outcomes deposited per learner")
	workers := fs.Int("workers", 8, "concurrent depositors")
	store := fs.String("store", "", "store to use (default: a scratch SQLite file)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := Config{Store: *store, Audience: "creditbank", Issuer: "http://bench.local"}
	if cfg.Store == "" {
		dir, err := os.MkdirTemp("", "creditbank-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.Store = "sqlite:" + filepath.Join(dir, "bench.db")
	}
	if cfg.MasterKey == "" {
		cfg.MasterKey = os.Getenv("CREDITBANK_MASTER_KEY")
	}
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return err
	}
	defer app.Close()
	b := &bench{svc: app.svc, store: app.store, out: stdout}
	return b.run(ctx, *learners, *perLearner, *workers)
}

type bench struct {
	svc   *service.Service
	store storage.Store
	out   io.Writer
	rows  [][]string
}

func (b *bench) run(ctx context.Context, learners, perLearner, workers int) error {
	fmt.Fprintf(b.out, "creditbank bench: %d learners × %d outcomes, %d workers, GOMAXPROCS=%d\n",
		learners, perLearner, workers, runtime.GOMAXPROCS(0))
	inst, err := b.svc.CreateInstitution(ctx, service.System, domain.InstitutionInput{
		Name: "压测学院", Kind: "community_college", Capabilities: []string{"issue", "convert"}, Categories: []string{"community"}})
	if err != nil {
		return err
	}
	issuer := service.Actor{Role: domain.RoleClient, ID: domain.NewID(), InstitutionID: inst.Institution.ID}
	ids := make([]string, learners)
	for i := range ids {
		id, err := domain.CompleteNationalID(fmt.Sprintf("110105198%01d%02d%02d%03d", i%10, 1+i/1000%12, 1+i%28, i%1000))
		if err != nil {
			return err
		}
		ids[i] = string(id)
	}
	issue := func(learner, n int) error {
		in := domain.OutcomeInput{Category: "community", Title: fmt.Sprintf("课程 %d", n), CourseCode: fmt.Sprintf("B-%d", n),
			Hours: float64(16 * (1 + n%3)), CompletedOn: time.Date(2024, 1+time.Month(n%12), 1, 0, 0, 0, 0, time.UTC)}
		score := 85.0
		in.Result.Score = &score
		_, err := b.svc.IssueOutcome(ctx, issuer, service.IssueInput{NationalID: ids[learner], Name: "学员", Outcome: in})
		return err
	}

	// 1. Sequential deposits: the first opens each account.
	lat, elapsed, err := timed(learners, 1, func(i int) error { return issue(i, 0) })
	if err != nil {
		return err
	}
	b.row("deposit, new learner (sequential)", learners, elapsed, lat)

	// 2. Concurrent deposits to existing accounts, several per account at once.
	total := learners * (perLearner - 1)
	if total > 0 {
		lat, elapsed, err = timed(total, workers, func(i int) error { return issue(i%learners, 1+i/learners) })
		if err != nil {
			return err
		}
		b.row(fmt.Sprintf("deposit, existing learner (%d workers)", workers), total, elapsed, lat)
	}

	// 3. Record reads: load the account and compute its balance.
	accounts := make([]*domain.Account, 0, learners)
	if err := b.store.ScanAccounts(ctx, func(a *domain.Account) error { accounts = append(accounts, a); return nil }); err != nil {
		return err
	}
	lat, elapsed, err = timed(len(accounts), workers, func(i int) error {
		a, err := b.svc.Record(ctx, service.Actor{Role: domain.RoleLearner, ID: accounts[i].ID}, accounts[i].ID)
		if err == nil {
			_ = a.Balance(time.Now())
			err = a.VerifyLedger()
		}
		return err
	})
	if err != nil {
		return err
	}
	b.row("record read + balance + ledger check", len(accounts), elapsed, lat)

	// 4. Pure rule evaluation.
	rule, err := b.svc.CreateRule(ctx, service.System, domain.Rule{
		Code: "BENCH-EXEMPT", Name: "压测规则", InstitutionID: inst.Institution.ID, Purpose: domain.PurposeExemption,
		Target:          domain.RuleTarget{CourseCode: "X-101", Credits: 2},
		Condition:       domain.Group{Op: domain.OpAll, Items: []domain.Item{{Match: &domain.Match{Category: domain.CategoryCommunity}}}},
		MinTotalCredits: 4, Award: domain.Award{Mode: domain.AwardFixed, Credits: 2}, Exclusive: true,
		Approval: domain.ApprovalManual, EffectiveFrom: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		return err
	}
	now := time.Now()
	lat, elapsed, err = timed(len(accounts), 1, func(i int) error {
		domain.Evaluate(rule, accounts[i], now)
		return nil
	})
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("Evaluate (%d outcomes per account)", perLearner), len(accounts), elapsed, lat)
	accounts = nil

	// 5. District-wide simulation, streaming over the store.
	runtime.GC()
	peak := trackHeap()
	start := time.Now()
	sim, err := b.svc.SimulateRule(ctx, service.System, rule.ID)
	if err != nil {
		return err
	}
	elapsed = time.Since(start)
	heap := peak()
	b.row(fmt.Sprintf("simulate over all accounts (%d eligible)", sim.Eligible), sim.Evaluated, elapsed, nil)
	b.print()
	fmt.Fprintf(b.out, "simulation peak heap: %.1f MiB for %d accounts\n", float64(heap)/(1<<20), sim.Evaluated)
	return nil
}

// timed runs fn for 0..n-1 on workers goroutines and returns each call's latency.
func timed(n, workers int, fn func(i int) error) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, n)
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err })
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return lat, time.Since(start), firstErr
}

// trackHeap samples the heap until the returned function is called, which
// reports the peak seen.
func trackHeap() func() uint64 {
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			mu.Lock()
			peak = max(peak, ms.HeapAlloc)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

func (b *bench) row(name string, n int, elapsed time.Duration, lat []time.Duration) {
	p50, p99 := "", ""
	if len(lat) > 0 {
		s := slices.Clone(lat)
		slices.Sort(s)
		p50 = s[len(s)/2].Round(time.Microsecond).String()
		p99 = s[len(s)*99/100].Round(time.Microsecond).String()
	}
	rate := float64(n) / elapsed.Seconds()
	b.rows = append(b.rows, []string{name, fmt.Sprint(n), elapsed.Round(time.Millisecond).String(), fmt.Sprintf("%.0f/s", rate), p50, p99})
}

func (b *bench) print() {
	tw := tabwriter.NewWriter(b.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "operation\tn\ttime\trate\tp50\tp99")
	for _, r := range b.rows {
		for i, c := range r {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
