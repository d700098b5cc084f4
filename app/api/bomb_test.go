package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime/multipart"
	"runtime"
	"sync"
	"testing"
	"time"
)

// gzipped compresses what src writes, at the best ratio.
func gzipped(t *testing.T, src func(w io.Writer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if err := src(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zeros(n int64) func(w io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.CopyN(w, zeroReader{}, n)
		return err
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

const bombSize = 256 << 20

// The bombs are costly to build (256 MiB through deflate each): once per
// test binary.
var (
	bombsOnce          sync.Once
	singleBomb, double []byte
)

func bombs(t *testing.T) (single, twice []byte) {
	t.Helper()
	bombsOnce.Do(func() {
		singleBomb = gzipped(t, zeros(bombSize))
		double = gzipped(t, func(w io.Writer) error { _, err := w.Write(singleBomb); return err })
	})
	return singleBomb, double
}

// multipartBomb is a form upload whose "file" is bombSize bytes of zeros,
// gzipped once: the encoding the multipart reader inflates by itself.
func multipartBomb(t *testing.T) (body []byte, contentType string) {
	t.Helper()
	var ct string
	body = gzipped(t, func(w io.Writer) error {
		mw := multipart.NewWriter(w)
		ct = mw.FormDataContentType()
		fw, err := mw.CreateFormFile("file", "outcomes.csv")
		if err != nil {
			return err
		}
		if _, err := io.CopyN(fw, zeroReader{}, bombSize); err != nil {
			return err
		}
		return mw.Close()
	})
	return body, ct
}

type heapFigures struct{ inuse, alloc, total uint64 }

func heapNow() heapFigures {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return heapFigures{inuse: m.HeapInuse, alloc: m.HeapAlloc, total: m.TotalAlloc}
}

// sampleHeapPeak records the highest heap in use until stop is called.
func sampleHeapPeak() (peak *uint64, stop func()) {
	peak = new(uint64)
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return peak, func() { close(done); <-finished }
}

// grown is how far b is above a in megabytes (never negative).
func grown(a, b uint64) float64 {
	if b < a {
		return 0
	}
	return float64(b-a) / (1 << 20)
}

// TestCompressedBodiesAreRefused sends a doubly gzipped 256 MiB body of a
// few hundred bytes, anonymously, to every route an outsider can reach with
// a body, and a gzipped 256 MiB form upload to the CSV import. Each is
// refused unread: no route inflates, so the heap neither grows nor churns.
func TestCompressedBodiesAreRefused(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	clerk := e.issuer(admin, "压缩学院").staff
	single, twice := bombs(t)
	form, formType := multipartBomb(t)
	t.Logf("bombs: %d bytes doubly gzipped, %d singly, %d as a gzipped form upload, each %d MiB inflated",
		len(twice), len(single), len(form), bombSize>>20)

	type send struct {
		name, path, token, encoding, contentType string
		body                                     []byte
		extra                                    map[string]string
	}
	cases := []send{
		{name: "login", path: "/api/v1/auth/login", encoding: "gzip, gzip", contentType: "application/json", body: twice},
		{name: "refresh", path: "/api/v1/auth/refresh", encoding: "gzip, gzip", contentType: "application/json", body: twice},
		{name: "verify", path: "/api/v1/verify", encoding: "gzip, gzip", contentType: "application/json", body: twice},
		{name: "learner claim", path: "/api/v1/learners", encoding: "gzip, gzip", contentType: "application/json", body: twice},
		{name: "csv upload", path: "/api/v1/outcomes/import", encoding: "gzip, gzip", contentType: "text/csv", body: twice,
			extra: map[string]string{"Idempotency-Key": "bomb-1"}},
		{name: "login single gzip", path: "/api/v1/auth/login", encoding: "gzip", contentType: "application/json", body: single},
		{name: "csv form upload", path: "/api/v1/outcomes/import", token: clerk, encoding: "gzip", contentType: formType, body: form},
		{name: "csv upload signed in", path: "/api/v1/outcomes/import", token: clerk, encoding: "gzip", contentType: "text/csv", body: single},
		{name: "deflate", path: "/api/v1/auth/login", encoding: "deflate", contentType: "application/json", body: twice},
		{name: "brotli", path: "/api/v1/auth/login", encoding: "br", contentType: "application/json", body: twice},
		{name: "identity then gzip", path: "/api/v1/auth/login", encoding: "identity, gzip", contentType: "application/json", body: twice},
	}
	before := heapNow()
	peak, stopSampling := sampleHeapPeak()
	for _, tc := range cases {
		headers := map[string]string{"Content-Type": tc.contentType, "Content-Encoding": tc.encoding}
		for k, v := range tc.extra {
			headers[k] = v
		}
		res := e.do(req{method: "POST", path: tc.path, token: tc.token, body: tc.body, headers: headers})
		if res.status != 413 && res.status != 415 {
			t.Errorf("%s: status %d, want 413 or 415: %.200s", tc.name, res.status, res.body)
			continue
		}
		if code := res.errorCode(t); code != "unsupported_encoding" && code != "payload_too_large" {
			t.Errorf("%s: error code %q", tc.name, code)
		}
	}
	stopSampling()
	after := heapNow()
	inuse, alloc, churn := grown(before.inuse, after.inuse), grown(before.alloc, after.alloc), grown(before.total, after.total)
	top := grown(before.inuse, *peak)
	t.Logf("heap after GC grew %.1f MB in use, %.1f MB allocated; %.1f MB allocated while serving; in-use peak %.1f MB above the start",
		inuse, alloc, churn, top)
	if top >= 20 {
		t.Errorf("heap in use peaked %.1f MB above the start; want < 20 MB", top)
	}
	if inuse >= 20 || alloc >= 20 {
		t.Errorf("heap after GC grew by %.1f MB in use, %.1f MB live; want < 20 MB", inuse, alloc)
	}
	if churn >= 20 {
		t.Errorf("serving the bombs allocated %.1f MB; want < 20 MB (a body was inflated)", churn)
	}
}

// TestUncompressedBodiesStillServed: "identity" is no encoding at all.
func TestIdentityEncodingIsServed(t *testing.T) {
	e := newEnv(t)
	res := e.do(req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": "admin", "password": adminPassword},
		headers: map[string]string{"Content-Encoding": "identity"}})
	if res.status != 200 {
		t.Fatalf("identity-encoded login: %d %s", res.status, res.body)
	}
}
