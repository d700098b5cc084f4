package probe

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// gzipBomb is 256 MiB of zeros gzipped twice: a few hundred bytes on the
// wire.
func gzipBomb() []byte {
	var inner bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&inner, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 256 {
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	var outer bytes.Buffer
	zw, _ = gzip.NewWriterLevel(&outer, gzip.BestCompression)
	_, _ = zw.Write(inner.Bytes())
	_ = zw.Close()
	return outer.Bytes()
}

func checkDecompressionBomb(ctx context.Context, p *prober) (Verdict, string, error) {
	bomb := gzipBomb()
	staff, err := p.main.mustLogin(ctx, "cc.registrar", p.cfg.StaffPassword)
	if err != nil {
		return "", "", err
	}
	before, _ := p.residentMemory(ctx)
	routes := []struct{ path, token string }{
		{"/api/v1/auth/login", ""},
		{"/api/v1/auth/refresh", ""},
		{"/api/v1/verify", ""},
		{"/api/v1/learners", ""},
		{"/api/v1/outcomes/import", staff.AccessToken},
	}
	var open []string
	for _, rt := range routes {
		c := p.fresh()
		r, err := c.do(ctx, http.MethodPost, rt.path, rt.token, bomb, map[string]string{"Content-Encoding": "gzip, gzip"})
		c.close()
		if err != nil {
			open = append(open, fmt.Sprintf("%s: %v", rt.path, err))
			continue
		}
		if r.status != http.StatusRequestEntityTooLarge && r.status != http.StatusUnsupportedMediaType {
			open = append(open, fmt.Sprintf("%s answered %d", rt.path, r.status))
		}
	}
	detail := fmt.Sprintf("%d-byte body (256 MiB inflated) on %d routes", len(bomb), len(routes))
	if after, ok := p.residentMemory(ctx); ok && before > 0 {
		grew := (after - before) / (1 << 20)
		detail += fmt.Sprintf("; resident memory %+.0f MiB", grew)
		if grew >= 20 {
			open = append(open, fmt.Sprintf("memory grew %.0f MiB", grew))
		}
	}
	if len(open) > 0 {
		return Open, detail + ": " + strings.Join(open, "; "), nil
	}
	return Fixed, detail + ": each refused with 413/415", nil
}

// residentMemory reads process_resident_memory_bytes from the metrics
// address, when one was given.
func (p *prober) residentMemory(ctx context.Context) (float64, bool) {
	if p.cfg.MetricsURL == "" {
		return 0, false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.cfg.MetricsURL, nil)
	if err != nil {
		return 0, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "process_resident_memory_bytes "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f, err == nil
		}
	}
	return 0, false
}

// checkSlowloris opens many connections from one address that send a
// request line and then trickle header lines, and asks whether a client at
// another address is still served and the slow ones are cut off.
func checkSlowloris(ctx context.Context, p *prober) (Verdict, string, error) {
	if !p.loopback {
		return Skipped, "needs the bank on a loopback address", nil
	}
	u, _ := url.Parse(p.cfg.BaseURL)
	const slow = 64
	src := p.source()
	var wg sync.WaitGroup
	var opened, cut atomic.Int32
	stop := make(chan struct{})
	for range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 3 * time.Second}
			conn, err := d.DialContext(ctx, "tcp", u.Host)
			if err != nil {
				cut.Add(1)
				return
			}
			defer conn.Close()
			opened.Add(1)
			if _, err := fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\n", u.Host); err != nil {
				cut.Add(1)
				return
			}
			closed := make(chan struct{})
			go func() { _, _ = io.Copy(io.Discard, conn); close(closed) }()
			tick := time.NewTicker(time.Second)
			defer tick.Stop()
			for {
				select {
				case <-closed:
					cut.Add(1)
					return
				case <-stop:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte("X-Slow: 1\r\n")); err != nil {
						cut.Add(1)
						return
					}
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	other := p.fresh()
	defer other.close()
	served := 0
	for range 5 {
		r, err := other.do(ctx, http.MethodGet, "/healthz", "", nil, nil)
		if err == nil && r.status == http.StatusOK {
			served++
		}
	}
	// The header deadline is 5 s by default: wait past it.
	deadline := time.Now().Add(12 * time.Second)
	for time.Now().Before(deadline) && cut.Load() < slow {
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	detail := fmt.Sprintf("%d slow connections from %s (%d accepted); another address served %d/5; %d cut off within 12 s",
		slow, src, opened.Load(), served, cut.Load())
	if served < 5 || cut.Load() < slow {
		return Open, detail, nil
	}
	return Fixed, detail, nil
}

// checkLoginFlood sends wrong logins from many addresses, each within its
// own per-address limit, while a signed-in learner reads their record.
func checkLoginFlood(ctx context.Context, p *prober) (Verdict, string, error) {
	if !p.loopback {
		return Skipped, "needs the bank on a loopback address", nil
	}
	learner, err := p.main.mustLogin(ctx, withCheckDigit(demoLearnerFirst17), p.cfg.LearnerPassword)
	if err != nil {
		return "", "", err
	}
	n := p.cfg.FloodAddresses
	if n <= 0 {
		n = 150
	}
	floodCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range n {
		c := p.fresh()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.close()
			for range 5 {
				if floodCtx.Err() != nil {
					return
				}
				_, _, _ = c.login(floodCtx, "flood."+randomSuffix(), "not-the-password-"+randomSuffix())
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	const reads = 20
	failed := 0
	for range reads {
		r, err := p.main.do(ctx, http.MethodGet, "/api/v1/learners/me/record", learner.AccessToken, nil, nil)
		if err != nil || r.status != http.StatusOK {
			failed++
		}
	}
	stop()
	wg.Wait()
	detail := fmt.Sprintf("%d addresses × 5 logins; %d of %d signed-in reads failed", n, failed, reads)
	if failed > 0 {
		return Open, detail, nil
	}
	return Fixed, detail, nil
}
