// Package ferrettest gives tests a real MongoDB wire-protocol server without
// Docker: FerretDB v1 embedded in the test process on a loopback port, backed
// by SQLite files in a temporary directory. When CREDITBANK_TEST_MONGODB_URI is
// set, Targets also yields that real MongoDB so the same tests run on both.
package ferrettest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// EnvMongoURI names the variable that adds a real MongoDB to Targets.
const EnvMongoURI = "CREDITBANK_TEST_MONGODB_URI"

// Target is one server the Mongo tests run against.
type Target struct {
	Name string // "ferretdb" or "mongodb"; used as the subtest name
	URI  string // mongodb:// URI without a database path
}

// server is shared by every test of one test binary: starting FerretDB costs
// far more than a database, so tests isolate themselves by database name.
var server struct {
	once   sync.Once
	uri    string
	err    error
	dir    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Main wraps testing.M so the shared server stops and its files are removed
// after the last test: use it as `func TestMain(m *testing.M) { ferrettest.Main(m) }`.
// The cleanups run after the tests too (Main exits, so deferred calls in
// TestMain would not).
func Main(m *testing.M, cleanups ...func()) {
	code := m.Run()
	for _, cleanup := range cleanups {
		cleanup()
	}
	stop()
	os.Exit(code)
}

// Start returns the URI of the test binary's embedded FerretDB, starting it on
// first use. It fails the test if the server cannot start.
func Start(t testing.TB) string {
	t.Helper()
	server.once.Do(start)
	if server.err != nil {
		t.Fatalf("start embedded FerretDB: %v", server.err)
	}
	return server.uri
}

// Targets lists the servers to run Mongo tests against: always the embedded
// FerretDB, plus a real MongoDB when CREDITBANK_TEST_MONGODB_URI is set.
func Targets(t testing.TB) []Target {
	t.Helper()
	out := []Target{{Name: "ferretdb", URI: Start(t)}}
	if u := strings.TrimSpace(os.Getenv(EnvMongoURI)); u != "" {
		out = append(out, Target{Name: "mongodb", URI: u})
	}
	return out
}

// DatabaseName returns a fresh database name for one test, so tests sharing a
// server never see each other's data. MongoDB limits names to 63 bytes and
// forbids some characters, hence the short sanitised prefix.
func DatabaseName(t testing.TB) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("random database name: %v", err)
	}
	prefix := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, t.Name())
	if len(prefix) > 40 {
		prefix = prefix[len(prefix)-40:]
	}
	return "t_" + prefix + "_" + hex.EncodeToString(b[:])
}

// logger is silent unless CREDITBANK_FERRETDB_LOG=1: FerretDB logs every
// connection, which buries test output, but its log is the only place a
// server-side failure (a dropped connection) is explained.
func logger() *slog.Logger {
	if os.Getenv("CREDITBANK_FERRETDB_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func start() {
	dir, err := os.MkdirTemp("", "ferrettest-")
	if err != nil {
		server.err = err
		return
	}
	server.dir = dir
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger(),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		server.err = fmt.Errorf("configure: %w", err)
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	server.cancel = cancel
	server.done = make(chan struct{})
	go func() {
		defer close(server.done)
		_ = f.Run(ctx)
	}()
	// MongoDBURI blocks until the listener is bound, so the port is known here.
	server.uri = f.MongoDBURI()
	server.err = waitListening(server.uri)
}

// waitListening dials the server until it accepts connections: binding and
// serving are separate steps inside FerretDB.
func waitListening(uri string) error {
	host := strings.TrimSuffix(strings.TrimPrefix(uri, "mongodb://"), "/")
	var last error
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", host, time.Second)
		if err == nil {
			return c.Close()
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("FerretDB at %s never accepted connections: %w", host, last)
}

func stop() {
	if server.cancel != nil {
		server.cancel()
		<-server.done
	}
	if server.dir != "" {
		_ = os.RemoveAll(server.dir)
	}
}
