package api

import (
	"strconv"
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

func (s *Server) admit(c *fiber.Ctx) error {
	a := s.admission
	if exemptFromAdmission[c.Path()] {
		return c.Next()
	}
	select {
	case a.slots <- struct{}{}:
	default:
		if !a.queue() {
			return s.overloaded(c)
		}
	}
	defer func() { <-a.slots }()
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

func (s *Server) overloaded(c *fiber.Ctx) error {
	if n := s.admission.shed.Add(1); n&(n-1) == 0 {
		// Powers of two only: a flood must not also flood the log.
		s.log.Warn("overloaded: shedding requests", "shedTotal", n, "maxInFlight", cap(s.admission.slots))
	}
	c.Locals(retryAfterKey, s.admission.retry)
	return &apiError{status: fiber.StatusServiceUnavailable, code: "overloaded",
		message: "the server is busy; retry after the number of seconds in Retry-After"}
}
