package main

import (
	"context"
	"testing"
	"time"

	"creditbank/app/securitycheck/probe"
)

// TestSecurityFindingsDoNotReproduceOnDemo replays every finding of the
// outside security test against the whole product serving the demo district,
// as `go run ./app/securitycheck` does against a running --demo server.
func TestSecurityFindingsDoNotReproduceOnDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and opens hundreds of connections")
	}
	base, _ := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	results := probe.Run(ctx, probe.DemoConfig(base))
	if len(results) != 13 {
		t.Fatalf("ran %d checks, want all 13", len(results))
	}
	for _, r := range results {
		t.Logf("%2d %-7s %s: %s (%.1fs)", r.Finding, r.Verdict, r.Title, r.Detail, r.Took.Seconds())
		if r.Verdict != probe.Fixed {
			t.Errorf("finding %d (%s) %s: %s", r.Finding, r.Title, r.Verdict, r.Detail)
		}
	}
}
