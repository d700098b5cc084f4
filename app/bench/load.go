package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// measurement is one line of the bench's table and one object of its JSON.
type measurement struct {
	Name     string  `json:"name"`
	Ops      int     `json:"ops"`
	RPS      float64 `json:"rps"`
	P50Ms    float64 `json:"p50Ms"`
	P99Ms    float64 `json:"p99Ms"`
	MaxMs    float64 `json:"maxMs"`
	Errors   int     `json:"errors"`
	Baseline string  `json:"baseline"`
	Ratio    float64 `json:"ratio"`
	Note     string  `json:"note,omitempty"`
	// CPUUsPerOp is the whole process's CPU time (server, store and load
	// generator together) per operation: steadier than rates on a shared
	// machine, where other work takes cores away.
	CPUUsPerOp float64 `json:"cpuUsPerOp,omitempty"`

	firstErr error
}

// loadWorker is one connection's loop state. Only time spent in op (the
// HTTP or store call being measured) counts as latency: preparing a request
// body or a token does not.
type loadWorker struct {
	id   int
	rand *rand.Rand
	http *benchHTTP
	took time.Duration
}

// timeIt adds fn's duration to the op's latency.
func (w *loadWorker) timeIt(fn func() error) error {
	t := time.Now()
	err := fn()
	w.took += time.Since(t)
	return err
}

// runLoad runs op on conns concurrent workers for d and summarises it.
func runLoad(ctx context.Context, name string, conns int, d time.Duration, client *benchHTTP, op func(w *loadWorker) error) measurement {
	deadline := time.Now().Add(d)
	lats := make([][]time.Duration, conns)
	errs := make([]int, conns)
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	cpu0 := processCPU()
	start := time.Now()
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			w := &loadWorker{id: c, rand: rand.New(rand.NewPCG(uint64(c), uint64(start.UnixNano()))), http: client}
			for time.Now().Before(deadline) && ctx.Err() == nil {
				w.took = 0
				t := time.Now()
				err := op(w)
				if w.took == 0 {
					w.took = time.Since(t)
				}
				if err != nil {
					errs[c]++
					errOnce.Do(func() { firstErr = err })
				}
				lats[c] = append(lats[c], w.took)
			}
		}(c)
	}
	wg.Wait()
	m := summarise(name, slices.Concat(lats...), time.Since(start))
	if m.Ops > 0 {
		m.CPUUsPerOp = float64((processCPU() - cpu0).Microseconds()) / float64(m.Ops)
	}
	for _, e := range errs {
		m.Errors += e
	}
	m.firstErr = firstErr
	return m
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// summarise turns latencies over an elapsed time into a measurement.
func summarise(name string, lat []time.Duration, elapsed time.Duration) measurement {
	m := measurement{Name: name, Ops: len(lat)}
	if len(lat) == 0 {
		return m
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	m.RPS = float64(len(lat)) / elapsed.Seconds()
	m.P50Ms = ms(lat[len(lat)/2])
	m.P99Ms = ms(lat[min(len(lat)-1, len(lat)*99/100)])
	m.MaxMs = ms(lat[len(lat)-1])
	return m
}

// benchHTTP is a keep-alive client for the server under test. fasthttp's
// client (Fiber's own HTTP engine) costs far less CPU per request than
// net/http's, which matters when the load and the server share two cores.
type benchHTTP struct {
	c *fasthttp.HostClient
}

func newBenchHTTP(addr string, conns int) *benchHTTP {
	return &benchHTTP{c: &fasthttp.HostClient{Addr: addr, MaxConns: conns, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, MaxIdleConnDuration: time.Minute}}
}

// do sends one request and returns the status and a copy of the body.
func (h *benchHTTP) do(method, path, token string, body []byte, header ...string) (int, []byte, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI("http://" + h.c.Addr + path)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if body != nil {
		if len(header) == 0 || header[0] != "Content-Type" {
			req.Header.SetContentType("application/json")
		}
		req.SetBodyRaw(body)
	}
	if err := h.c.Do(req, resp); err != nil {
		return 0, nil, err
	}
	return resp.StatusCode(), append([]byte(nil), resp.Body()...), nil
}

// expect sends a request and fails unless the status is want.
func (h *benchHTTP) expect(want int, method, path, token string, body []byte, header ...string) ([]byte, error) {
	status, out, err := h.do(method, path, token, body, header...)
	if err != nil {
		return nil, err
	}
	if status != want {
		if len(out) > 300 {
			out = out[:300]
		}
		return out, fmt.Errorf("%s %s: status %d, want %d: %s", method, path, status, want, out)
	}
	return out, nil
}

// ioCounters are the process's file I/O system calls and bytes so far
// (Linux /proc/self/io; zero elsewhere). An import's cost is mostly page
// reads and writes of the store, so the bench reports them per row.
type ioCounters struct{ reads, writes, writtenBytes int64 }

func processIO() ioCounters {
	raw, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return ioCounters{}
	}
	var c ioCounters
	for _, line := range strings.Split(string(raw), "\n") {
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
		switch name {
		case "syscr":
			c.reads = n
		case "syscw":
			c.writes = n
		case "wchar":
			c.writtenBytes = n
		}
	}
	return c
}

func (c ioCounters) since(before ioCounters) ioCounters {
	return ioCounters{c.reads - before.reads, c.writes - before.writes, c.writtenBytes - before.writtenBytes}
}
