// Command creditbank runs the Lifelong Learning Credit Bank (终身学习学分银行):
// the HTTP API and web UI (serve, the default), and the operator commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// command is one subcommand: how it is called, the line the usage text
// gives it, and what runs it.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is every subcommand, in the order the usage text lists them.
var commands = []command{
	{"serve", "", "run the HTTP API and web UI (default); --demo seeds a demo district", cmdServe},
	{"export", "[FILE]", "write every record as JSON lines (stdout if no FILE)", cmdExport},
	{"import", "FILE", "load an export into an empty store (--force: into a non-empty one)", cmdImport},
	{"backup", "FILE", "consistent copy of a SQLite store while it keeps serving", cmdBackup},
	{"keys", "rotate", "add a new token-signing key; old tokens stay valid until they expire", cmdKeys},
	{"audit", "verify", "check the audit log's hash chain; exits 1 naming the first bad entry", cmdAudit},
	{"verify", "FILE", "check a signed transcript", cmdVerify},
	{"bench", "", "measure deposit, record and evaluation throughput on a scratch store", cmdBench},
}

// usage lists the commands.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: creditbank [command] [flags]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-15s%s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	b.WriteString("\nConfiguration comes from CREDITBANK_* environment variables; flags override them.\n")
	return b.String()
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		fmt.Fprint(stdout, usage())
		return 0
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.name == name })
	if i < 0 {
		fmt.Fprintf(stderr, "creditbank: unknown command %q\n\n%s", name, usage())
		return 2
	}
	cmd := commands[i].run
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd(ctx, args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ee exitCoder
		if errors.As(err, &ee) {
			fmt.Fprintln(stderr, "creditbank:", ee.Error())
			return ee.ExitCode()
		}
		fmt.Fprintln(stderr, "creditbank:", err)
		return 1
	}
	return 0
}

// exitError carries a specific exit status (e.g. a failed verification).
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }
func (e exitError) ExitCode() int { return e.code }

// exitCoder is an error that ends the process with a status of its own,
// whichever package the command lives in.
type exitCoder interface {
	error
	ExitCode() int
}

// newLogger writes JSON lines (one object per event, for log collectors)
// unless format is "text".
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// commandConfig parses a command's flags over the environment's settings;
// extra adds the command's own flags.
func commandConfig(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	cfg, err := loadConfig(fs, args)
	return cfg, fs, err
}

// openFromArgs parses flags common to every command and opens the product.
func openFromArgs(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (*application, *flag.FlagSet, error) {
	cfg, fs, err := commandConfig(name, args, stderr, extra)
	if err != nil {
		return nil, fs, err
	}
	app, err := openApplication(ctx, cfg, newLogger(stderr, cfg.LogLevel, cfg.LogFormat), nil)
	return app, fs, err
}
