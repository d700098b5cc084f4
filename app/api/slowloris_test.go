package api_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"creditbank/app/api"
)

// dialFrom opens a connection to addr from the given loopback source
// address (the whole of 127.0.0.0/8 is loopback), standing for distinct
// clients.
func dialFrom(t *testing.T, source, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial from %s: %v", source, err)
	}
	return c
}

// getFrom sends one GET from source on a fresh connection and returns the
// status (0 if the connection was refused without an answer).
func getFrom(t *testing.T, source, addr, path string) int {
	t.Helper()
	c := dialFrom(t, source, addr)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		return 0
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// TestSlowlorisFromOneAddressLeavesOthersServed: one address opens far
// more connections than the server holds in all and trickles header lines
// on them. Beyond its own cap it is refused with 429 at once, so the
// server's connections stay free for other addresses, which are served;
// the connections it keeps are closed by the header deadline although the
// read timeout for whole requests is a minute; a body sent slowly after
// its headers is not cut off by the header deadline; and a trusted proxy,
// carrying many users, is not held to the per-address cap.
func TestSlowlorisFromOneAddressLeavesOthersServed(t *testing.T) {
	const perAddr, maxConns, attackers = 8, 48, 96
	_, _, addr := newOverloadEnv(t, func(c *api.Config) {
		c.MaxConns, c.MaxConnsPerAddr = maxConns, perAddr
		c.HeaderTimeout, c.ReadTimeout = 2*time.Second, time.Minute
		c.TrustedProxies = []string{"127.0.0.3"}
	})

	type outcome struct {
		status int // 0: closed without an answer
		after  time.Duration
	}
	start := time.Now()
	outcomes := make(chan outcome, attackers)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	defer func() { close(stop); wg.Wait() }()
	for range attackers {
		c := dialFrom(t, "127.0.0.1", addr)
		wg.Add(2)
		go func() {
			defer wg.Done()
			defer c.Close()
			o := outcome{}
			if res, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
				o.status = res.StatusCode
				_, _ = io.Copy(io.Discard, res.Body)
			}
			o.after = time.Since(start)
			outcomes <- o
		}()
		go func() {
			defer wg.Done()
			if _, err := io.WriteString(c, "GET /api/v1/institutions HTTP/1.1\r\nHost: x\r\n"); err != nil {
				return
			}
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := io.WriteString(c, "X-Slow-"+strconv.Itoa(i)+": a\r\n"); err != nil {
						return
					}
				}
			}
		}()
	}
	// Those beyond the cap are answered at once.
	for range attackers - perAddr {
		select {
		case o := <-outcomes:
			if o.status != 429 {
				t.Fatalf("connection beyond the per-address cap: status %d, want 429", o.status)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("connections beyond the per-address cap were not refused")
		}
	}
	// While the trickling connections are held, another address is served.
	if got := getFrom(t, "127.0.0.2", addr, "/api/v1/institutions"); got != 200 {
		t.Errorf("another address during the attack: %d, want 200", got)
	}
	if got := getFrom(t, "127.0.0.2", addr, "/healthz"); got != 200 {
		t.Errorf("another address's health check during the attack: %d, want 200", got)
	}
	// A trusted proxy carries many users: it may hold more than the cap.
	var proxied []net.Conn
	for i := range 3 * perAddr {
		// The refused connections leave the server's count a moment after
		// their 429 reaches us: a 503 from the overall cap meanwhile is
		// retried, briefly; the proxy still ends up holding all of them.
		for attempt := 0; ; attempt++ {
			c := dialFrom(t, "127.0.0.3", addr)
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113."+strconv.Itoa(i+1)+"\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err == nil && res.StatusCode == 503 && attempt < 20 {
				res.Body.Close()
				c.Close()
				time.Sleep(100 * time.Millisecond)
				continue
			}
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("trusted proxy's connection %d: %v %v, want 200", i+1, res, err)
			}
			res.Body.Close()
			proxied = append(proxied, c)
			break
		}
	}
	for _, c := range proxied {
		c.Close()
	}
	// The trickling connections are closed by the header deadline, long
	// before the read timeout.
	for range perAddr {
		select {
		case o := <-outcomes:
			if o.status == 200 || o.status == 401 || o.status == 429 {
				t.Fatalf("a trickling connection was answered %d", o.status)
			}
			t.Logf("trickling connection closed after %v (status %d)", o.after.Round(time.Millisecond), o.status)
		case <-time.After(30 * time.Second):
			t.Fatal("a connection trickling header lines was still open after 30 s (the read timeout is a minute)")
		}
	}
	// Its connections closed, the address is served again.
	if got := getFrom(t, "127.0.0.1", addr, "/healthz"); got != 200 {
		t.Errorf("the attacking address after its connections closed: %d, want 200", got)
	}
}

// TestSlowBodyIsNotCutByTheHeaderDeadline: the header deadline bounds the
// headers only; a body trickling in for longer than it is read whole.
func TestSlowBodyIsNotCutByTheHeaderDeadline(t *testing.T) {
	_, _, addr := newOverloadEnv(t, func(c *api.Config) {
		c.HeaderTimeout, c.ReadTimeout = 500*time.Millisecond, time.Minute
	})
	const body = `{"x":1}`
	c := dialFrom(t, "127.0.0.1", addr)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	for i := range len(body) {
		// Three times the header deadline in all.
		time.Sleep(1500 * time.Millisecond / time.Duration(len(body)))
		if _, err := io.WriteString(c, body[i:i+1]); err != nil {
			t.Fatalf("connection closed while the body was being sent: %v", err)
		}
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatal("connection closed before the slow body was answered")
		}
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("slow body answered %d, want 400 (read whole, then refused for its unknown field)", res.StatusCode)
	}
}
