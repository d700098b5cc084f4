package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"creditbank/app/service"
)

// Config is read once, from the environment with flags overriding it.
type Config struct {
	Addr string
	// MetricsAddr is the private listener for GET /metrics; empty: none.
	MetricsAddr    string
	Store          string
	MasterKey      string
	MasterKeyOld   string // the key a rotation is moving away from: what it sealed still opens
	AdminPassword  string
	Issuer         string
	IssuerProfile  service.IssuerProfile // how credentials name the bank
	Audience       string
	TrustedProxies []string
	CORSOrigins    []string
	Demo           bool
	LogLevel       string
	LogFormat      string // json (default) or text
	Limits         Limits

	// mongoDatabase overrides the URI's database; the bench uses it for a
	// scratch database it drops afterwards.
	mongoDatabase string
}

// Limits protect the server from overload; zero values take the HTTP
// layer's defaults (api.Default*).
type Limits struct {
	MaxInFlight int           // requests served at once
	MaxQueue    int           // more requests waiting for a slot
	QueueWait   time.Duration // longest wait in that queue before 503
	MaxConns    int           // open connections
	// MaxPasswordChecks are password-hashing requests served at once,
	// outside MaxInFlight (0: one per CPU).
	MaxPasswordChecks int
	// MaxConnsPerAddr are open connections from one peer address
	// (trusted proxies exempt).
	MaxConnsPerAddr int
	HeaderTimeout   time.Duration // to receive a request's headers
	ReadTimeout     time.Duration // to receive a whole request
	WriteTimeout    time.Duration // to send a response
	IdleTimeout     time.Duration // an idle keep-alive connection
	// LoginBurst sign-in attempts an address (and a username at it) may
	// make at once, refilled one per LoginInterval: a classroom behind one
	// address may need more than the default.
	LoginBurst    int
	LoginInterval time.Duration
}

const defaultStore = "sqlite:./data/creditbank.db"

// loadConfig reads CREDITBANK_* variables, then the command's flags.
func loadConfig(fs *flag.FlagSet, args []string) (Config, error) {
	cfg := Config{
		Addr:          envOr("CREDITBANK_ADDR", "127.0.0.1:8080"),
		MetricsAddr:   os.Getenv("CREDITBANK_METRICS_ADDR"),
		Store:         envOr("CREDITBANK_STORE", defaultStore),
		MasterKey:     os.Getenv("CREDITBANK_MASTER_KEY"),
		MasterKeyOld:  os.Getenv("CREDITBANK_MASTER_KEY_OLD"),
		AdminPassword: os.Getenv("CREDITBANK_ADMIN_PASSWORD"),
		Issuer:        os.Getenv("CREDITBANK_ISSUER"),
		IssuerProfile: service.IssuerProfile{
			Name:        envOr("CREDITBANK_ISSUER_NAME", service.DefaultIssuerProfile.Name),
			NameEn:      envOr("CREDITBANK_ISSUER_NAME_EN", service.DefaultIssuerProfile.NameEn),
			URL:         os.Getenv("CREDITBANK_ISSUER_URL"),
			Street:      os.Getenv("CREDITBANK_ISSUER_STREET"),
			Locality:    os.Getenv("CREDITBANK_ISSUER_LOCALITY"),
			Region:      os.Getenv("CREDITBANK_ISSUER_REGION"),
			PostalCode:  os.Getenv("CREDITBANK_ISSUER_POSTAL_CODE"),
			CountryCode: envOr("CREDITBANK_ISSUER_COUNTRY", service.DefaultIssuerProfile.CountryCode),
		},
		Audience:       envOr("CREDITBANK_AUDIENCE", "creditbank"),
		TrustedProxies: splitList(os.Getenv("CREDITBANK_TRUSTED_PROXIES")),
		CORSOrigins:    splitList(os.Getenv("CREDITBANK_CORS_ORIGINS")),
		LogLevel:       envOr("CREDITBANK_LOG_LEVEL", "info"),
		LogFormat:      envOr("CREDITBANK_LOG_FORMAT", "json"),
	}
	var err error
	lim := &cfg.Limits
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"CREDITBANK_MAX_INFLIGHT", &lim.MaxInFlight},
		{"CREDITBANK_MAX_QUEUE", &lim.MaxQueue},
		{"CREDITBANK_MAX_CONNS", &lim.MaxConns},
		{"CREDITBANK_MAX_PASSWORD_CHECKS", &lim.MaxPasswordChecks},
		{"CREDITBANK_MAX_CONNS_PER_IP", &lim.MaxConnsPerAddr},
		{"CREDITBANK_LOGIN_BURST", &lim.LoginBurst},
	} {
		if *v.dst, err = envInt(v.name); err != nil {
			return cfg, err
		}
	}
	for _, v := range []struct {
		name string
		dst  *time.Duration
	}{
		{"CREDITBANK_QUEUE_WAIT", &lim.QueueWait},
		{"CREDITBANK_HEADER_TIMEOUT", &lim.HeaderTimeout},
		{"CREDITBANK_READ_TIMEOUT", &lim.ReadTimeout},
		{"CREDITBANK_WRITE_TIMEOUT", &lim.WriteTimeout},
		{"CREDITBANK_IDLE_TIMEOUT", &lim.IdleTimeout},
		{"CREDITBANK_LOGIN_INTERVAL", &lim.LoginInterval},
	} {
		if *v.dst, err = envDuration(v.name); err != nil {
			return cfg, err
		}
	}
	fs.IntVar(&lim.MaxInFlight, "max-inflight", lim.MaxInFlight, "requests served at once; more wait briefly, then get 503 (CREDITBANK_MAX_INFLIGHT)")
	fs.IntVar(&lim.MaxQueue, "max-queue", lim.MaxQueue, "requests waiting for a slot (CREDITBANK_MAX_QUEUE)")
	fs.DurationVar(&lim.QueueWait, "queue-wait", lim.QueueWait, "longest wait for a slot (CREDITBANK_QUEUE_WAIT)")
	fs.IntVar(&lim.MaxPasswordChecks, "max-password-checks", lim.MaxPasswordChecks, "sign-ins and other password hashing at once, apart from --max-inflight; 0 is one per CPU (CREDITBANK_MAX_PASSWORD_CHECKS)")
	fs.IntVar(&lim.MaxConns, "max-conns", lim.MaxConns, "open connections (CREDITBANK_MAX_CONNS)")
	fs.IntVar(&lim.MaxConnsPerAddr, "max-conns-per-ip", lim.MaxConnsPerAddr, "open connections from one address, trusted proxies exempt (CREDITBANK_MAX_CONNS_PER_IP)")
	fs.DurationVar(&lim.HeaderTimeout, "header-timeout", lim.HeaderTimeout, "time to receive a request's headers (CREDITBANK_HEADER_TIMEOUT)")
	fs.DurationVar(&lim.ReadTimeout, "read-timeout", lim.ReadTimeout, "time to receive a request (CREDITBANK_READ_TIMEOUT)")
	fs.DurationVar(&lim.WriteTimeout, "write-timeout", lim.WriteTimeout, "time to send a response (CREDITBANK_WRITE_TIMEOUT)")
	fs.DurationVar(&lim.IdleTimeout, "idle-timeout", lim.IdleTimeout, "idle keep-alive connection (CREDITBANK_IDLE_TIMEOUT)")
	fs.IntVar(&lim.LoginBurst, "login-burst", lim.LoginBurst, "sign-in attempts an address may make at once; 0 is 10 (CREDITBANK_LOGIN_BURST)")
	fs.DurationVar(&lim.LoginInterval, "login-interval", lim.LoginInterval, "one more sign-in attempt per address every this long; 0 is 1s (CREDITBANK_LOGIN_INTERVAL)")
	var proxies, origins string
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (CREDITBANK_ADDR)")
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "private listen address for GET /metrics, e.g. 127.0.0.1:9090; empty: no metrics listener (CREDITBANK_METRICS_ADDR)")
	fs.StringVar(&cfg.Store, "store", cfg.Store, "sqlite:PATH or mongodb://… (CREDITBANK_STORE)")
	fs.StringVar(&cfg.Issuer, "issuer", cfg.Issuer, "JWT issuer and public base URL (CREDITBANK_ISSUER)")
	fs.StringVar(&proxies, "trusted-proxies", strings.Join(cfg.TrustedProxies, ","), "comma-separated proxy addresses trusted for X-Forwarded-For")
	fs.StringVar(&origins, "cors-origins", strings.Join(cfg.CORSOrigins, ","), "comma-separated browser origins allowed to call the API")
	fs.BoolVar(&cfg.Demo, "demo", false, "seed a demo district and print its logins")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "debug, info, warn or error")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "json or text (CREDITBANK_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	cfg.TrustedProxies, cfg.CORSOrigins = splitList(proxies), splitList(origins)
	if cfg.LogFormat != "json" && cfg.LogFormat != "text" {
		return cfg, fmt.Errorf("CREDITBANK_LOG_FORMAT must be json or text, not %q", cfg.LogFormat)
	}
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

// envInt reads a non-negative integer; unset is 0 (the default applies).
func envInt(name string) (int, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s must be a whole number ≥ 0, not %q", name, raw)
	}
	return n, nil
}

// envDuration reads a Go duration ("30s", "1m"); unset is 0 (the default
// applies).
func envDuration(name string) (time.Duration, error) {
	raw := os.Getenv(name)
	if raw == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s must be a duration such as 30s or 2m, not %q", name, raw)
	}
	return d, nil
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
