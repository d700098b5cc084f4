package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/domain"
)

// offlineKit is what an admissions office holds: files downloaded from the
// bank, and no access to its store.
type offlineKit struct {
	dir string
	// The 1EdTech export and what verifies it offline: the CLR with its
	// embedded proof and as VC-JWT, one AchievementCredential, the DID
	// document and status lists (fresh after a revocation).
	clrJSON, clrJWT, badge string
	did, otherDID          string
	statusList             func() string
	clrTampered            string
	store                  string // the bank's store, for commands run at the bank
	transcript, clr        string // files
	keys, status           string // files
	wrongKeys              string
	tampered               string
	revokeFirst            func() // revokes the transcript's first outcome at the bank
	freshStatus, oldStatus func() string
}

func write(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func newOfflineKit(t *testing.T) *offlineKit {
	t.Helper()
	store := seededStore(t)
	ctx := context.Background()
	cfg := Config{Store: store, Audience: "creditbank", Issuer: "http://creditbank.test"}
	app, err := openApplication(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	pair, err := app.svc.Login(ctx, "11010519620315123X", demoLearnerPassword, service.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := app.tokens.Verify(pair.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	learner := service.Actor{Role: p.Role, ID: p.Subject}
	tr, err := app.svc.IssueTranscript(ctx, learner)
	if err != nil {
		t.Fatal(err)
	}
	clr, err := app.svc.IssueCLR(ctx, learner)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := app.svc.TranscriptKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(keys.JWKS())
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	wrong, _ := json.Marshal(auth.JWKSet{Keys: []auth.JWK{{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: auth.Thumbprint(pub), Use: "sig", Alg: "EdDSA"}}})

	k := &offlineKit{dir: t.TempDir(), store: store}
	k.transcript = write(t, k.dir, "transcript.json", []byte(`{"transcript":"`+tr.Token+`"}`))
	k.clr = write(t, k.dir, "clr.jwt", []byte(clr.Token))
	k.clrJSON = write(t, k.dir, "clr.json", clr.Credential)
	k.clrJWT = write(t, k.dir, "clr-vc.jwt", []byte(clr.Token))
	k.badge = write(t, k.dir, "badge.json", clr.Achievements[0])
	k.clrTampered = write(t, k.dir, "clr-tampered.json", []byte(strings.Replace(string(clr.Credential), `"creditsEarned":`, `"creditsEarned":9`, 1)))
	didDoc, _ := json.Marshal(app.creds.DIDDocument())
	k.did = write(t, k.dir, "did.json", didDoc)
	otherDir := t.TempDir()
	otherStore := "sqlite:" + filepath.Join(otherDir, "other.db")
	other, err := openApplication(ctx, Config{Store: otherStore, Audience: "creditbank", Issuer: "http://creditbank.test", MasterKey: base64.StdEncoding.EncodeToString(make([]byte, 32))},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	otherDoc, _ := json.Marshal(other.creds.DIDDocument())
	other.Close()
	k.otherDID = write(t, k.dir, "other-did.json", otherDoc)
	k.statusList = func() string {
		t.Helper()
		svc := service.New(app.store, app.vault, app.tokens, service.Config{Transcripts: auth.NewTranscriptSigner(cfg.Issuer, app.keys, nil), Credentials: app.creds})
		raw, err := svc.StatusListCredential(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		return write(t, k.dir, "status-list-"+domain.NewID().String()+".json", raw)
	}
	k.tampered = write(t, k.dir, "tampered.jwt", []byte(tamper(t, tr.Token)))
	k.keys = write(t, k.dir, "keys.json", jwks)
	k.wrongKeys = write(t, k.dir, "wrong-keys.json", wrong)
	k.freshStatus = func() string {
		t.Helper()
		st, err := service.New(app.store, app.vault, app.tokens, service.Config{Transcripts: auth.NewTranscriptSigner(cfg.Issuer, app.keys, nil)}).RevocationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return write(t, k.dir, "status-"+domain.NewID().String()+".json", []byte(`{"status":"`+st.Token+`"}`))
	}
	k.oldStatus = func() string {
		t.Helper()
		signer := auth.NewTranscriptSigner(cfg.Issuer, app.keys, func() time.Time { return time.Now().Add(-8 * 24 * time.Hour) })
		tok, _, _, err := signer.SignStatus(nil, service.StatusLifetime)
		if err != nil {
			t.Fatal(err)
		}
		return write(t, k.dir, "old-status.json", []byte(tok))
	}
	k.status = k.freshStatus()
	k.revokeFirst = func() {
		t.Helper()
		acc, err := app.store.GetAccount(ctx, p.Subject)
		if err != nil {
			t.Fatal(err)
		}
		first := tr.Subject.Outcomes[0]
		o, _ := acc.Outcome(uuidOf(t, first.ID))
		if _, err := acc.Revoke(o.ID, o.IssuerID, "录入错误", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := app.store.UpdateAccount(ctx, nil, acc); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// tamper changes one credit in the signed payload, keeping the signature.
func tamper(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(payload), `"bankedCredits":`, `"bankedCredits":9`, 1)
	if changed == string(payload) {
		t.Fatal("nothing to tamper with")
	}
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(changed)) + "." + parts[2]
}

func TestVerifyOffline(t *testing.T) {
	k := newOfflineKit(t)
	// The store the online verifier would use is never named: an offline
	// run must not need one (a bad --store would fail if it were opened).
	noStore := "sqlite:" + filepath.Join(k.dir, "missing", "nothing.db")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"valid, no status file", []string{k.transcript, "--keys", k.keys}, 0,
			[]string{"ok   signature", "ok   revocation not checked offline", "transcript is valid (revocations not checked offline)"}},
		{"valid with status, flags first", []string{"--keys", k.keys, "--status", k.status, k.transcript}, 0,
			[]string{"ok   revocation no certified outcome has been revoked", "transcript is valid\n"}},
		{"tampered", []string{k.tampered, "--keys", k.keys}, 1, []string{"FAIL signature"}},
		{"wrong keys", []string{k.transcript, "--keys", k.wrongKeys}, 1, []string{"FAIL signature  cannot verify: signed by a key this bank never used"}},
		{"status file signed by other keys", []string{k.transcript, "--keys", k.keys, "--status", k.wrongKeys}, 1, []string{"FAIL revocation"}},
		{"expired status file", []string{k.transcript, "--keys", k.keys, "--status", k.oldStatus()}, 1, []string{"FAIL revocation the status file expired"}},
		{"issuer pinned and wrong", []string{k.transcript, "--keys", k.keys, "--issuer", "https://elsewhere.example"}, 1, []string{"FAIL issuer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cli(t, append([]string{"verify", "--store", noStore}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	if code, _, _ := cli(t, "verify", k.transcript, "--status", k.status); code != 2 {
		t.Errorf("--status without --keys: exit %d, want 2", code)
	}

	// A revocation at the bank reaches the verifier with the next status file.
	k.revokeFirst()
	code, out, _ := cli(t, "verify", "--store", noStore, k.transcript, "--keys", k.keys, "--status", k.freshStatus())
	if code != 1 || !strings.Contains(out, "FAIL revocation") || !strings.Contains(out, "revoked: ") {
		t.Fatalf("after revocation: exit %d\n%s", code, out)
	}
}

// TestVerifyCredentialOffline: `creditbank verify` checks the 1EdTech
// export in both proof forms with the DID document and a status list
// downloaded from the bank, and tells "could not check revocation" from
// "not revoked".
func TestVerifyCredentialOffline(t *testing.T) {
	k := newOfflineKit(t)
	noStore := "sqlite:" + filepath.Join(k.dir, "missing", "nothing.db")
	status := k.statusList()
	forged := write(t, k.dir, "forged-status.json", []byte(strings.Replace(readFile(t, status), `"revocation"`, `"suspension"`, 1)))
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"CLR with embedded proof", []string{k.clrJSON, "--keys", k.did, "--status", status}, 0,
			[]string{"ok   format     credential with an embedded Data Integrity proof", "ok   revocation no certified outcome has been revoked", "credential is valid\n"}},
		{"CLR as VC-JWT", []string{k.clrJWT, "--keys", k.did, "--status", status}, 0, []string{"as VC-JWT (ES256)", "credential is valid\n"}},
		{"one badge", []string{k.badge, "--keys", k.did, "--status", status}, 0, []string{"credential is valid\n"}},
		{"no status list", []string{k.clrJSON, "--keys", k.did}, 0,
			[]string{"ok   revocation could not check revocation offline", "credential is valid (revocations not checked offline)"}},
		{"forged status list", []string{k.clrJSON, "--keys", k.did, "--status", forged}, 1, []string{"FAIL revocation could not check revocation: the status list cannot be trusted"}},
		{"tampered credential", []string{k.clrTampered, "--keys", k.did, "--status", status}, 1, []string{"FAIL signature"}},
		{"another bank's keys", []string{k.clrJSON, "--keys", k.otherDID}, 1, []string{"FAIL signature  cannot verify: signed by a key the issuer's DID document does not list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := cli(t, append([]string{"verify", "--store", noStore}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	// The same downloaded files, after the bank revokes an outcome.
	k.revokeFirst()
	fresh := k.statusList()
	for _, file := range []string{k.clrJSON, k.clrJWT} {
		code, out, _ := cli(t, "verify", "--store", noStore, file, "--keys", k.did, "--status", fresh)
		if code != 1 || !strings.Contains(out, "FAIL revocation certified outcomes have been revoked") || !strings.Contains(out, "revoked: ") {
			t.Errorf("%s after revocation: exit %d\n%s", filepath.Base(file), code, out)
		}
	}
	// The status list downloaded before the revocation still says nothing is revoked.
	if code, _, _ := cli(t, "verify", "--store", noStore, k.clrJSON, "--keys", k.did, "--status", status); code != 0 {
		t.Errorf("old status list: exit %d", code)
	}
}

// TestRotateCredentialKeysKeepsOldCredentialsValid: after `keys
// rotate-credentials` the DID document lists old and new keys, and a CLR
// signed before still verifies offline against it.
func TestRotateCredentialKeysKeepsOldCredentialsValid(t *testing.T) {
	k := newOfflineKit(t)
	code, out, stderr := cli(t, "keys", "rotate-credentials", "--store", k.store)
	if code != 0 || !strings.Contains(out, "new credential keys did:web:") {
		t.Fatalf("rotate: exit %d\n%s%s", code, out, stderr)
	}
	app, err := openApplication(context.Background(), Config{Store: k.store, Audience: "creditbank", Issuer: "http://creditbank.test"}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	doc := app.creds.DIDDocument()
	app.Close()
	if len(doc.VerificationMethod) != 4 || len(doc.AssertionMethod) != 4 {
		t.Fatalf("DID document after rotation lists %d methods, want the 2 old and 2 new", len(doc.VerificationMethod))
	}
	raw, _ := json.Marshal(doc)
	did := write(t, k.dir, "did-rotated.json", raw)
	noStore := "sqlite:" + filepath.Join(k.dir, "missing", "nothing.db")
	for _, f := range []string{k.clrJSON, k.clrJWT} {
		if code, out, _ := cli(t, "verify", "--store", noStore, f, "--keys", did); code != 0 {
			t.Errorf("%s signed before rotation: exit %d\n%s", filepath.Base(f), code, out)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func uuidOf(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
