package main

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// silentListener remembers the connections that have not sent a byte yet.
// The HTTP server counts a new connection as busy from the moment it is
// accepted until its first request has been read or its header deadline
// (5 s by default) has passed, so a client that opens a connection and
// never uses it (Go's HTTP client does, when a request it dialled for was
// served on another connection meanwhile) would hold a graceful shutdown
// that long. Such a connection carries no request: shutting down may close
// it.
type silentListener struct {
	net.Listener
	mu     sync.Mutex
	silent map[*heardConn]struct{}
}

func newSilentListener(ln net.Listener) *silentListener {
	return &silentListener{Listener: ln, silent: map[*heardConn]struct{}{}}
}

func (l *silentListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	hc := &heardConn{Conn: c, l: l}
	l.mu.Lock()
	l.silent[hc] = struct{}{}
	l.mu.Unlock()
	return hc, nil
}

func (l *silentListener) forget(c *heardConn) {
	l.mu.Lock()
	delete(l.silent, c)
	l.mu.Unlock()
}

// closeSilent closes every connection that has not sent anything.
func (l *silentListener) closeSilent() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.silent {
		_ = c.Conn.Close()
		delete(l.silent, c)
	}
}

// closeSilentUntil closes silent connections every interval until done
// is closed: one accepted just as the listener closed is caught too.
func (l *silentListener) closeSilentUntil(done <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		l.closeSilent()
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

type heardConn struct {
	net.Conn
	l     *silentListener
	heard atomic.Bool
}

func (c *heardConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 && !c.heard.Load() {
		c.heard.Store(true)
		c.l.forget(c)
	}
	return n, err
}

func (c *heardConn) Close() error {
	c.l.forget(c)
	return c.Conn.Close()
}
