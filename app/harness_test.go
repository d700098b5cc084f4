package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

// startServer runs the whole product (on a fresh copy of the demo district,
// which it bootstraps again as a restart on demo data would)
// on a loopback port and returns its base URL.
func startServer(t *testing.T) (string, *application) {
	t.Helper()
	return startServerWith(t, nil)
}

// startServerWith is startServer with a hook that may adjust the wired
// application before it serves.
func startServerWith(t *testing.T, adjust func(*application)) (string, *application) {
	t.Helper()
	return startServerConfigured(t, nil, adjust)
}

// startServerConfigured is startServerWith with a hook that may first
// change the configuration (limits, …) the application is opened with.
func startServerConfigured(t *testing.T, configure func(*Config), adjust func(*application)) (string, *application) {
	t.Helper()
	cfg := Config{
		Addr:     "127.0.0.1:0",
		Store:    seededStore(t),
		Audience: "creditbank",
		Issuer:   "http://creditbank.test",
		Demo:     true,
		LogLevel: "error",
	}
	if configure != nil {
		configure(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		cancel()
		t.Fatalf("open application: %v", err)
	}
	if err := app.bootstrap(ctx, io.Discard); err != nil {
		cancel()
		t.Fatalf("bootstrap: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if adjust != nil {
		adjust(app)
	}
	done := make(chan error, 1)
	go func() { done <- app.serve(ctx, ln, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("server did not stop")
		}
		app.Close()
	})
	return "http://" + ln.Addr().String(), app
}
