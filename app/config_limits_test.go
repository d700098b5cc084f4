package main

import (
	"flag"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestOverloadLimitsFromEnvironmentAndFlags(t *testing.T) {
	parse := func(t *testing.T, env map[string]string, args ...string) (Config, error) {
		t.Helper()
		for k, v := range env {
			t.Setenv(k, v)
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return loadConfig(fs, args)
	}
	t.Run("unset means the HTTP layer's defaults", func(t *testing.T) {
		cfg, err := parse(t, nil)
		if err != nil || cfg.Limits != (Limits{}) {
			t.Fatalf("limits %+v, err %v; want zero values", cfg.Limits, err)
		}
	})
	t.Run("environment, then flags", func(t *testing.T) {
		cfg, err := parse(t, map[string]string{
			"CREDITBANK_MAX_INFLIGHT": "32", "CREDITBANK_MAX_QUEUE": "8", "CREDITBANK_QUEUE_WAIT": "250ms",
			"CREDITBANK_MAX_CONNS": "200", "CREDITBANK_READ_TIMEOUT": "10s", "CREDITBANK_WRITE_TIMEOUT": "20s",
			"CREDITBANK_IDLE_TIMEOUT": "1m", "CREDITBANK_MAX_CONNS_PER_IP": "16", "CREDITBANK_HEADER_TIMEOUT": "3s",
			"CREDITBANK_MAX_PASSWORD_CHECKS": "3", "CREDITBANK_LOGIN_BURST": "40", "CREDITBANK_LOGIN_INTERVAL": "500ms",
		}, "--max-inflight", "64", "--max-conns-per-ip", "24", "--login-burst", "30")
		want := Limits{MaxInFlight: 64, MaxQueue: 8, QueueWait: 250 * time.Millisecond, MaxConns: 200,
			MaxConnsPerAddr: 24, HeaderTimeout: 3 * time.Second, MaxPasswordChecks: 3,
			LoginBurst: 30, LoginInterval: 500 * time.Millisecond,
			ReadTimeout: 10 * time.Second, WriteTimeout: 20 * time.Second, IdleTimeout: time.Minute}
		if err != nil || cfg.Limits != want {
			t.Fatalf("limits %+v, err %v; want %+v", cfg.Limits, err, want)
		}
	})
	t.Run("metrics listener and log format", func(t *testing.T) {
		cfg, err := parse(t, nil)
		if err != nil || cfg.MetricsAddr != "" || cfg.LogFormat != "json" {
			t.Fatalf("defaults: metrics %q, log format %q, err %v; want no metrics listener, json", cfg.MetricsAddr, cfg.LogFormat, err)
		}
		cfg, err = parse(t, map[string]string{"CREDITBANK_METRICS_ADDR": "127.0.0.1:9090", "CREDITBANK_LOG_FORMAT": "text"})
		if err != nil || cfg.MetricsAddr != "127.0.0.1:9090" || cfg.LogFormat != "text" {
			t.Fatalf("metrics %q, log format %q, err %v", cfg.MetricsAddr, cfg.LogFormat, err)
		}
	})
	for _, bad := range []struct{ name, value string }{
		{"CREDITBANK_MAX_INFLIGHT", "lots"},
		{"CREDITBANK_MAX_CONNS", "-1"},
		{"CREDITBANK_READ_TIMEOUT", "30"},
		{"CREDITBANK_MAX_CONNS_PER_IP", "many"},
		{"CREDITBANK_HEADER_TIMEOUT", "-5s"},
		{"CREDITBANK_MAX_PASSWORD_CHECKS", "-2"},
		{"CREDITBANK_LOGIN_BURST", "a classroom"},
		{"CREDITBANK_LOGIN_INTERVAL", "-1s"},
		{"CREDITBANK_LOG_FORMAT", "xml"},
	} {
		t.Run("rejects "+bad.name+"="+bad.value, func(t *testing.T) {
			_, err := parse(t, map[string]string{bad.name: bad.value})
			if err == nil || !strings.Contains(err.Error(), bad.name) {
				t.Fatalf("err = %v, want one naming %s", err, bad.name)
			}
		})
	}
}

// TestLoginLimitsReachTheServer: the configured sign-in burst is the one
// the served API applies (here 2 attempts, refilled hourly).
func TestLoginLimitsReachTheServer(t *testing.T) {
	cfg := Config{Addr: "127.0.0.1:0", Store: seededStore(t), Audience: "creditbank", Issuer: "http://creditbank.test",
		LogLevel: "error", Limits: Limits{LoginBurst: 2, LoginInterval: time.Hour}}
	ctx := t.Context()
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	h := app.httpHandler()
	var got []int
	for range 3 {
		req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(`{"username":"nobody","password":"wrong-password-1"}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := h.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.StatusCode)
	}
	if got[0] != 401 || got[1] != 401 || got[2] != 429 {
		t.Fatalf("three sign-ins with a burst of 2: %v, want [401 401 429]", got)
	}
}
