package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Config is read once, from the environment with flags overriding it.
type Config struct {
	Addr           string
	Store          string
	MasterKey      string
	AdminPassword  string
	Issuer         string
	Audience       string
	TrustedProxies []string
	CORSOrigins    []string
	Demo           bool
	LogLevel       string

	// mongoDatabase overrides the URI's database; the bench uses it for a
	// scratch database it drops afterwards.
	mongoDatabase string
}

const defaultStore = "sqlite:./data/creditbank.db"

// loadConfig reads CREDITBANK_* variables, then the command's flags.
func loadConfig(fs *flag.FlagSet, args []string) (Config, error) {
	cfg := Config{
		Addr:           envOr("CREDITBANK_ADDR", "127.0.0.1:8080"),
		Store:          envOr("CREDITBANK_STORE", defaultStore),
		MasterKey:      os.Getenv("CREDITBANK_MASTER_KEY"),
		AdminPassword:  os.Getenv("CREDITBANK_ADMIN_PASSWORD"),
		Issuer:         os.Getenv("CREDITBANK_ISSUER"),
		Audience:       envOr("CREDITBANK_AUDIENCE", "creditbank"),
		TrustedProxies: splitList(os.Getenv("CREDITBANK_TRUSTED_PROXIES")),
		CORSOrigins:    splitList(os.Getenv("CREDITBANK_CORS_ORIGINS")),
		LogLevel:       envOr("CREDITBANK_LOG_LEVEL", "info"),
	}
	var proxies, origins string
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CREDITBANK_ADDR)")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "sqlite:PATH or mongodb://… (CREDITBANK_STORE)")
	fs.StringVar(&cfg.Issuer, "issuer", cfg.Issuer, "JWT issuer and public base URL (CREDITBANK_ISSUER)")
	fs.StringVar(&proxies, "trusted-proxies", strings.Join(cfg.TrustedProxies, ","), "comma-separated proxy addresses trusted for X-Forwarded-For")
	fs.StringVar(&origins, "cors-origins", strings.Join(cfg.CORSOrigins, ","), "comma-separated browser origins allowed to call the API")
	fs.BoolVar(&cfg.Demo, "demo", false, "seed a demo district and print its logins")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.TrustedProxies, cfg.CORSOrigins = splitList(proxies), splitList(origins)
	if cfg.Issuer == "" {
		cfg.Issuer = "http://" + cfg.Addr
	}
	if _, _, err := cfg.storeKind(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// storeKind splits CREDITBANK_STORE into "sqlite" + path or "mongodb" + URI.
func (c Config) storeKind() (kind, target string, err error) {
	switch {
	case strings.HasPrefix(c.Store, "sqlite:"):
		path := strings.TrimPrefix(c.Store, "sqlite:")
		if path == "" {
			return "", "", errors.New("CREDITBANK_STORE sqlite: needs a file path")
		}
		return "sqlite", path, nil
	case strings.HasPrefix(c.Store, "mongodb://"), strings.HasPrefix(c.Store, "mongodb+srv://"):
		return "mongodb", c.Store, nil
	}
	return "", "", fmt.Errorf("CREDITBANK_STORE must be sqlite:PATH or a mongodb:// URI")
}

// masterKeyFile is where the SQLite store keeps its generated master key;
// MongoDB deployments must pass the key in the environment.
func (c Config) masterKeyFile() string {
	kind, path, _ := c.storeKind()
	if kind != "sqlite" {
		return ""
	}
	return filepath.Join(filepath.Dir(path), "master.key")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
