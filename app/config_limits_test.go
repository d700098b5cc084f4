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
			"CREDITBANK_IDLE_TIMEOUT": "1m",
		}, "--max-inflight", "64")
		want := Limits{MaxInFlight: 64, MaxQueue: 8, QueueWait: 250 * time.Millisecond, MaxConns: 200,
			ReadTimeout: 10 * time.Second, WriteTimeout: 20 * time.Second, IdleTimeout: time.Minute}
		if err != nil || cfg.Limits != want {
			t.Fatalf("limits %+v, err %v; want %+v", cfg.Limits, err, want)
		}
	})
	for _, bad := range []struct{ name, value string }{
		{"CREDITBANK_MAX_INFLIGHT", "lots"},
		{"CREDITBANK_MAX_CONNS", "-1"},
		{"CREDITBANK_READ_TIMEOUT", "30"},
	} {
		t.Run("rejects "+bad.name+"="+bad.value, func(t *testing.T) {
			_, err := parse(t, map[string]string{bad.name: bad.value})
			if err == nil || !strings.Contains(err.Error(), bad.name) {
				t.Fatalf("err = %v, want one naming %s", err, bad.name)
			}
		})
	}
}
