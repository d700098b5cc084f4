package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"creditbank/storage/sqlite"
)

// TestGracefulShutdown: on SIGTERM the server stops accepting connections,
// finishes the request in flight, checkpoints SQLite and exits 0.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	srv := newChildServer(t, buildBinary(t, dir), dir)
	srv.start()
	c := newAPIClient(srv.base)
	d := setUpDistrict(t, c, 0)

	// A request in flight: headers and half the body sent, the rest held
	// back until the server has begun shutting down.
	body, err := json.Marshal(outcomeRequest(testNationalID(t, 1), "王秀兰", "社区插花"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/outcomes HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		srv.addr, d.staff, len(body))
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}

	// Give the server a moment to read the headers: until it has, the
	// connection is new rather than in flight, and shutting down may close
	// it (on a loaded machine the server can be that far behind).
	time.Sleep(300 * time.Millisecond)
	if err := srv.cmd.Process.Signal(sigterm); err != nil {
		t.Fatal(err)
	}
	// Shutdown has begun once new connections are refused.
	deadline := time.Now().Add(shutdownGrace)
	for {
		probe, err := net.DialTimeout("tcp", srv.addr, time.Second)
		if err != nil {
			break
		}
		probe.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepts connections after SIGTERM")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-srv.exited:
		t.Fatal("server exited with a request in flight")
	default:
	}

	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("finish the request: %v", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("response to the in-flight request: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request answered %d, want 201", res.StatusCode)
	}
	select {
	case <-srv.exited:
	case <-time.After(2 * shutdownGrace):
		t.Fatal("server did not exit after the request finished")
	}
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	if fi, err := os.Stat(srv.db + "-wal"); err == nil && fi.Size() != 0 {
		t.Fatalf("WAL holds %d bytes after shutdown, want it checkpointed and truncated", fi.Size())
	} else if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}

	store, err := sqlite.Open(context.Background(), srv.db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, outcomes := checkLedgers(t, store); outcomes != 1 {
		t.Fatalf("store holds %d outcomes after shutdown, want the in-flight one", outcomes)
	}
}

// TestShutdownIsNotHeldBySilentConnections: a client that opens connections
// and never sends on them (Go's HTTP client leaves such spares when a
// request it dialled for went out on another connection) must not keep a
// SIGTERM from finishing cleanly; they carry no request.
func TestShutdownIsNotHeldBySilentConnections(t *testing.T) {
	dir := t.TempDir()
	srv := newChildServer(t, buildBinary(t, dir), dir)
	srv.start()
	for range 3 {
		conn, err := net.Dial("tcp", srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
	}
	// A used keep-alive connection stays open beside them.
	res, err := http.Get(srv.base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if code := srv.terminate(3 * shutdownGrace); code != 0 {
		t.Fatalf("exit code %d on SIGTERM with silent connections open, want 0", code)
	}
}
