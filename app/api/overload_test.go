package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"creditbank/app/api"
	"creditbank/auth"
	"creditbank/storage/storetest"
)

// newOverloadEnv serves the API on a real loopback listener with the given
// limits, over a store that can be made slow on demand.
func newOverloadEnv(t *testing.T, tune func(*api.Config)) (*env, *storetest.Faulty, string) {
	t.Helper()
	e, f := newFaultyEnv(t)
	keys, err := auth.LoadKeySet(context.Background(), f, e.vault, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The tests' clients all dial from loopback, standing for many clients:
	// the per-address cap is lifted unless a test sets it.
	cfg := api.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LoginBurst: 1000, LoginRate: 1000, MaxConnsPerAddr: 1 << 20}
	tune(&cfg)
	e.app = api.New(e.svc, e.tokens, keys, cfg)
	return e, f, listen(t, e)
}

// TestFloodBeyondCapacityIsShed: with the store slowed to a halt, a flood
// of requests fills the in-flight slots and the short queue; everything
// beyond is answered 503 + Retry-After at once instead of piling up, probes
// still answer, and the admitted requests succeed once the store moves.
func TestFloodBeyondCapacityIsShed(t *testing.T) {
	const inFlight, queue, flood = 4, 2, 40
	_, f, addr := newOverloadEnv(t, func(c *api.Config) {
		c.MaxInFlight, c.MaxQueue, c.QueueWait = inFlight, queue, 50*time.Millisecond
	})
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: flood}}
	t.Cleanup(client.CloseIdleConnections)

	release := f.Hold()
	defer release()
	type result struct {
		status     int
		retryAfter string
		code       string
		err        error
	}
	results := make(chan result, flood)
	for range flood {
		go func() {
			res, err := client.Get("http://" + addr + "/api/v1/institutions")
			if err != nil {
				results <- result{err: err}
				return
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			code := ""
			if i := strings.Index(string(body), `"code":"`); i >= 0 {
				code = strings.SplitN(string(body)[i+8:], `"`, 2)[0]
			}
			results <- result{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After"), code: code}
		}()
	}
	// Everything not admitted is answered while the admitted requests are
	// still stuck in the store.
	for range flood - inFlight {
		var r result
		select {
		case r = <-results:
		case <-time.After(30 * time.Second):
			// Only a server that queues without bound gets here.
			t.Fatal("requests beyond capacity were not answered while the admitted ones are held")
		}
		if r.err != nil {
			t.Fatalf("shed request: %v", r.err)
		}
		if r.status != 503 || r.retryAfter == "" || r.code != "overloaded" {
			t.Fatalf("request beyond capacity: %d Retry-After=%q code=%q, want 503 overloaded with Retry-After", r.status, r.retryAfter, r.code)
		}
	}
	for _, probe := range []string{"/healthz", "/readyz"} {
		done := make(chan int, 1)
		go func() {
			res, err := client.Get("http://" + addr + probe)
			if err != nil {
				done <- 0
				return
			}
			res.Body.Close()
			done <- res.StatusCode
		}()
		if probe == "/readyz" {
			// Readiness pings the held store: it is admitted, not shed, and
			// answers once the store moves.
			release()
		}
		if got := <-done; got != 200 {
			t.Fatalf("%s while overloaded: %d, want 200 (probes are never shed)", probe, got)
		}
	}
	for range inFlight {
		if r := <-results; r.err != nil || r.status != 200 {
			t.Fatalf("admitted request: %d %v, want 200", r.status, r.err)
		}
	}
	// Capacity is handed back: the next request is served.
	res, err := client.Get("http://" + addr + "/api/v1/institutions")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("after the flood: %v %v", res, err)
	}
	res.Body.Close()
}

// TestSlowClientsAreCutOff: a client that sends its request a byte at a
// time (slowloris), or announces a body and never finishes it, is
// disconnected by the read timeout instead of holding a connection.
func TestSlowClientsAreCutOff(t *testing.T) {
	_, _, addr := newOverloadEnv(t, func(c *api.Config) { c.ReadTimeout = 300 * time.Millisecond })
	for _, tc := range []struct {
		name  string
		first string // sent at once
		drip  string // then one byte every 50 ms, repeated
	}{
		{"headers byte by byte", "GET /api/v1/institutions HTTP/1.1\r\n", "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"body never finished", "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tc.first); err != nil {
				t.Fatal(err)
			}
			closed := make(chan struct{})
			go func() {
				// Whatever the server says (408 or nothing), it ends with EOF.
				_, _ = io.Copy(io.Discard, c)
				close(closed)
			}()
			// The generous deadline only stops a broken server from hanging
			// the test; the cut-off itself is the server's read timeout.
			give := time.After(20 * time.Second)
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-closed:
					return
				case <-give:
					t.Fatal("a client dripping its request was never disconnected")
				case <-tick.C:
					_, _ = io.WriteString(c, tc.drip[i%len(tc.drip):i%len(tc.drip)+1])
				}
			}
		})
	}
}

// TestConnectionsBeyondTheCapAreRefused: far more connections than allowed
// are opened and left idle mid-request. The excess is refused by the
// transport (503 and closed), the server keeps answering on a fresh
// connection once the idle ones go, and the heap does not grow with the
// number of connections attempted.
func TestConnectionsBeyondTheCapAreRefused(t *testing.T) {
	const maxConns, attempts = 16, 400
	_, _, addr := newOverloadEnv(t, func(c *api.Config) { c.MaxConns = maxConns })

	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	var (
		mu      sync.Mutex
		conns   []net.Conn
		refused int
	)
	var wg sync.WaitGroup
	for range attempts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				mu.Lock()
				refused++
				mu.Unlock()
				return
			}
			// Half a request: the connection stays open, waiting for the rest.
			_, _ = io.WriteString(c, "GET /api/v1/institutions HTTP/1.1\r\nHost: x\r\n")
			_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res.StatusCode == 503:
				refused++
				c.Close()
			case err == nil:
				t.Errorf("half a request answered %d", res.StatusCode)
				c.Close()
			case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
				refused++
				c.Close()
			default: // still waiting: this one was admitted
				conns = append(conns, c)
			}
		}()
	}
	wg.Wait()
	after := heap()
	if refused < attempts-maxConns {
		t.Fatalf("%d of %d connections refused, want at least %d (the cap is %d)", refused, attempts, attempts-maxConns, maxConns)
	}
	// Generous: the point is "does not scale with attempts", not a figure.
	const bound = 32 << 20
	if after > before && after-before > bound {
		t.Fatalf("heap grew by %d MiB over %d connection attempts, want under %d MiB", (after-before)>>20, attempts, bound>>20)
	}
	t.Logf("connections: %d attempted, %d held, %d refused; heap %d KiB before, %d KiB after",
		attempts, len(conns), refused, before>>10, after>>10)
	for _, c := range conns {
		c.Close()
	}
	// Freed slots serve again (the server may need a moment to notice the
	// closed connections; retry a bounded number of times, no timing claim).
	var last error
	for range 50 {
		res, err := http.Get("http://" + addr + "/healthz")
		if err == nil && res.StatusCode == 200 {
			res.Body.Close()
			return
		}
		if err == nil {
			res.Body.Close()
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("server did not serve again after the connections closed: %v", last)
}

// TestOverloadFigures measures, on request, what RELIABILITY.md reports:
// the sustainable deposit rate, then 4× that rate offered open-loop for a
// few seconds, with admission control at its defaults and switched off.
// It asserts nothing about speed; run it with
// CREDITBANK_OVERLOAD_FIGURES=1 go test -run TestOverloadFigures -v ./app/api/
func TestOverloadFigures(t *testing.T) {
	if os.Getenv("CREDITBANK_OVERLOAD_FIGURES") == "" {
		t.Skip("set CREDITBANK_OVERLOAD_FIGURES=1 to measure")
	}
	for _, mode := range []struct {
		name string
		tune func(*api.Config)
	}{
		{"admission at defaults", func(*api.Config) {}},
		{"admission off", func(c *api.Config) { c.MaxInFlight, c.MaxConns = 1<<20, 1<<20 }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e, _, addr := newOverloadEnv(t, mode.tune)
			a := e.issuer(e.adminToken(), "压测学院")
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4096}, Timeout: time.Minute}
			t.Cleanup(client.CloseIdleConnections)
			var seq atomic.Int64
			deposit := func() (int, time.Duration) {
				n := seq.Add(1)
				body, _ := json.Marshal(outcomeBody(nid(t, int(n%900)+1), "压测", "课程"+strconv.FormatInt(n, 10), 16))
				r, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/outcomes", bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Authorization", "Bearer "+a.staff)
				start := time.Now()
				res, err := client.Do(r)
				if err != nil {
					return 0, time.Since(start)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				return res.StatusCode, time.Since(start)
			}
			// Sustainable: what 16 closed-loop clients get through.
			var done atomic.Int64
			stop := time.Now().Add(3 * time.Second)
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for time.Now().Before(stop) {
						if s, _ := deposit(); s == 201 {
							done.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			rate := float64(done.Load()) / 3
			offered := 4 * rate
			const seconds = 5
			var mu sync.Mutex
			var ok []time.Duration
			statuses := map[int]int{}
			var peakHeap uint64
			start := time.Now()
			total := int(offered * seconds)
			for i := range total {
				time.Sleep(time.Until(start.Add(time.Duration(float64(i) / offered * float64(time.Second)))))
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, d := deposit()
					mu.Lock()
					statuses[s]++
					if s == 201 {
						ok = append(ok, d)
					}
					mu.Unlock()
				}()
				if i%200 == 0 {
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					peakHeap = max(peakHeap, m.HeapInuse)
				}
			}
			wg.Wait()
			slices.Sort(ok)
			pct := func(p float64) time.Duration {
				if len(ok) == 0 {
					return 0
				}
				return ok[min(len(ok)-1, int(p*float64(len(ok))))]
			}
			t.Logf("sustainable %.0f deposits/s; offered %.0f/s for %ds (%d requests): statuses %v; admitted latency p50 %v p99 %v max %v; peak heap in use %d MiB (test process, client included)",
				rate, offered, seconds, total, statuses, pct(0.5).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), pct(1).Round(time.Millisecond), peakHeap>>20)
		})
	}
}
