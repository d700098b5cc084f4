package main

import (
	"context"
	"creditbank/app/bench"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// benchCommand is `creditbank bench` on this binary's own wiring.
func benchCommand() bench.Command { return bench.Command{Scratch: benchScratch} }

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return benchCommand().Run(ctx, args, stdout, stderr)
}

// benchScratch prepares the store a bench run seeds: a fresh SQLite file in
// a temporary directory, or a fresh database on the named MongoDB, with a
// master key of its own.
func benchScratch(ctx context.Context, target string) (*bench.Scratch, error) {
	cfg, remove, err := benchConfig(ctx, target)
	if err != nil {
		return nil, err
	}
	open := func(ctx context.Context) (*bench.Product, error) {
		app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			return nil, err
		}
		return &bench.Product{Service: app.svc, Store: app.store, Tokens: app.tokens, Handler: app.httpHandler, Close: app.Close}, nil
	}
	return &bench.Scratch{Label: storeLabel(cfg), Open: open, Remove: remove}, nil
}

// benchConfig is the configuration of a scratch store; remove deletes it.
func benchConfig(ctx context.Context, target string) (cfg Config, remove func(), err error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return cfg, nil, err
	}
	cfg = Config{Audience: "creditbank", Issuer: "http://bench.local", MasterKey: base64.StdEncoding.EncodeToString(key),
		// The load comes from one loopback address standing for many
		// clients: the per-address connection cap would refuse it.
		Limits: Limits{MaxConnsPerAddr: 1 << 20}}
	switch {
	case target == "":
		dir, err := os.MkdirTemp("", "creditbank-bench-")
		if err != nil {
			return cfg, nil, err
		}
		cfg.Store = "sqlite:" + filepath.Join(dir, "bench.db")
		return cfg, func() { os.RemoveAll(dir) }, nil
	case strings.HasPrefix(target, "sqlite:"):
		cfg.Store = target
		if _, err := os.Stat(strings.TrimPrefix(target, "sqlite:")); err == nil {
			return cfg, nil, fmt.Errorf("bench: %s exists; name a new file", target)
		}
		return cfg, func() {}, nil
	default:
		cfg.Store = target
		cfg.mongoDatabase = "creditbank_bench_" + strconv.FormatInt(time.Now().UnixNano(), 36)
		return cfg, func() {
			store, err := openStore(context.WithoutCancel(ctx), cfg)
			if err == nil {
				if d, ok := store.(interface{ Drop(context.Context) error }); ok {
					_ = d.Drop(context.WithoutCancel(ctx))
				}
				store.Close()
			}
		}, nil
	}
}
