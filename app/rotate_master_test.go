package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/mongo/ferrettest"
)

// rotationStore is a bank to rotate: its store setting and the master key
// it was created with (base64), and whether that key lives in the data
// directory's key file (SQLite) or must be given in the environment.
type rotationStore struct {
	name    string
	store   string
	oldKey  string
	keyFile bool
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newMasterKey(t *testing.T) string {
	t.Helper()
	k := make([]byte, auth.MasterKeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// demoOnBothStores gives a demo district on a SQLite copy (key file) and on
// FerretDB (key in the environment).
func demoOnBothStores(t *testing.T) []rotationStore {
	t.Helper()
	sqliteStore := seededStore(t)
	key, err := os.ReadFile(filepath.Join(filepath.Dir(strings.TrimPrefix(sqliteStore, "sqlite:")), "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	mongoStore := ferrettest.Start(t) + ferrettest.DatabaseName(t)
	mongoKey := newMasterKey(t)
	ctx := context.Background()
	app, err := openApplication(ctx, Config{Store: mongoStore, MasterKey: mongoKey, Audience: "creditbank", Issuer: "http://creditbank.test", Demo: true}, quietLog(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.bootstrap(ctx, io.Discard); err != nil {
		t.Fatal(err)
	}
	app.Close()
	return []rotationStore{
		{name: "sqlite", store: sqliteStore, oldKey: strings.TrimSpace(string(key)), keyFile: true},
		{name: "mongo", store: mongoStore, oldKey: mongoKey},
	}
}

// useKeys sets the environment a command reads its keys from.
func (rs rotationStore) useKeys(t *testing.T) {
	t.Helper()
	if rs.keyFile {
		t.Setenv("CREDITBANK_MASTER_KEY", "")
	} else {
		t.Setenv("CREDITBANK_MASTER_KEY", rs.oldKey)
	}
	t.Setenv("CREDITBANK_MASTER_KEY_OLD", "")
}

func decodeKey(t *testing.T, b64 string) []byte {
	t.Helper()
	k, err := auth.DecodeMasterKey(b64)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readKey(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// sealedCounts opens every account's sealed values with vault alone and
// counts the accounts whose values all name its current key and whose
// lookup hash is that key's; a value it cannot open, or a hash of no key
// it holds, fails the test unless allowOthers.
func sealedCounts(t *testing.T, store storage.Store, vault *auth.Vault, allowOthers bool) (current, total int) {
	t.Helper()
	err := store.ScanAccounts(context.Background(), func(a *domain.Account) error {
		total++
		ok := true
		for purpose, sealed := range map[string]string{"national-id": a.PII.NationalIDSealed, "phone": a.PII.PhoneSealed} {
			if sealed == "" {
				continue
			}
			plain, err := vault.Open(purpose, sealed)
			if err != nil {
				if !allowOthers {
					t.Errorf("account %s: %s does not open with the key: %v", a.ID, purpose, err)
				}
				ok = false
				continue
			}
			ok = ok && vault.SealedByCurrent(sealed)
			if purpose == "national-id" && a.PII.NationalIDHash != vault.LookupHash(plain) {
				if !allowOthers && !slices.Contains(vault.LookupHashes(plain), a.PII.NationalIDHash) {
					t.Errorf("account %s is filed under a hash of no key of the vault", a.ID)
				}
				ok = false
			}
		}
		if ok {
			current++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return current, total
}

func storeFor(t *testing.T, setting string) storage.Store {
	t.Helper()
	s, err := openStore(context.Background(), Config{Store: setting})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// checkOnlyNewKey opens the bank with the new key alone: every sealed value
// opens, the signing key unseals, and admin, staff and a learner (by
// national ID) sign in. The old key alone no longer opens it.
func checkOnlyNewKey(t *testing.T, rs rotationStore, newKey string) {
	t.Helper()
	ctx := context.Background()
	newVault, err := auth.NewVault(decodeKey(t, newKey))
	if err != nil {
		t.Fatal(err)
	}
	store := storeFor(t, rs.store)
	if current, total := sealedCounts(t, store, newVault, false); current != total || total == 0 {
		t.Errorf("%d of %d accounts sealed under the new key", current, total)
	}
	if n, resealed, err := auth.ResealSigningKeys(ctx, store, newVault); err != nil || resealed != 0 || n == 0 {
		t.Errorf("signing keys under the new key: %d keys, %d not yet, %v", n, resealed, err)
	}
	cfg := Config{Store: rs.store, Audience: "creditbank", Issuer: "http://creditbank.test"}
	if !rs.keyFile {
		cfg.MasterKey = newKey
	}
	app, err := openApplication(ctx, cfg, quietLog(), nil)
	if err != nil {
		t.Fatalf("open with the new key alone: %v", err)
	}
	defer app.Close()
	if app.vault.KeyID() != newVault.KeyID() {
		t.Fatalf("the bank opened with key %s, want the new %s", app.vault.KeyID(), newVault.KeyID())
	}
	for _, l := range [][2]string{{"admin", demoAdminPassword}, {"ou.reviewer", demoStaffPassword}, {demoLearnerID(t), demoLearnerPassword}} {
		if _, err := app.svc.Login(ctx, l[0], l[1], service.Actor{}); err != nil {
			t.Errorf("login %s with the new key: %v", domain.MaskNationalID(l[0]), err)
		}
	}
	old, err := openApplication(ctx, Config{Store: rs.store, MasterKey: rs.oldKey, Audience: "creditbank", Issuer: "http://creditbank.test"}, quietLog(), nil)
	if err == nil {
		old.Close()
		t.Error("the old key alone still opens the bank's signing key")
	}
}

func TestKeysRotateMasterResumesOnBothStores(t *testing.T) {
	for _, rs := range demoOnBothStores(t) {
		t.Run(rs.name, func(t *testing.T) {
			rs.useKeys(t)
			ctx := context.Background()
			newKeyFile := filepath.Join(t.TempDir(), "new.key")
			// An account registered at the desk, to be claimed half-way;
			// the newest, so the first two re-sealed are others.
			unclaimedID, err := domain.CompleteNationalID("44010319900101888")
			if err != nil {
				t.Fatal(err)
			}
			oldCfg := Config{Store: rs.store, MasterKey: rs.oldKey, Audience: "creditbank", Issuer: "http://creditbank.test"}
			before, err := openApplication(ctx, oldCfg, quietLog(), nil)
			if err != nil {
				t.Fatal(err)
			}
			desk := service.Actor{Role: domain.RoleAdmin, ID: domain.NewID()}
			unclaimed, _, err := before.svc.RegisterLearner(ctx, desk, service.Op{}, service.RegisterInput{NationalID: string(unclaimedID), Name: "陈晓"})
			if err != nil {
				t.Fatal(err)
			}
			before.Close()

			// A first run stopped after two accounts, as an interrupted one.
			code, out, stderr := cli(t, "keys", "rotate-master", "--store", rs.store, "--new-key-file", newKeyFile, "--limit", "2")
			if code != 0 || !strings.Contains(out, "stopped after 2 accounts") {
				t.Fatalf("first run: %d\n%s\n%s", code, out, stderr)
			}
			newKey := readKey(t, newKeyFile) // created by the command
			if info, err := os.Stat(newKeyFile); err != nil || info.Mode().Perm() != 0o600 {
				t.Fatalf("new key file: %v %v", info, err)
			}
			newVault, _ := auth.NewVault(decodeKey(t, newKey))
			if current, total := sealedCounts(t, storeFor(t, rs.store), newVault, true); current != 2 || total < 4 {
				t.Fatalf("after the stopped run %d of %d accounts are under the new key, want 2", current, total)
			}
			// Half-way, a server given both keys finds every learner by
			// national ID, whichever key their account is under.
			both, err := openApplication(ctx, Config{Store: rs.store, MasterKey: newKey, MasterKeyOld: rs.oldKey, Audience: "creditbank", Issuer: "http://creditbank.test"}, quietLog(), nil)
			if err != nil {
				t.Fatal(err)
			}
			admin := service.Actor{Role: domain.RoleAdmin, ID: domain.NewID()}
			err = both.store.ScanAccounts(ctx, func(a *domain.Account) error {
				nid, err := both.vault.Open("national-id", a.PII.NationalIDSealed)
				if err != nil {
					return err
				}
				found, err := both.svc.FindLearner(ctx, admin, nid)
				if err != nil || found.ID != a.ID {
					t.Errorf("half-way, looking up account %s by national ID: %v", a.ID, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := both.svc.Login(ctx, demoLearnerID(t), demoLearnerPassword, service.Actor{}); err != nil {
				t.Errorf("half-way learner login: %v", err)
			}
			// Claiming the account still under the old key claims it: no
			// second account for the same person under the new key's hash.
			claimed, created, err := both.svc.RegisterLearner(ctx, service.Actor{}, service.Op{}, service.RegisterInput{NationalID: string(unclaimedID), Name: "陈晓", Password: "claim-half-way-2026"})
			if err != nil || created || claimed.ID != unclaimed.ID {
				t.Fatalf("half-way claim: created %v, err %v, same account %v", created, err, err == nil && claimed.ID == unclaimed.ID)
			}
			if _, err := both.svc.Login(ctx, string(unclaimedID), "claim-half-way-2026", service.Actor{}); err != nil {
				t.Errorf("login after the half-way claim: %v", err)
			}
			both.Close()

			code, out, stderr = cli(t, "keys", "rotate-master", "--store", rs.store, "--new-key-file", newKeyFile)
			if code != 0 || !strings.Contains(out, "done:") {
				t.Fatalf("second run: %d\n%s\n%s", code, out, stderr)
			}
			if rs.keyFile {
				keyPath := filepath.Join(filepath.Dir(strings.TrimPrefix(rs.store, "sqlite:")), "master.key")
				if got := readKey(t, keyPath); got != newKey {
					t.Error("the data directory's key file does not hold the new key")
				}
				oldVault, _ := auth.NewVault(decodeKey(t, rs.oldKey))
				if got := readKey(t, keyPath+".retired-"+oldVault.KeyID()); got != rs.oldKey {
					t.Error("the old key was not kept for older backups")
				}
			}
			checkOnlyNewKey(t, rs, newKey)

			// A third run has nothing left to do.
			if !rs.keyFile {
				t.Setenv("CREDITBANK_MASTER_KEY", newKey)
			}
			code, out, stderr = cli(t, "keys", "rotate-master", "--store", rs.store, "--new-key-file", newKeyFile)
			if code != 0 || !strings.Contains(out, "(0 re-sealed now)") || !strings.Contains(out, "everything is sealed under the configured master key") {
				t.Fatalf("third run: %d\n%s\n%s", code, out, stderr)
			}
			audit, _, err := storeFor(t, rs.store).ListAudit(ctx, storage.AuditFilter{Action: "keys.rotate_master"}, storage.Page{Limit: 10})
			if err != nil || len(audit) != 1 || audit[0].ObjectID != newVault.KeyID() {
				t.Errorf("audit of the rotation = %v, %v", audit, err)
			}
			if code, out, stderr := cli(t, "audit", "verify", "--store", rs.store); code != 0 {
				t.Errorf("audit chain after the rotation: %d %s %s", code, out, stderr)
			}
		})
	}
}

// seedLearners adds n accounts straight into the store under the bank's
// current key, every tenth with a phone, so that a rotation takes long
// enough to be killed in the middle.
func seedLearners(t *testing.T, rs rotationStore, n int) {
	t.Helper()
	ctx := context.Background()
	cfg := Config{Store: rs.store, Audience: "creditbank", Issuer: "http://creditbank.test"}
	if !rs.keyFile {
		cfg.MasterKey = rs.oldKey
	}
	app, err := openApplication(ctx, cfg, quietLog(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	now := time.Now()
	for i := 0; i < n; i++ {
		nid, err := domain.CompleteNationalID(fmt.Sprintf("3101011970010%d%03d", 1+i/1000, i%1000))
		if err != nil {
			t.Fatal(err)
		}
		pii, err := app.svc.SealIdentity(nid)
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if pii.PhoneSealed, err = app.vault.Seal("phone", fmt.Sprintf("138%08d", i)); err != nil {
				t.Fatal(err)
			}
			pii.PhoneMasked = domain.MaskPhone(fmt.Sprintf("138%08d", i))
		}
		acc, err := domain.NewAccount(fmt.Sprintf("学员%d", i), pii, nid.BirthDate(), now)
		if err != nil {
			t.Fatal(err)
		}
		if err := app.store.CreateAccount(ctx, nil, acc); err != nil {
			t.Fatal(err)
		}
	}
}

// The rotation is killed (SIGKILL) in the middle of its work; a rerun
// finishes it and nothing is left unreadable, on both stores.
func TestKeysRotateMasterSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if raceEnabled {
		// Seeding 1 200 learners is most of its time, several times over
		// under the race detector; it runs with the crash tests instead.
		t.Skip("runs in the crash tests' pass, without the race detector")
	}
	bin := buildBinary(t, t.TempDir())
	for _, rs := range demoOnBothStores(t) {
		t.Run(rs.name, func(t *testing.T) {
			n := 1200
			if rs.name == "mongo" {
				n = 250 // FerretDB is slower to seed; the kill still lands after 100 of them
			}
			seedLearners(t, rs, n)
			newKeyFile := filepath.Join(t.TempDir(), "new.key")
			cmd := exec.Command(bin, "keys", "rotate-master", "--store", rs.store, "--new-key-file", newKeyFile)
			cmd.Env = append(os.Environ(), "CREDITBANK_MASTER_KEY_OLD=")
			if rs.keyFile {
				cmd.Env = append(cmd.Env, "CREDITBANK_MASTER_KEY=")
			} else {
				cmd.Env = append(cmd.Env, "CREDITBANK_MASTER_KEY="+rs.oldKey)
			}
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it as soon as it reports its first hundred accounts.
			lines := bufio.NewScanner(stderr)
			var seen []string
			for lines.Scan() {
				seen = append(seen, lines.Text())
				if strings.Contains(lines.Text(), "re-sealing accounts") {
					break
				}
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			go io.Copy(io.Discard, stderr)
			cmd.Wait()
			if len(seen) == 0 || !strings.Contains(seen[len(seen)-1], "re-sealing accounts") {
				t.Fatalf("the rotation ended before reporting progress: %q", seen)
			}
			newKey := readKey(t, newKeyFile)
			newVault, _ := auth.NewVault(decodeKey(t, newKey))
			current, total := sealedCounts(t, storeFor(t, rs.store), newVault, true)
			if current < 100 || current >= total {
				t.Fatalf("killed rotation left %d of %d accounts under the new key; want it caught in the middle", current, total)
			}
			// Nothing is unreadable in between: the old and the new key
			// together open every account.
			both, _ := auth.NewVault(decodeKey(t, newKey), decodeKey(t, rs.oldKey))
			if _, all := sealedCounts(t, storeFor(t, rs.store), both, false); all != total {
				t.Fatalf("scanned %d of %d", all, total)
			}
			t.Logf("killed after %d of %d accounts", current, total)

			rs.useKeys(t)
			started := time.Now()
			code, out, errOut := cli(t, "keys", "rotate-master", "--store", rs.store, "--new-key-file", newKeyFile)
			if code != 0 || !strings.Contains(out, "done:") {
				t.Fatalf("rerun: %d\n%s\n%s", code, out, errOut)
			}
			t.Logf("the rerun re-sealed the other %d accounts in %v", total-current, time.Since(started).Round(time.Millisecond))
			checkOnlyNewKey(t, rs, newKey)
		})
	}
}
