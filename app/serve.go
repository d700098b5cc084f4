package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

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
	go a.keys.RunReloader(ctx, time.Minute)
	errc := make(chan error, 1)
	go func() { errc <- handler.Listener(ln) }()
	fmt.Fprintf(stdout, "Credit bank listening on http://%s (store: %s)\n", ln.Addr(), storeLabel(a.cfg))
	a.log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	err := handler.ShutdownWithTimeout(10 * time.Second)
	// Let running imports finish their rows; progress is saved as they go.
	a.svc.WaitForImports()
	return err
}

// storeLabel names the store without any credentials in a MongoDB URI.
func storeLabel(cfg Config) string {
	kind, target, _ := cfg.storeKind()
	if kind == "sqlite" {
		return "sqlite " + target
	}
	return "mongodb"
}
