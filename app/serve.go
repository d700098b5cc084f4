package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"creditbank/app/metrics"
	"creditbank/auth"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app, _, err := openFromArgs(ctx, "serve", args, stderr, nil)
	if err != nil {
		return err
	}
	defer app.Close()
	if err := app.bootstrap(ctx, stdout); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", app.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", app.cfg.Addr, err)
	}
	if app.cfg.MetricsAddr != "" {
		if app.metricsLn, err = net.Listen("tcp", app.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("metrics: listen on %s: %w", app.cfg.MetricsAddr, err)
		}
	}
	return app.serve(ctx, ln, stdout)
}

// bootstrap creates the first admin and, with --demo, the demo district.
func (a *application) bootstrap(ctx context.Context, stdout io.Writer) error {
	password := a.cfg.AdminPassword
	generated := false
	if password == "" {
		if a.cfg.Demo {
			password = demoAdminPassword
		} else {
			password, generated = auth.RandomPassword(), true
		}
	}
	created, err := a.svc.EnsureAdmin(ctx, password)
	if err != nil {
		return fmt.Errorf("create admin: %w", err)
	}
	if created && generated {
		// Printed once to the operator's terminal, never logged.
		fmt.Fprintf(stdout, "Created user admin with password: %s\nSet CREDITBANK_ADMIN_PASSWORD to choose it yourself; this is shown only once.\n", password)
	}
	if a.cfg.Demo {
		logins, err := seedDemo(ctx, a.svc)
		if err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
		printDemoLogins(stdout, logins, a.cfg.AdminPassword == "")
	}
	return nil
}

// serve runs the HTTP server until ctx ends, then drains requests.
func (a *application) serve(ctx context.Context, ln net.Listener, stdout io.Writer) error {
	handler := a.httpHandler()
	// The epoch outlives ctx (the signal) until requests have drained: it
	// keeps their idempotency reservations from being taken over meanwhile.
	epochCtx, endEpoch := context.WithCancel(context.WithoutCancel(ctx))
	epochDone, err := a.svc.BeginEpoch(epochCtx, instanceName(ln))
	if err != nil {
		endEpoch()
		return fmt.Errorf("record process start: %w", err)
	}
	var epochOnce sync.Once
	stopEpoch := func() {
		epochOnce.Do(func() {
			endEpoch()
			<-epochDone
		})
	}
	defer stopEpoch()
	go a.keys.RunReloader(ctx, time.Minute)
	go a.creds.RunReloader(ctx, time.Minute)
	// Public notices end on the clock, not on a request: a minute's delay
	// before a conversion is final is well within a notice of days.
	go a.svc.RunNoticeSweeps(ctx, time.Minute)
	conns := newSilentListener(ln)
	errc := make(chan error, 1)
	go func() { errc <- handler.Listener(conns) }()
	fmt.Fprintf(stdout, "Credit bank listening on http://%s (store: %s)\n", ln.Addr(), storeLabel(a.cfg))
	a.log.Info("listening", "addr", ln.Addr().String())
	if a.metricsLn != nil {
		stopMetrics := a.serveMetrics(stdout)
		defer stopMetrics()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	// New connections are refused at once; requests in flight get
	// shutdownGrace to finish.
	shutDown := make(chan struct{})
	go conns.closeSilentUntil(shutDown, 100*time.Millisecond)
	err = handler.ShutdownWithTimeout(shutdownGrace)
	close(shutDown)
	// Imports stop after the row in hand and record exactly how far they
	// got: a 50 000-row file would otherwise hold the exit for minutes.
	a.svc.StopImports()
	stopEpoch()
	// Every write is done: fold the WAL into the database file, so that
	// what is left behind is one self-contained file.
	if cp, ok := a.store.(checkpointer); ok {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		if cerr := cp.Checkpoint(cctx); cerr != nil {
			a.log.Error("checkpoint at shutdown failed", "err", cerr)
			err = errors.Join(err, cerr)
		}
		cancel()
	}
	a.log.Info("stopped")
	return err
}

// serveMetrics serves GET /metrics on the private listener until the
// returned function is called. The public listener never serves them: they
// tell an attacker how loaded the bank is and when to strike.
func (a *application) serveMetrics(stdout io.Writer) (stop func()) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(a.registry))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute}
	go func() {
		if err := srv.Serve(a.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics listener stopped", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "Metrics on http://%s/metrics\n", a.metricsLn.Addr())
	a.log.Info("serving metrics", "addr", a.metricsLn.Addr().String())
	return func() { _ = srv.Close() }
}

// shutdownGrace bounds how long a SIGTERM waits for requests in flight.
const shutdownGrace = 10 * time.Second

// checkpointer is a store with a write-ahead log to fold in at exit (SQLite).
type checkpointer interface {
	Checkpoint(ctx context.Context) error
}

// instanceName names the slot this process serves in: the host and the
// address it listens on, which no other live process on the host can hold.
// A process that finds its instance's earlier epochs knows they are dead.
func instanceName(ln net.Listener) string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return host + "/" + ln.Addr().String()
}

// storeLabel names the store without any credentials in a MongoDB URI.
func storeLabel(cfg Config) string {
	kind, target, _ := cfg.storeKind()
	if kind == "sqlite" {
		return "sqlite " + target
	}
	return "mongodb"
}
