package api

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
)

// admission bounds the requests being worked on at once. Beyond what the
// store and CPUs can serve, extra concurrency only lengthens every
// request's latency and grows memory; so at most maxInFlight requests run,
// a few more wait briefly for a slot, and the rest are told at once to come
// back later (503 + Retry-After) while the admitted ones finish in normal
// time.
type admission struct {
	slots   chan struct{} // a token per running request
	waiting chan struct{} // a token per queued request
	wait    time.Duration
	retry   string // Retry-After seconds

	shed atomic.Int64 // requests turned away, for logs and tests
}

func newAdmission(maxInFlight, maxQueue int, wait time.Duration) *admission {
	retry := int(wait.Round(time.Second) / time.Second)
	if retry < 1 {
		retry = 1
	}
	return &admission{
		slots:   make(chan struct{}, maxInFlight),
		waiting: make(chan struct{}, maxQueue),
		wait:    wait,
		retry:   strconv.Itoa(retry),
	}
}

// exemptFromAdmission are probes: an orchestrator must get an answer from
// an overloaded instance, or it would restart a process that is merely busy.
var exemptFromAdmission = map[string]bool{"/healthz": true, "/readyz": true}

// hashesPassword names the routes that compute an argon2id hash (sign-in,
// self-registration, password change, staff creation). Each such request
// holds a CPU and ~19 MiB for tens of milliseconds, so a flood of sign-ins
// from many addresses (each within its own rate limit) would fill every
// general slot while waiting for the hasher, and every other route would be
// shed. They are admitted by a budget of their own instead, which they
// cannot grow beyond, and which leaves the general slots to everyone else.
//
// Routing ignores case and a trailing slash, so the path is compared the
// same way: "/API/v1/auth/login/" reaches sign-in and must not bypass its
// budget into the general one.
func hashesPassword(method, path string) bool {
	if method != fiber.MethodPost {
		return false
	}
	path = strings.ToLower(strings.TrimSuffix(path, "/"))
	switch path {
	case "/api/v1/auth/login", "/api/v1/learners", "/api/v1/me/password":
		return true
	}
	rest, ok := strings.CutPrefix(path, "/api/v1/institutions/")
	return ok && strings.Count(rest, "/") == 1 && strings.HasSuffix(rest, "/staff")
}

func (s *Server) admit(c *fiber.Ctx) error {
	if exemptFromAdmission[c.Path()] {
		return c.Next()
	}
	a, kind := s.admission, "general"
	if hashesPassword(c.Method(), c.Path()) {
		a, kind = s.passwords, "password"
	}
	select {
	case a.slots <- struct{}{}:
	default:
		if !a.queue() {
			return s.overloaded(c, a, kind)
		}
	}
	s.metrics.Admitted(1)
	defer func() {
		s.metrics.Admitted(-1)
		<-a.slots
	}()
	return c.Next()
}

// queue waits up to a.wait for a slot; false when the queue is full or the
// wait ran out.
func (a *admission) queue() bool {
	select {
	case a.waiting <- struct{}{}:
	default:
		return false
	}
	defer func() { <-a.waiting }()
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case a.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

func (s *Server) overloaded(c *fiber.Ctx, a *admission, kind string) error {
	s.metrics.Shed(kind)
	if n := a.shed.Add(1); n&(n-1) == 0 {
		// Powers of two only: a flood must not also flood the log.
		s.log.Warn("overloaded: shedding requests", "budget", kind, "shedTotal", n, "maxInFlight", cap(a.slots))
	}
	c.Locals(retryAfterKey, a.retry)
	message := "the server is busy; retry after the number of seconds in Retry-After"
	if a == s.passwords {
		message = "too many passwords are being checked at once; retry after the number of seconds in Retry-After"
	}
	return &apiError{status: fiber.StatusServiceUnavailable, code: "overloaded", message: message}
}
