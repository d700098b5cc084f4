package api

import (
	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
)

// RecordCacheProbe lets the API tests see whether the own-record cache
// answered a request: its answers are meant to be indistinguishable from
// fresh ones over HTTP.
type RecordCacheProbe struct{ c *recordCache }

// NewWithRecordCacheProbe is New, also returning a probe of the server's
// own-record cache.
func NewWithRecordCacheProbe(svc *service.Service, tokens TokenVerifier, keys KeyPublisher, cfg Config) (*fiber.App, RecordCacheProbe) {
	s, app := newServer(svc, tokens, keys, cfg)
	return app, RecordCacheProbe{s.records}
}

func (p RecordCacheProbe) Hits() int64 {
	if p.c == nil {
		return 0
	}
	return p.c.hits.Load()
}

func (p RecordCacheProbe) Misses() int64 {
	if p.c == nil {
		return 0
	}
	return p.c.misses.Load()
}

// Usage is the bytes and entries the cache holds.
func (p RecordCacheProbe) Usage() (int64, int) { return p.c.usage() }
