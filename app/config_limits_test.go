package main

import (
	"flag"
	"io"
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
			"CREDITBANK_MAX_PASSWORD_CHECKS": "3",
		}, "--max-inflight", "64", "--max-conns-per-ip", "24")
		want := Limits{MaxInFlight: 64, MaxQueue: 8, QueueWait: 250 * time.Millisecond, MaxConns: 200,
			MaxConnsPerAddr: 24, HeaderTimeout: 3 * time.Second, MaxPasswordChecks: 3,
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
