package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// client speaks to the bank from one source address, so checks that are
// about "many addresses" can be run on one machine over the loopback range.
type client struct {
	base string
	http *http.Client
}

// newClient dials from source (e.g. "127.0.0.7"); an empty source lets the
// kernel choose.
func newClient(base, source string) *client {
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if source != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(source)}
	}
	tr := &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4, DisableCompression: true}
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (c *client) close() { c.http.CloseIdleConnections() }

type response struct {
	status int
	body   []byte
	header http.Header
}

// errorCode is the documented error shape's code, or "".
func (r response) errorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return e.Error.Code
}

func (r response) decode(into any) error {
	if err := json.Unmarshal(r.body, into); err != nil {
		return fmt.Errorf("decoding %d answer: %w", r.status, err)
	}
	return nil
}

func (r response) String() string {
	b := r.body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Sprintf("%d %s", r.status, b)
}

// do sends body (a []byte as is, anything else as JSON) with token as bearer.
func (c *client) do(ctx context.Context, method, path, token string, body any, headers map[string]string) (response, error) {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return response{}, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, body: raw, header: resp.Header}, nil
}

type tokens struct {
	AccessToken  string `json:"accessToken"`
	RefreshToken string `json:"refreshToken"`
}

func (c *client) login(ctx context.Context, username, password string) (tokens, response, error) {
	r, err := c.do(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, nil)
	if err != nil || r.status != http.StatusOK {
		return tokens{}, r, err
	}
	var t tokens
	return t, r, r.decode(&t)
}

// mustLogin is login for a check's own set-up: any failure is an error of
// the run, not a finding.
// A check that follows a flood may meet its tail: a busy or throttled
// answer is waited out (as Retry-After says) for a while.
func (c *client) mustLogin(ctx context.Context, username, password string) (tokens, error) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		t, r, err := c.login(ctx, username, password)
		if err != nil {
			return t, err
		}
		if r.status == http.StatusOK {
			return t, nil
		}
		busy := r.status == http.StatusServiceUnavailable || r.status == http.StatusTooManyRequests
		if !busy || time.Now().After(deadline) {
			return t, fmt.Errorf("set-up: login %s: %s", username, r)
		}
		wait, _ := strconv.Atoi(r.header.Get("Retry-After"))
		select {
		case <-ctx.Done():
			return t, ctx.Err()
		case <-time.After(time.Duration(max(wait, 1)) * time.Second):
		}
	}
}

func (c *client) refresh(ctx context.Context, refreshToken string) (response, error) {
	return c.do(ctx, http.MethodPost, "/api/v1/auth/refresh", "", map[string]string{"refreshToken": refreshToken}, nil)
}
