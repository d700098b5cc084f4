// Package probe replays, against a running bank, the attacks that an
// outside security test found, and reports for each whether it still works.
// It only talks HTTP (and raw TCP for slow senders), so it checks a real
// deployment, not the code; the set-up it needs is the demo district.
package probe

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Config says where the bank is and how to sign in to the demo district.
type Config struct {
	BaseURL string
	// MetricsURL, when set, is the private /metrics address; the
	// decompression check then also reads the process's memory from it.
	MetricsURL      string
	AdminPassword   string
	StaffPassword   string
	LearnerPassword string
	// Only, when not empty, runs just these finding numbers.
	Only []int
	// FloodAddresses is how many source addresses the login flood uses.
	FloodAddresses int
}

// DemoConfig is the configuration for a `--demo` server at base.
func DemoConfig(base string) Config {
	return Config{BaseURL: base, AdminPassword: "demo-admin-2026", StaffPassword: "demo-staff-2026",
		LearnerPassword: "demo-learner-2026", FloodAddresses: 150}
}

// Verdict is what one check concluded.
type Verdict string

const (
	Fixed   Verdict = "fixed"   // the attack no longer works
	Open    Verdict = "OPEN"    // the attack still works
	Skipped Verdict = "skipped" // cannot be tried from here (e.g. not on loopback)
	Failed  Verdict = "error"   // the check could not run (set-up failed)
)

// Result is one finding's check.
type Result struct {
	Finding int
	Title   string
	Verdict Verdict
	Detail  string
	Took    time.Duration
}

type check struct {
	finding int
	title   string
	run     func(ctx context.Context, p *prober) (Verdict, string, error)
}

var checks = []check{
	{1, "decompression bomb on anonymous routes", checkDecompressionBomb},
	{2, "sessions survive a password change, reset or claim", checkSessionsEnd},
	{3, "rule simulation shows learners' outcomes", checkSimulationAggregatesOnly},
	{4, "slow senders exhaust the connections", checkSlowloris},
	{5, "wrong passwords from many addresses lock a user out", checkTargetedLockout},
	{6, "look-alike usernames reach a user in a fresh bucket", checkUsernameNormalisation},
	{7, "a manager grants permissions they do not hold", checkManagerGrantsOnlyOwn},
	{8, "suspension then reactivation revives old tokens", checkSuspensionEndsTokens},
	{9, "naming a helper tells unclaimed accounts apart", checkHelperAnswersAlike},
	{10, "outcome dated before the learner's birth", checkOutcomeBeforeBirth},
	{11, "common passwords accepted", checkCommonPasswords},
	{12, "a login flood starves signed-in users", checkLoginFlood},
	{13, "credits out of proportion to hours", checkCreditsBoundedByHours},
}

// prober holds what the checks share.
type prober struct {
	cfg Config
	// loopback says the bank listens on this machine's loopback range, so
	// checks may speak from other 127.x addresses.
	loopback bool
	main     *client
	seq      int
}

// Run tries every finding (or those in cfg.Only) in order.
func Run(ctx context.Context, cfg Config) []Result {
	u, err := url.Parse(cfg.BaseURL)
	p := &prober{cfg: cfg, main: newClient(cfg.BaseURL, "")}
	defer p.main.close()
	if err == nil {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsLoopback() && ip.To4() != nil {
			p.loopback = true
		}
	}
	var out []Result
	for _, c := range checks {
		if !selected(cfg.Only, c.finding) {
			continue
		}
		start := time.Now()
		v, detail, err := c.run(ctx, p)
		if err != nil {
			v, detail = Failed, err.Error()
		}
		out = append(out, Result{Finding: c.finding, Title: c.title, Verdict: v, Detail: detail, Took: time.Since(start)})
	}
	return out
}

func selected(only []int, n int) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if o == n {
			return true
		}
	}
	return false
}

// source returns a loopback source address not used by an earlier check,
// so per-address limits of one check do not spill into another.
func (p *prober) source() string {
	p.seq++
	return fmt.Sprintf("127.0.%d.%d", 10+p.seq/250, 1+p.seq%250)
}

// fresh is a client from an unused address when the bank is on loopback,
// otherwise the shared one.
func (p *prober) fresh() *client {
	if !p.loopback {
		return p.main
	}
	return newClient(p.cfg.BaseURL, p.source())
}
