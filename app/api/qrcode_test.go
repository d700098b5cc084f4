package api_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// modules reads the dark modules back out of the SVG the bank draws.
func modules(t *testing.T, dataURL string) (int, [][2]int) {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(dataURL, "data:image/svg+xml;base64,"))
	if err != nil {
		t.Fatal(err)
	}
	size := regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`).FindSubmatch(raw)
	if size == nil {
		t.Fatalf("not the QR SVG: %.80s", raw)
	}
	n, _ := strconv.Atoi(string(size[1]))
	var dark [][2]int
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllSubmatch(raw, -1) {
		x, _ := strconv.Atoi(string(m[1]))
		y, _ := strconv.Atoi(string(m[2]))
		dark = append(dark, [2]int{x, y})
	}
	return n, dark
}

// TestPrintedTranscriptQRCodeVerifies: the transcript carries a short
// verification URL and its QR code; an independent decoder (jsQR) reads
// the URL back; the URL leads to the verify page, which checks exactly
// that transcript — and reports it revoked once an outcome is.
func TestPrintedTranscriptQRCodeVerifies(t *testing.T) {
	d := newDistrict(t)
	first := d.deposit("插花", 32)
	out := d.e.must(200, req{method: "GET", path: "/api/v1/learners/me/transcript", token: d.learner})
	url, _ := out["verifyUrl"].(string)
	code, ok := strings.CutPrefix(url, "http://creditbank.test/v/")
	if !ok || len(code) != 10 {
		t.Fatalf("verifyUrl %q", url)
	}
	node, ok := verifierNode()
	switch {
	case !ok && os.Getenv("CI") != "":
		t.Fatal(verifierMissing)
	case !ok:
		t.Log("QR decoding not checked: " + verifierMissing)
	default:
		size, dark := modules(t, out["verifyQr"].(string))
		in, _ := json.Marshal(map[string]any{"size": size, "dark": dark})
		cmd := exec.Command(node, "decodeqr.mjs")
		cmd.Dir = verifierDir
		cmd.Stdin = bytes.NewReader(in)
		decoded, err := cmd.Output()
		if err != nil || string(decoded) != url {
			t.Fatalf("the QR code decodes to %q (%v), want %q", decoded, err, url)
		}
	}
	res := d.e.do(req{method: "GET", path: "/v/" + code})
	if res.status != 302 || res.header.Get("Location") != "/#/verify?code="+code {
		t.Fatalf("short URL: %d %s", res.status, res.header.Get("Location"))
	}
	v := d.e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"code": strings.ToLower(code)}})
	if v["valid"] != true || v["format"] != "transcript" || v["subject"].(map[string]any)["name"] != "林静" {
		t.Fatalf("verify by code: %v", v)
	}
	d.e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + first + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "录入错误"}})
	if v := d.e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"code": code}}); v["valid"] != false || len(v["revokedOutcomes"].([]any)) != 1 {
		t.Fatalf("after revocation: %v", v)
	}
	// Codes that were never issued, or could not be.
	for _, bad := range []struct {
		code   string
		status int
	}{{"ZZZZZZZZZZ", 404}, {"short", 422}, {"0O1IL0O1IL", 422}} {
		if res := d.e.do(req{method: "POST", path: "/api/v1/verify", body: map[string]string{"code": bad.code}}); res.status != bad.status {
			t.Errorf("code %q: %d, want %d", bad.code, res.status, bad.status)
		}
	}
	if res := d.e.do(req{method: "GET", path: "/v/short"}); res.status != 404 {
		t.Errorf("/v/short: %d", res.status)
	}
}
