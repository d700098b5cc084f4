package api

import (
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/valyala/fasthttp"

	"creditbank/app/metrics"
)

// connsPerAddr caps the connections one peer address holds open. Without it
// one client can take every connection the server has (Config.MaxConns)
// with connections that trickle a header line now and then (slowloris), and
// everyone else is refused. The cap sees the TCP peer, which behind a
// reverse proxy is the proxy, carrying all its users: trusted proxies are
// therefore exempt, bounded only by MaxConns, and per-user limits behind
// them are the rate limits keyed on the forwarded client address.
type connsPerAddr struct {
	max     int
	trusted func(netip.Addr) bool
	log     *slog.Logger
	metrics *metrics.Metrics

	mu     sync.Mutex
	open   map[netip.Addr]int
	counts map[net.Conn]netip.Addr // the connections counted in open

	refused atomic.Int64
}

func newConnsPerAddr(max int, trusted func(netip.Addr) bool, log *slog.Logger, m *metrics.Metrics) *connsPerAddr {
	return &connsPerAddr{max: max, trusted: trusted, log: log, metrics: m, open: map[netip.Addr]int{}, counts: map[net.Conn]netip.Addr{}}
}

// connState is the transport's hook for every connection's life: new ones
// are counted (or refused), closed ones uncounted.
func (l *connsPerAddr) connState(c net.Conn, state fasthttp.ConnState) {
	switch state {
	case fasthttp.StateNew:
		addr, ok := peerAddr(c)
		if !ok || l.trusted(addr) {
			return
		}
		l.mu.Lock()
		if l.open[addr] >= l.max {
			l.mu.Unlock()
			l.refuse(c)
			return
		}
		l.open[addr]++
		l.counts[c] = addr
		l.mu.Unlock()
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		l.mu.Lock()
		if addr, ok := l.counts[c]; ok {
			delete(l.counts, c)
			if l.open[addr]--; l.open[addr] <= 0 {
				delete(l.open, addr)
			}
		}
		l.mu.Unlock()
	}
}

// refuse answers 429 in the API's error shape and closes the connection;
// the transport then finds it closed and lets it go at once. The answer is
// a few hundred bytes into a fresh socket's buffer, so writing it cannot
// hold the accepting goroutine; the deadline is for safety only.
func (l *connsPerAddr) refuse(c net.Conn) {
	id := uuid.NewString()
	l.metrics.Shed("connections_per_address")
	if n := l.refused.Add(1); n&(n-1) == 0 {
		// Powers of two only: a flood must not also flood the log.
		l.log.Warn("connections refused: too many from one address", "refusedTotal", n, "maxConnsPerAddr", l.max)
	}
	body := `{"error":{"code":"too_many_connections","message":"too many open connections from your address; close some and retry","requestId":"` + id + `"}}`
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = c.Write([]byte("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\nX-Request-ID: " +
		id + "\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body))
	_ = c.Close()
}

func peerAddr(c net.Conn) (netip.Addr, bool) {
	if tcp, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return tcp.AddrPort().Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
