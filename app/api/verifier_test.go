package api_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// verifierDir holds the independent verifier: the Digital Credentials
// Consortium's @digitalcredentials/verifier-core, pinned by package-lock.json.
const verifierDir = "testdata/verifier"

type dccResult struct {
	File     string   `json:"file"`
	Verified bool     `json:"verified"`
	Revoked  *bool    `json:"revoked"`
	Errors   []string `json:"errors"`
	Log      []struct {
		ID    string `json:"id"`
		Valid *bool  `json:"valid"`
		Error string `json:"error"`
	} `json:"log"`
}

// verifierNode returns the node binary if the verifier is installed.
func verifierNode() (string, bool) {
	node, err := exec.LookPath("node")
	_, statErr := os.Stat(filepath.Join(verifierDir, "node_modules", "@digitalcredentials", "verifier-core", "package.json"))
	return node, err == nil && statErr == nil
}

const verifierMissing = "the independent verifier is not installed: run `npm ci --prefix app/api/testdata/verifier` (needs node ≥ 20)"

// needVerifier returns the node binary, or skips outside CI when the
// verifier is not installed. In CI (CI set) a missing verifier fails.
func needVerifier(t *testing.T) string {
	t.Helper()
	if node, ok := verifierNode(); ok {
		return node
	}
	if os.Getenv("CI") != "" {
		t.Fatal(verifierMissing)
	}
	t.Skip(verifierMissing)
	return ""
}

// serve exposes the env's HTTP app on a real loopback port, for a client
// in another process.
func serve(t *testing.T, e *env) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go e.app.Listener(ln)
	t.Cleanup(func() { e.app.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

// runDCC verifies the files with the DCC verifier, offline but for the bank.
func runDCC(t *testing.T, node, bank string, files ...string) map[string]dccResult {
	t.Helper()
	contexts, err := filepath.Abs("../../auth/vc/contexts")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "verify.mjs")
	cmd.Args = append(cmd.Args, files...)
	cmd.Dir = verifierDir
	cmd.Env = append(os.Environ(), "BANK_ORIGIN=http://creditbank.test", "BANK_URL="+bank, "CONTEXTS="+contexts)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("verifier: %v\n%s", err, stderr.String())
	}
	results := map[string]dccResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r dccResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("verifier output %q: %v", sc.Text(), err)
		}
		results[r.File] = r
	}
	if len(results) != len(files) {
		t.Fatalf("%d results for %d files:\n%s\n%s", len(results), len(files), out, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, "fetched: ") {
			t.Log("the verifier " + line)
		}
	}
	return results
}

// TestIndependentVerifierAcceptsAndRevokes: the DCC verifier, as wallets
// use it, accepts a fresh CLR and each AchievementCredential (signature,
// did:web key, status list); after one outcome is revoked the same files
// are reported revoked — the CLR and that outcome's badge, not the other.
func TestIndependentVerifierAcceptsAndRevokes(t *testing.T) {
	node := needVerifier(t)
	d := newDistrict(t)
	first := d.deposit("插花", 32)
	d.deposit("合唱", 16)
	clr, standalone := clrExport(t, d)
	// Every AchievementCredential inside the CLR, as the learner's file
	// holds it, and the ones downloaded beside it (the same bytes).
	var inside struct {
		CredentialSubject struct {
			VerifiableCredential []json.RawMessage `json:"verifiableCredential"`
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal(clr, &inside); err != nil {
		t.Fatal(err)
	}
	achievements := inside.CredentialSubject.VerifiableCredential
	if len(achievements) != 2 || len(standalone) != 2 || !bytes.Equal(achievements[0], standalone[0]) || !bytes.Equal(achievements[1], standalone[1]) {
		t.Fatalf("the CLR's credentials differ from those downloaded beside it")
	}
	dir := t.TempDir()
	files := []string{filepath.Join(dir, "clr.json")}
	if err := os.WriteFile(files[0], clr, 0o600); err != nil {
		t.Fatal(err)
	}
	revokedFile := ""
	for i, a := range achievements {
		f := filepath.Join(dir, "achievement-"+strconv.Itoa(i)+".json")
		if err := os.WriteFile(f, a, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		if bytes.Contains(a, []byte(`"urn:uuid:`+first+`"`)) {
			revokedFile = filepath.Base(f)
		}
	}
	bank := serve(t, d.e)
	for name, r := range runDCC(t, node, bank, files...) {
		if !r.Verified || r.Revoked == nil || *r.Revoked {
			t.Errorf("%s before revocation: %+v", name, r)
		}
	}
	d.e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + first + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "录入错误"}})
	for name, r := range runDCC(t, node, bank, files...) {
		wantRevoked := name == "clr.json" || name == revokedFile
		if r.Revoked == nil || *r.Revoked != wantRevoked {
			t.Errorf("%s after revoking %s: revoked=%v, want %v (%+v)", name, first, r.Revoked, wantRevoked, r)
		}
	}
}
