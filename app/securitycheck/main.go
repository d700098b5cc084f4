// Command securitycheck replays the findings of the outside security test
// against a running bank started with --demo, and exits 1 if any attack
// still works:
//
//	go run ./app --demo &
//	go run ./app/securitycheck -url http://127.0.0.1:8080
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"creditbank/app/securitycheck/probe"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the bank's base URL (a --demo server)")
	metrics := flag.String("metrics", "", "its private metrics URL, e.g. http://127.0.0.1:9090/metrics (adds a memory reading to the decompression check)")
	only := flag.String("only", "", "comma-separated finding numbers to run (default: all)")
	flood := flag.Int("flood-addresses", 150, "source addresses for the login flood")
	flag.Parse()

	cfg := probe.DemoConfig(*base)
	cfg.MetricsURL = *metrics
	cfg.FloodAddresses = *flood
	for _, s := range strings.Split(*only, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			cfg.Only = append(cfg.Only, n)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	results := probe.Run(ctx, cfg)
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tverdict\tfinding\tdetail")
	bad := 0
	for _, r := range results {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s (%.1fs)\n", r.Finding, r.Verdict, r.Title, r.Detail, r.Took.Seconds())
		if r.Verdict == probe.Open || r.Verdict == probe.Failed {
			bad++
		}
	}
	_ = tw.Flush()
	if bad > 0 {
		fmt.Printf("%d of %d checks found the attack still working or could not run\n", bad, len(results))
		os.Exit(1)
	}
	fmt.Printf("none of %d findings reproduced\n", len(results))
}
