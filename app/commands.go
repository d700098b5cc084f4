package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"creditbank/app/service"
	"creditbank/auth"
	"creditbank/storage"
	"creditbank/storage/dump"
)

// openStoreFromArgs opens only the store: export and import must not create
// keys or an admin, or the target would no longer be empty.
func openStoreFromArgs(ctx context.Context, name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (storage.Store, *flag.FlagSet, error) {
	cfg, fs, err := commandConfig(name, args, stderr, extra)
	if err != nil {
		return nil, fs, err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, fs, fmt.Errorf("open store: %w", err)
	}
	return store, fs, nil
}

func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	store, fs, err := openStoreFromArgs(ctx, "export", args, stderr, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if fs.NArg() == 0 || fs.Arg(0) == "-" {
		return dump.Export(ctx, store, stdout)
	}
	// Write beside the target and rename, so a crash never leaves half a file
	// under the name an operator will import from.
	path := fs.Arg(0)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := dump.Export(ctx, store, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "exported to %s\n", path)
	return nil
}

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var force bool
	store, fs, err := openStoreFromArgs(ctx, "import", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&force, "force", false, "import into a store that already holds records")
	})
	if err != nil {
		return err
	}
	defer store.Close()
	var in io.Reader = os.Stdin
	if fs.NArg() > 0 && fs.Arg(0) != "-" {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	counts, err := dump.Import(ctx, store, in, dump.Options{Force: force})
	if err != nil {
		return err
	}
	out, _ := json.Marshal(counts)
	fmt.Fprintf(stdout, "imported %d records: %s\n", counts.Total(), out)
	return nil
}

const keysUsage = "usage: creditbank keys rotate | creditbank keys rotate-credentials | creditbank keys rotate-master --new-key-file PATH [--limit N]"

func cmdKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "rotate-master" {
		return cmdRotateMaster(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "rotate-credentials" {
		return cmdRotateCredentialKeys(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "rotate" {
		return exitError{code: 2, msg: keysUsage}
	}
	app, _, err := openFromArgs(ctx, "keys rotate", args[1:], stderr, nil)
	if err != nil {
		return err
	}
	defer app.Close()
	old := app.keys.CurrentKID()
	if err := app.keys.Rotate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new signing key %s (previous %s stays valid for tokens it signed until %s after now)\n",
		app.keys.CurrentKID(), old, auth.KeyRetention)
	return nil
}

// cmdRotateMaster re-seals every sealed value (national IDs, phones,
// signing keys) under a new master key and re-files accounts under the new
// key's lookup hash. The key configured as usual is the old one; the new one
// is read from --new-key-file (created, 0600, when missing). Every step is
// idempotent, so after an interruption the same command resumes. Only when
// a full pass finds nothing left under the old key does the data
// directory's key file (SQLite without CREDITBANK_MASTER_KEY) change to the
// new key, the old one kept beside it as master.key.retired-ID for restoring
// older backups.
func cmdRotateMaster(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var newKeyFile string
	var limit int
	cfg, _, err := commandConfig("keys rotate-master", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&newKeyFile, "new-key-file", "", "file holding the new master key (base64 of 32 bytes, mode 0600); created when missing")
		fs.IntVar(&limit, "limit", 0, "re-seal at most this many accounts in this run (0: all); run again to continue")
	})
	if err != nil {
		return err
	}
	if newKeyFile == "" || limit < 0 {
		return exitError{code: 2, msg: keysUsage}
	}
	current, err := auth.LoadMasterKey(cfg.MasterKey, cfg.masterKeyFile())
	if err != nil {
		return fmt.Errorf("current master key: %w", err)
	}
	older, err := cfg.olderMasterKeys()
	if err != nil {
		return err
	}
	fresh, err := auth.LoadMasterKey("", newKeyFile)
	if err != nil {
		return fmt.Errorf("new master key: %w", err)
	}
	vault, err := auth.NewVault(fresh, append([][]byte{current}, older...)...)
	if err != nil {
		return err
	}
	oldVault, err := auth.NewVault(current)
	if err != nil {
		return err
	}
	app, err := openWithVault(ctx, cfg, newLogger(stderr, cfg.LogLevel, cfg.LogFormat), nil, vault)
	if err != nil {
		return err
	}
	defer app.Close()
	keysTotal, keysResealed, err := auth.ResealSigningKeys(ctx, app.store, vault)
	if err != nil {
		return err
	}
	rep, err := app.svc.ResealAccounts(ctx, limit, func(done, stale int) {
		app.log.Info("re-sealing accounts", "resealed", done, "found", stale)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "master key %s: %d signing keys (%d re-sealed now), %d accounts (%d re-sealed now)\n",
		vault.KeyID(), keysTotal, keysResealed, rep.Accounts, rep.Resealed)
	if !rep.Complete {
		fmt.Fprintf(stdout, "stopped after %d accounts: %d remain under the old key; run the same command again to continue\n", rep.Resealed, rep.Remaining)
		return nil
	}
	if rep.Resealed > 0 || keysResealed > 0 {
		app.svc.AuditMasterKeyRotation(ctx, vault.KeyID(), rep, keysResealed)
	}
	switch keyFile := cfg.masterKeyFile(); {
	case bytes.Equal(current, fresh):
		fmt.Fprintln(stdout, "everything is sealed under the configured master key")
	case cfg.MasterKey == "" && keyFile != "":
		retired := keyFile + ".retired-" + oldVault.KeyID()
		if err := auth.ReplaceKeyFile(keyFile, fresh, retired); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "done: %s now holds the new key; the old key is in %s — keep it with backups made before today, or delete it; restart the server\n", keyFile, retired)
	default:
		fmt.Fprintf(stdout, "done: set CREDITBANK_MASTER_KEY to the key in %s, unset CREDITBANK_MASTER_KEY_OLD, and restart every server\n", newKeyFile)
	}
	return nil
}

// cmdRotateCredentialKeys makes new credential keys (Ed25519 for Data
// Integrity proofs, P-256 for VC-JWT); the old ones stay in the DID
// document, so what they signed keeps verifying.
func cmdRotateCredentialKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app, _, err := openFromArgs(ctx, "keys rotate-credentials", args, stderr, nil)
	if err != nil {
		return err
	}
	defer app.Close()
	old, _, _ := app.creds.ProofKey()
	if err := app.creds.Rotate(ctx); err != nil {
		return err
	}
	proof, _, _ := app.creds.ProofKey()
	jwtKID, _, _ := app.creds.JWTKey()
	fmt.Fprintf(stdout, "new credential keys %s and %s (previous %s stays in %s)\n", proof, jwtKID, old, "/.well-known/did.json")
	return nil
}

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return exitError{code: 2, msg: "usage: creditbank audit verify [--anchor SEQ:HASH]"}
	}
	var anchorFlag string
	store, _, err := openStoreFromArgs(ctx, "audit verify", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&anchorFlag, "anchor", "", "a head printed by an earlier run (SEQ:HASH): detects removal of the newest entries")
	})
	if err != nil {
		return err
	}
	defer store.Close()
	var anchor *service.AuditAnchor
	if anchorFlag != "" {
		seq, hash, ok := strings.Cut(anchorFlag, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || n < 1 || len(hash) != 64 {
			return exitError{code: 2, msg: "--anchor must be SEQ:HASH as printed by audit verify"}
		}
		anchor = &service.AuditAnchor{Seq: n, Hash: hash}
	}
	report, err := service.New(store, nil, nil, service.Config{}).VerifyAudit(ctx, anchor)
	if err != nil {
		return err
	}
	if !report.Valid {
		return exitError{code: 1, msg: "audit log INVALID: " + report.Problem}
	}
	fmt.Fprintf(stdout, "audit log valid: %d entries, hash chain intact\nhead: %d:%s (record it; pass it as --anchor later to detect truncation)\n",
		report.Entries, report.HeadSeq, report.HeadHash)
	return nil
}

// cmdVerify checks a transcript file (the JWT, or the JSON a learner
// downloaded with a "transcript" field). With --keys it needs nothing but
// the bank's published keys and, for revocations, a status file: no store,
// no network, as at an admissions office or an employer.
func cmdVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var keysPath, statusPath string
	cfg, fs, err := commandConfig("verify", flagsFirst(args, "demo"), stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&keysPath, "keys", "", "verify offline against the bank's DID document (GET /.well-known/did.json) or, for legacy transcripts, its JWK set (GET /api/v1/transcripts/keys), instead of the store")
		fs.StringVar(&statusPath, "status", "", "with --keys: the status list credential (GET /api/v1/credentials/status/1) or, for legacy transcripts, the status file (GET /api/v1/transcripts/status) to check revocations")
	})
	if err != nil {
		return err
	}
	if fs.NArg() != 1 || (statusPath != "" && keysPath == "") {
		return exitError{code: 2, msg: "usage: creditbank verify FILE [--keys did.json|JWKS.json [--status STATUS.json]]"}
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	token := credentialInput(raw)
	var v service.Verification
	if keysPath != "" && isDIDDocumentFile(keysPath) {
		if v, err = verifyIssuedOffline(token, keysPath, statusPath); err != nil {
			return exitError{code: 2, msg: err.Error()}
		}
	} else if keysPath != "" {
		if v, err = verifyOffline(token, keysPath, statusPath, explicitIssuer(fs)); err != nil {
			return exitError{code: 2, msg: err.Error()}
		}
	} else {
		app, err := openApplication(ctx, cfg, newLogger(stderr, cfg.LogLevel, cfg.LogFormat), nil)
		if err != nil {
			return err
		}
		defer app.Close()
		if v, err = app.svc.VerifyCredential(ctx, token); err != nil {
			return err
		}
	}
	for _, c := range v.Checks {
		mark := "ok  "
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(stdout, "%s %-10s %s\n", mark, c.Name, c.Message)
	}
	for _, o := range v.RevokedOutcomes {
		fmt.Fprintf(stdout, "     revoked: %s (%s)\n", o.Title, o.ID)
	}
	what := "transcript"
	if v.Format == "clr" || v.Format == "achievement" {
		what = "credential"
	}
	if !v.Valid {
		return exitError{code: 1, msg: what + " is NOT valid"}
	}
	if keysPath != "" && statusPath == "" {
		fmt.Fprintln(stdout, what+" is valid (revocations not checked offline)")
		return nil
	}
	fmt.Fprintln(stdout, what+" is valid")
	return nil
}

// credentialInput takes what a verifier was handed: a JSON credential with
// its embedded proof, a VC-JWT or transcript JWT, or the JSON a learner
// downloaded with a "transcript" field.
func credentialInput(raw []byte) string {
	var wrapped struct {
		Transcript string          `json:"transcript"`
		Proof      json.RawMessage `json:"proof"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && wrapped.Proof == nil && wrapped.Transcript != "" {
		return wrapped.Transcript
	}
	return strings.TrimSpace(string(raw))
}

// isDIDDocumentFile tells the bank's DID document from a legacy JWK set.
func isDIDDocumentFile(path string) bool {
	raw, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var doc struct {
		ID string `json:"id"`
	}
	return json.Unmarshal(raw, &doc) == nil && strings.HasPrefix(doc.ID, "did:")
}

func verifyIssuedOffline(token, didPath, statusPath string) (service.Verification, error) {
	did, err := os.ReadFile(didPath)
	if err != nil {
		return service.Verification{}, err
	}
	var lists [][]byte
	if statusPath != "" {
		st, err := os.ReadFile(statusPath)
		if err != nil {
			return service.Verification{}, err
		}
		lists = append(lists, st)
	}
	return service.VerifyIssuedOffline(token, did, lists, time.Now())
}

func verifyOffline(token, keysPath, statusPath, issuer string) (service.Verification, error) {
	rawKeys, err := os.ReadFile(keysPath)
	if err != nil {
		return service.Verification{}, err
	}
	keys, err := auth.ParseJWKS(rawKeys)
	if err != nil {
		return service.Verification{}, fmt.Errorf("--keys: %w", err)
	}
	var status []byte
	if statusPath != "" {
		if status, err = os.ReadFile(statusPath); err != nil {
			return service.Verification{}, err
		}
	}
	return service.VerifyOffline(token, keys, status, issuer, time.Now()), nil
}

// explicitIssuer is the issuer the operator named, if any: offline there is
// no configured bank whose default address would mean anything.
func explicitIssuer(fs *flag.FlagSet) string {
	issuer := os.Getenv("CREDITBANK_ISSUER")
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "issuer" {
			issuer = f.Value.String()
		}
	})
	return issuer
}

// flagsFirst moves positional arguments after the flags, so that
// "verify FILE --keys K" parses like "verify --keys K FILE" (the flag
// package stops at the first positional argument).
func flagsFirst(args []string, boolFlags ...string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			return append(flags, rest...)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && !slices.Contains(boolFlags, name) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}
