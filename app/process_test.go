package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The crash and shutdown tests run the real binary as a child process, so
// that kill -9 and SIGTERM hit a process of its own, as in production.

const childAdminPassword = "crash-admin-password-1"

// buildBinary compiles the binary into dir (without -race: the child is the
// system under test, not the code the race detector watches).
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(dir, "creditbank")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// childServer is the binary serving one SQLite file on a fixed address, so
// that a restart is the same instance.
type childServer struct {
	t      *testing.T
	bin    string
	db     string
	addr   string
	base   string
	logs   *os.File
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

func newChildServer(t *testing.T, bin, dir string) *childServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logs, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	s := &childServer{t: t, bin: bin, db: filepath.Join(dir, "creditbank.db"), addr: addr, base: "http://" + addr, logs: logs}
	t.Cleanup(func() {
		if s.running() {
			s.kill()
		}
		logs.Close()
		if t.Failed() {
			if b, err := os.ReadFile(logs.Name()); err == nil {
				t.Logf("server log (last 4 KiB):\n%s", tail(b, 4096))
			}
		}
	})
	return s
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func (s *childServer) store() string { return "sqlite:" + s.db }

func (s *childServer) running() bool {
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// start runs the server and waits until it answers /healthz.
func (s *childServer) start() {
	s.t.Helper()
	s.starts++
	fmt.Fprintf(s.logs, "--- start %d\n", s.starts)
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = append(os.Environ(),
		"CREDITBANK_ADDR="+s.addr,
		"CREDITBANK_STORE="+s.store(),
		"CREDITBANK_ADMIN_PASSWORD="+childAdminPassword,
		"CREDITBANK_ISSUER=http://creditbank.test",
		"CREDITBANK_LOG_LEVEL=warn",
	)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start server: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			s.t.Fatalf("server exited during start: %v", cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatal("server did not answer /healthz within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill is kill -9: no shutdown code runs.
func (s *childServer) kill() {
	s.t.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// terminate sends SIGTERM and returns the exit code.
func (s *childServer) terminate(timeout time.Duration) int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(timeout):
		s.kill()
		s.t.Fatalf("server did not exit within %s of SIGTERM", timeout)
	}
	return s.cmd.ProcessState.ExitCode()
}

// apiClient calls the child's API; errors are returned, not fatal, because
// during the crash tests the server is expected to vanish.
type apiClient struct {
	base string
	http *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: base, http: &http.Client{Timeout: 30 * time.Second}}
}

type apiResponse struct {
	status int
	body   []byte
}

func (r apiResponse) decode(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %s", r.status, r.body)
	}
	return m
}

func (r apiResponse) errorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (c *apiClient) call(method, path, token, key string, body any) (apiResponse, error) {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, contentType = bytes.NewReader(b), "text/csv"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return apiResponse{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return apiResponse{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return apiResponse{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return apiResponse{}, err
	}
	return apiResponse{status: res.StatusCode, body: raw}, nil
}

// must is call for the set-up steps, where the server is up.
func (c *apiClient) must(t *testing.T, status int, method, path, token string, body any) map[string]any {
	t.Helper()
	res, err := c.call(method, path, token, "", body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if res.status != status {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.status, status, res.body)
	}
	return res.decode(t)
}

func (c *apiClient) login(t *testing.T, username, password string) string {
	t.Helper()
	m := c.must(t, 200, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password})
	return m["accessToken"].(string)
}

// district is what the crash tests set up through the API: an issuing
// institution with a staff member, a converting one with published rules.
type district struct {
	admin, staff string
	issuerID     string
	rules        []string
}

func setUpDistrict(t *testing.T, c *apiClient, rules int) district {
	t.Helper()
	d := district{admin: c.login(t, "admin", childAdminPassword)}
	iss := c.must(t, 201, "POST", "/api/v1/institutions", d.admin, map[string]any{
		"name": "社区教育学院", "kind": "community_college", "region": "示范区",
		"capabilities": []string{"issue"}, "categories": []string{"community"}})
	d.issuerID = iss["id"].(string)
	c.must(t, 201, "POST", "/api/v1/institutions/"+d.issuerID+"/staff", d.admin,
		map[string]any{"username": "registrar", "password": "staff-password-1", "perms": []string{"issue"}})
	d.staff = c.login(t, "registrar", "staff-password-1")
	conv := c.must(t, 201, "POST", "/api/v1/institutions", d.admin, map[string]any{
		"name": "开放大学", "kind": "open_university", "region": "示范区",
		"capabilities": []string{"convert"}, "categories": []string{}})
	for k := range rules {
		rule := c.must(t, 201, "POST", "/api/v1/rules", d.admin, map[string]any{
			"code": fmt.Sprintf("EXEMPT-%d", k), "name": fmt.Sprintf("免修课程 %d", k), "purpose": "exemption",
			"institutionId": conv["id"], "target": map[string]any{"courseCode": fmt.Sprintf("C%d", k), "credits": 1},
			"condition":       map[string]any{"op": "all", "items": []any{map[string]any{"category": "community"}}},
			"minTotalCredits": 1, "award": map[string]any{"mode": "fixed", "credits": 1},
			"exclusive": true, "approval": "manual", "effectiveFrom": "2020-01-01",
		})
		id := rule["id"].(string)
		c.must(t, 200, "POST", "/api/v1/rules/"+id+"/publish", d.admin, nil)
		d.rules = append(d.rules, id)
	}
	return d
}

func outcomeRequest(nationalID, name, title string) map[string]any {
	return map[string]any{
		"learner":     map[string]string{"nationalId": nationalID, "name": name},
		"category":    "community",
		"title":       title,
		"courseCode":  "CC-" + title,
		"hours":       16,
		"result":      map[string]any{"passed": true},
		"completedOn": time.Now().AddDate(0, -1, 0).Format("2006-01-02"),
	}
}

// contains reports whether s mentions every word.
func contains(s string, words ...string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

var sigterm = syscall.SIGTERM
