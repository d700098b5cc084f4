package dump_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/dump"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/storetest"
)

// TestRoundTripSQLiteMongoSQLite moves a bank SQLite → MongoDB → SQLite; the
// three exports must be byte-identical and versions must survive, so that
// compare-and-swap carries on after a migration.
func TestRoundTripSQLiteMongoSQLite(t *testing.T) {
	for _, target := range ferrettest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx := testCtx(t)
			src := openSQLite(t, "src")
			want := seed(t, src)
			first := export(t, src)

			mid := openMongo(t, target)
			counts, err := dump.Import(ctx, mid, bytes.NewReader(first), dump.Options{})
			if err != nil {
				t.Fatalf("import into mongo: %v", err)
			}
			if counts != want.counts {
				t.Fatalf("counts = %+v, want %+v", counts, want.counts)
			}
			second := export(t, mid)

			dst := openSQLite(t, "dst")
			if _, err := dump.Import(ctx, dst, bytes.NewReader(second), dump.Options{}); err != nil {
				t.Fatalf("import into sqlite: %v", err)
			}
			third := export(t, dst)

			if !bytes.Equal(first, second) {
				t.Fatalf("SQLite and MongoDB exports differ:\n%s", firstDiff(first, second))
			}
			if !bytes.Equal(first, third) {
				t.Fatalf("exports differ after the round trip:\n%s", firstDiff(first, third))
			}

			a, err := mid.GetAccount(ctx, want.account.ID)
			if err != nil {
				t.Fatalf("load migrated account: %v", err)
			}
			if a.Version != want.account.Version {
				t.Fatalf("migrated version = %d, want %d", a.Version, want.account.Version)
			}
			if err := mid.UpdateAccount(ctx, nil, a); err != nil {
				t.Fatalf("compare-and-swap after migration: %v", err)
			}
			p, err := mid.GetCreditPolicy(ctx)
			if err != nil || p.Version != 3 {
				t.Fatalf("migrated policy = %+v, %v; want version 3", p, err)
			}
		})
	}
}

func TestExportFormat(t *testing.T) {
	s := openSQLite(t, "src")
	seed(t, s)
	lines := strings.Split(strings.TrimSuffix(string(export(t, s)), "\n"), "\n")
	if lines[0] != `{"kind":"format","doc":{"name":"creditbank-export","version":1}}` {
		t.Fatalf("first line = %s", lines[0])
	}
	var kinds []string
	for _, l := range lines {
		k := strings.TrimPrefix(l, `{"kind":"`)
		k = k[:strings.IndexByte(k, '"')]
		if len(kinds) == 0 || kinds[len(kinds)-1] != k {
			kinds = append(kinds, k)
		}
	}
	want := "format creditPolicy framework signingKey institution user client rule unit course account audit statusIndex verificationCode"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("kind order = %s, want %s", got, want)
	}
	all := strings.Join(lines, "\n")
	for _, secret := range []string{`"rt"`, `"idem"`} {
		if strings.Contains(all, secret) {
			t.Fatalf("export contains session data %s", secret)
		}
	}
	if !strings.Contains(all, `<ok> & done`) {
		t.Fatal("export HTML-escapes text")
	}
}

func TestImportRefusesNonEmptyStore(t *testing.T) {
	ctx := testCtx(t)
	src := openSQLite(t, "src")
	seed(t, src)
	file := export(t, src)

	tests := []struct {
		name  string
		fill  func(t *testing.T, s storage.Store)
		names string
	}{
		{"accounts", func(t *testing.T, s storage.Store) {
			mustDo(t, s.CreateAccount(ctx, nil, storetest.NewAccount(time.Now())))
		}, "accounts"},
		{"users", func(t *testing.T, s storage.Store) {
			mustDo(t, s.CreateUser(ctx, nil, &domain.User{ID: domain.NewID(), Username: "other", Role: domain.RoleAdmin}))
		}, "users"},
		{"signing keys", func(t *testing.T, s storage.Store) {
			mustDo(t, s.SaveSigningKey(ctx, &storage.SigningKey{KID: "zz", PrivateSealed: "x"}))
		}, "signing keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := openSQLite(t, "dst")
			tt.fill(t, dst)
			counts, err := dump.Import(ctx, dst, bytes.NewReader(file), dump.Options{})
			if !errors.Is(err, dump.ErrNotEmpty) || !errors.Is(err, domain.ErrConflict) {
				t.Fatalf("err = %v, want ErrNotEmpty", err)
			}
			if !strings.Contains(err.Error(), tt.names) {
				t.Fatalf("error %q does not say what the store holds (%s)", err, tt.names)
			}
			if counts.Total() != 0 {
				t.Fatalf("imported %d records into a non-empty store", counts.Total())
			}
			if n, _ := dst.CountAccounts(ctx); tt.name != "accounts" && n != 0 {
				t.Fatalf("store now has %d accounts", n)
			}

			// Forced, records that do not collide load.
			counts, err = dump.Import(ctx, dst, bytes.NewReader(file), dump.Options{Force: true})
			if err != nil {
				t.Fatalf("forced import: %v", err)
			}
			if counts.Accounts != 2 {
				t.Fatalf("forced import loaded %d accounts, want 2", counts.Accounts)
			}
		})
	}
}

func TestImportReportsMalformedLine(t *testing.T) {
	src := openSQLite(t, "src")
	seed(t, src)
	good := strings.Split(strings.TrimSuffix(string(export(t, src)), "\n"), "\n")
	// Line numbers below are 1-based positions in good.
	lineOf := func(kind string, nth int) int {
		for i, l := range good {
			if strings.HasPrefix(l, `{"kind":"`+kind+`"`) {
				if nth == 0 {
					return i + 1
				}
				nth--
			}
		}
		t.Fatalf("no %s line", kind)
		return 0
	}
	replace := func(line int, f func(string) string) func() []string {
		return func() []string {
			out := append([]string(nil), good...)
			out[line-1] = f(out[line-1])
			return out
		}
	}
	inst := lineOf("institution", 0)
	acct := lineOf("account", 0)
	audit2 := lineOf("audit", 1)

	tests := []struct {
		name     string
		lines    func() []string
		wantLine int
		wantMsg  string
	}{
		{"not JSON", replace(inst, func(string) string { return `{"kind":"institution","doc":{` }), inst, "not a JSON record"},
		{"unknown kind", replace(inst, func(l string) string { return strings.Replace(l, `"institution"`, `"school"`, 1) }), inst, "unknown record kind"},
		{"unknown field", replace(inst, func(l string) string { return strings.Replace(l, `"name":`, `"nmae":"x","name":`, 1) }), inst, "unknown field"},
		{"bad id", replace(inst, func(l string) string { return strings.Replace(l, `"id":"`, `"id":"zz`, 1) }), inst, "bad institution id"},
		{"missing doc", replace(inst, func(string) string { return `{"kind":"institution"}` }), inst, `missing "doc"`},
		{"no format line", func() []string { return good[1:] }, 1, "first line must be"},
		{"out of order", func() []string {
			out := append([]string(nil), good...)
			out[acct-1], out[inst-1] = out[inst-1], out[acct-1]
			return out
		}, inst + 1, "out of order"}, // the account now at inst is fine; the institution after it is not
		{"edited ledger", replace(acct, func(l string) string {
			return strings.Replace(l, `"kind":"deposit","credits":2,`, `"kind":"deposit","credits":20,`, 1)
		}), acct, "ledger entry 1"},
		{"edited audit entry", replace(audit2, func(l string) string { return strings.Replace(l, `outcome.deposit`, `outcome.revoke`, 1) }), audit2, "hash mismatch"},
		{"duplicate record", func() []string {
			out := append([]string(nil), good[:inst]...)
			return append(append(out, good[inst-1]), good[inst:]...)
		}, inst + 1, "conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Join(tt.lines(), "\n") + "\n"
			_, err := dump.Import(testCtx(t), openSQLite(t, "dst"), strings.NewReader(in), dump.Options{})
			var le *dump.LineError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v, want a *dump.LineError", err)
			}
			if le.Line != tt.wantLine {
				t.Fatalf("line = %d, want %d (%v)", le.Line, tt.wantLine, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

// firstDiff shows the first differing line of two exports.
func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}
