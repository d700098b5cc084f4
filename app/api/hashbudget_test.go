package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"creditbank/app/api"
	"creditbank/app/metrics"
)

// TestLoginFloodLeavesOtherRoutesServed: many clients keep signing in with
// unknown usernames from many addresses (each one a full password hash) while a signed-in user
// works. The sign-ins are admitted by the password budget alone: some are
// refused with 503 + Retry-After, and every signed-in request is served.
func TestLoginFloodLeavesOtherRoutesServed(t *testing.T) {
	const flooders, signedInRequests = 32, 60
	reg := prometheus.NewRegistry()
	e, _, addr := newOverloadEnv(t, func(c *api.Config) {
		c.Metrics = metrics.New(reg)
		c.MaxInFlight, c.MaxQueue, c.QueueWait, c.MaxPasswordChecks = 4, 2, 50*time.Millisecond, 1
		// The flood comes from many addresses, each within its own limit:
		// the test client stands in for a proxy that says so.
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	admin := e.adminToken()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * flooders}, Timeout: time.Minute}
	t.Cleanup(client.CloseIdleConnections)

	stop := make(chan struct{})
	var (
		wg                           sync.WaitGroup
		checked, refused, unexpected atomic.Int64
		mu                           sync.Mutex
		lastUnexpected               string
	)
	for i := range flooders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				body, _ := json.Marshal(map[string]string{"username": "nobody-" + strconv.Itoa(i) + "-" + strconv.Itoa(n), "password": "wrong-password-1"})
				r, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/auth/login", bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("X-Forwarded-For", "10."+strconv.Itoa(i)+"."+strconv.Itoa(n/250%250)+"."+strconv.Itoa(1+n%250))
				res, err := client.Do(r)
				if err != nil {
					continue
				}
				raw, _ := io.ReadAll(res.Body)
				res.Body.Close()
				switch {
				case res.StatusCode == 401:
					checked.Add(1)
				case res.StatusCode == 503 && res.Header.Get("Retry-After") != "" && bytes.Contains(raw, []byte(`"code":"overloaded"`)):
					refused.Add(1)
				default:
					unexpected.Add(1)
					mu.Lock()
					lastUnexpected = strconv.Itoa(res.StatusCode) + " " + string(raw)
					mu.Unlock()
				}
			}
		}()
	}
	stopped := false
	stopFlood := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer stopFlood()
	// The flood is under way before the signed-in user starts.
	for checked.Load()+refused.Load() < 2*flooders {
		time.Sleep(5 * time.Millisecond)
	}
	failed := 0
	for range signedInRequests {
		r, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/me", nil)
		r.Header.Set("Authorization", "Bearer "+admin)
		res, err := client.Do(r)
		if err != nil {
			t.Fatalf("signed-in request: %v", err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			failed++
			t.Logf("signed-in request: %d %s", res.StatusCode, raw)
		}
	}
	stopFlood()
	t.Logf("during the flood: %d sign-ins checked, %d refused by the password budget, %d of %d signed-in requests failed",
		checked.Load(), refused.Load(), failed, signedInRequests)
	if failed > 0 {
		t.Errorf("%d of %d signed-in requests failed during a sign-in flood, want none", failed, signedInRequests)
	}
	if refused.Load() == 0 || checked.Load() == 0 {
		t.Errorf("sign-ins: %d checked, %d refused; want both (the budget admits some and turns the rest away)", checked.Load(), refused.Load())
	}
	if n := unexpected.Load(); n > 0 {
		t.Errorf("%d sign-ins answered otherwise than 401 or 503 overloaded with Retry-After, last: %s", n, lastUnexpected)
	}
	// Operators see the same: sheds counted against the password budget
	// alone, failed sign-ins as failures.
	shed := map[string]float64{}
	var failures float64
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetName() {
			case "creditbank_http_shed_total":
				shed[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			case "creditbank_login_failures_total":
				if m.GetLabel()[0].GetValue() == "password" {
					failures = m.GetCounter().GetValue()
				}
			}
		}
	}
	if shed["password"] != float64(refused.Load()) || shed["general"] != 0 {
		t.Errorf("shed counted %v, want password %d and general 0", shed, refused.Load())
	}
	if failures != float64(checked.Load()) {
		t.Errorf("sign-in failures counted %v, want %d", failures, checked.Load())
	}
}
