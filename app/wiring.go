package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"creditbank/app/api"
	"creditbank/app/metrics"
	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/auth/vc"
	"creditbank/frontend"
	"creditbank/storage"
	"creditbank/storage/mongo"
	"creditbank/storage/sqlite"
)

// application is the wired product: one store, one key set, one service.
type application struct {
	cfg    Config
	log    *slog.Logger
	store  storage.Store
	vault  *auth.Vault
	keys   *auth.KeySet
	creds  *auth.CredentialKeys
	tokens *auth.TokenService
	svc    *service.Service
	// registry gathers the metrics (its own, not the process-wide default
	// one); metricsLn, when set, is the private listener serving them.
	registry  *prometheus.Registry
	metrics   *metrics.Metrics
	metricsLn net.Listener
}

func openStore(ctx context.Context, cfg Config) (storage.Store, error) {
	kind, target, err := cfg.storeKind()
	if err != nil {
		return nil, err
	}
	if kind == "sqlite" {
		return sqlite.Open(ctx, target)
	}
	if cfg.mongoDatabase != "" {
		return mongo.Open(ctx, target, mongo.WithDatabase(cfg.mongoDatabase))
	}
	return mongo.Open(ctx, target)
}

// openApplication opens the store and the keys. now may be nil (real time).
func openApplication(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time) (*application, error) {
	if now == nil {
		now = time.Now
	}
	master, err := auth.LoadMasterKey(cfg.MasterKey, cfg.masterKeyFile())
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	older, err := cfg.olderMasterKeys()
	if err != nil {
		return nil, err
	}
	vault, err := auth.NewVault(master, older...)
	if err != nil {
		return nil, err
	}
	return openWithVault(ctx, cfg, log, now, vault)
}

// olderMasterKeys is the key a rotation is moving away from, if any.
func (c Config) olderMasterKeys() ([][]byte, error) {
	if c.MasterKeyOld == "" {
		return nil, nil
	}
	old, err := auth.DecodeMasterKey(c.MasterKeyOld)
	if err != nil {
		return nil, fmt.Errorf("CREDITBANK_MASTER_KEY_OLD: %w", err)
	}
	return [][]byte{old}, nil
}

// openWithVault opens the store and the keys with a vault already made.
func openWithVault(ctx context.Context, cfg Config, log *slog.Logger, now func() time.Time, vault *auth.Vault) (*application, error) {
	if now == nil {
		now = time.Now
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	keys, err := auth.LoadKeySet(ctx, store, vault, now)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	did, err := vc.DIDWeb(cfg.Issuer)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("issuer DID from %s: %w", cfg.Issuer, err)
	}
	creds, err := auth.LoadCredentialKeys(ctx, store, vault, did, now)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("credential keys: %w", err)
	}
	tokens := auth.NewTokenService(cfg.Issuer, cfg.Audience, keys, now)
	transcripts := auth.NewTranscriptSigner(cfg.Issuer, keys, now)
	registry := prometheus.NewRegistry()
	m := metrics.New(registry)
	if sq, ok := store.(*sqlite.Store); ok {
		sq.ObserveCommits(m)
	}
	svc := service.New(store, vault, tokens, service.Config{Now: now, Logger: log, Transcripts: transcripts,
		Credentials: creds, IssuerProfile: cfg.IssuerProfile, Imports: m})
	return &application{cfg: cfg, log: log, store: store, vault: vault, keys: keys, creds: creds, tokens: tokens, svc: svc,
		registry: registry, metrics: m}, nil
}

func (a *application) httpHandler() *fiber.App {
	return api.New(a.svc, a.tokens, a.keys, api.Config{
		TrustedProxies:    a.cfg.TrustedProxies,
		CORSOrigins:       a.cfg.CORSOrigins,
		Logger:            a.log,
		UI:                frontend.Files(),
		Metrics:           a.metrics,
		MaxInFlight:       a.cfg.Limits.MaxInFlight,
		MaxQueue:          a.cfg.Limits.MaxQueue,
		QueueWait:         a.cfg.Limits.QueueWait,
		MaxConns:          a.cfg.Limits.MaxConns,
		MaxPasswordChecks: a.cfg.Limits.MaxPasswordChecks,
		MaxConnsPerAddr:   a.cfg.Limits.MaxConnsPerAddr,
		HeaderTimeout:     a.cfg.Limits.HeaderTimeout,
		ReadTimeout:       a.cfg.Limits.ReadTimeout,
		WriteTimeout:      a.cfg.Limits.WriteTimeout,
		IdleTimeout:       a.cfg.Limits.IdleTimeout,
		LoginBurst:        float64(a.cfg.Limits.LoginBurst),
		LoginRate:         perSecond(a.cfg.Limits.LoginInterval),
	})
}

func (a *application) Close() error { return a.store.Close() }

// perSecond is the rate of one event per interval; 0 (unset) stays 0, the
// HTTP layer's default.
func perSecond(interval time.Duration) float64 {
	if interval <= 0 {
		return 0
	}
	return 1 / interval.Seconds()
}
