package sqlite

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// filler sets every field reachable from a value to a distinct non-zero
// value (pointers allocated, slices of two elements), so a field the binary
// format forgets, or two fields it swaps, changes the round trip. A field
// added to the account later is filled too; a kind it does not know fails
// the test instead of being skipped.
type filler struct {
	t *testing.T
	n int
}

func (f *filler) fill(v reflect.Value, path string) {
	f.t.Helper()
	f.n++
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		f.fill(v.Index(0), path+"[0]")
		f.fill(v.Index(1), path+"[1]")
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(1950+f.n%70, time.Month(1+f.n%12), 1+f.n%28, f.n%24, f.n%60, 7, f.n*1001, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	case reflect.Array:
		if v.Type() != reflect.TypeOf(uuid.UUID{}) {
			f.t.Fatalf("%s: the filler does not know arrays of %s", path, v.Type())
		}
		v.Set(reflect.ValueOf(uuid.New()))
	case reflect.String:
		v.SetString(fmt.Sprintf("%s 值 %d", path, f.n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(f.n) * 1_000_003)
	case reflect.Float64:
		v.SetFloat(float64(f.n) + 0.125)
	default:
		f.t.Fatalf("%s: the filler does not know %s; teach it, and the binary account format", path, v.Kind())
	}
}

func filledAccount(t *testing.T) *domain.Account {
	t.Helper()
	a := &domain.Account{}
	(&filler{t: t}).fill(reflect.ValueOf(a).Elem(), "Account")
	return a
}

func TestAccountDocumentRoundTrips(t *testing.T) {
	const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	cases := []struct {
		name    string
		account func(*testing.T) *domain.Account
	}{
		{"every field set", filledAccount},
		{"hashes in hex, stored as bytes", func(t *testing.T) *domain.Account {
			a := filledAccount(t)
			a.PII.NationalIDHash = hash
			for i := range a.Ledger {
				a.Ledger[i].PrevHash, a.Ledger[i].Hash = hash, strings.ToUpper(hash)
			}
			return a
		}},
		{"nothing set", func(*testing.T) *domain.Account { return &domain.Account{} }},
		{"optional parts absent", func(t *testing.T) *domain.Account {
			a := filledAccount(t)
			a.CredentialsChangedAt, a.AlertsSeenAt = nil, nil
			a.Outcomes[0].ExpiresOn, a.Outcomes[0].RevokedAt = nil, nil
			a.Outcomes[0].Result = domain.Result{Grade: "B"}
			f := false
			a.Outcomes[1].Result.Passed = &f
			a.Conversions[0].Evaluation.Shortfall, a.Conversions[0].DecidedAt = nil, nil
			a.Ledger[0].OutcomeID, a.Ledger[0].ConversionID = nil, nil
			a.Grants[0].RevokedAt, a.Helpers[0].WithdrawnAt = nil, nil
			a.Conversions[1].Evaluation.Used, a.Conversions[1].Evaluation.Trace = nil, nil
			return a
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.account(t)
			raw := encodeAccount(a, 42)
			if raw[0] != accountFormatBinary1 {
				t.Fatalf("format byte %#x", raw[0])
			}
			got, err := decodeAccount(string(raw))
			if err != nil {
				t.Fatal(err)
			}
			want := a.Clone()
			want.Version = 42
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("binary round trip differs:\n got %+v\nwant %+v", got, want)
			}
			// What earlier versions wrote (the JSON document) still reads,
			// to the same account.
			js, err := json.Marshal(record.FromAccount(want))
			if err != nil {
				t.Fatal(err)
			}
			fromJSON, err := decodeAccount(string(js))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(fromJSON, want) {
				t.Fatalf("JSON document reads differently:\n got %+v\nwant %+v", fromJSON, want)
			}
		})
	}
}

// A damaged document is an error, never a panic or a wrong account.
func TestAccountDocumentRefusesDamage(t *testing.T) {
	raw := encodeAccount(filledAccount(t), 3)
	for n := 0; n < len(raw); n++ {
		if _, err := decodeAccount(string(raw[:n])); err == nil {
			t.Fatalf("a document cut to %d of %d bytes decoded", n, len(raw))
		}
	}
	if _, err := decodeAccount(string(raw) + "x"); err == nil {
		t.Fatal("trailing bytes were ignored")
	}
	if _, err := decodeAccount("\x07rest"); err == nil || !strings.Contains(err.Error(), "unknown document format") {
		t.Fatalf("unknown format: %v", err)
	}
	// A list length no document could hold is refused before allocating.
	huge := string([]byte{accountFormatBinary1}) + strings.Repeat("\x00", 16) + "\x02" + "\xff\xff\xff\xff\x0f"
	if _, err := decodeAccount(huge); err == nil {
		t.Fatal("an impossible length decoded")
	}
	// A varint of more than 64 bits (the account's version here).
	empty := string(encodeAccount(&domain.Account{}, 1))
	overflow := empty[:17] + strings.Repeat("\xff", 9) + "\x02" + empty[18:]
	if _, err := decodeAccount(empty[:17] + "\x02" + empty[18:]); err != nil {
		t.Fatalf("the document the overflow case is built from: %v", err)
	}
	if _, err := decodeAccount(overflow); err == nil || !strings.Contains(err.Error(), "varint") {
		t.Fatalf("an overflowing varint: %v", err)
	}
	// Flipping any byte either fails or yields some account: never a panic.
	for i := 1; i < len(raw); i++ {
		b := []byte(string(raw))
		b[i] ^= 0xff
		_, _ = decodeAccount(string(b))
	}
}

// An account of a typical size fits a page once stored in the binary form;
// its JSON document took three.
func TestAccountDocumentIsCompact(t *testing.T) {
	a := filledAccount(t)
	js, err := json.Marshal(record.FromAccount(a))
	if err != nil {
		t.Fatal(err)
	}
	bin := encodeAccount(a, 1)
	if 2*len(bin) > len(js) {
		t.Fatalf("binary document %d bytes, JSON %d: expected under half", len(bin), len(js))
	}
}

// A file written by an earlier version holds JSON documents: they read as
// before, lists that pick items out of them work, and the next save of an
// account rewrites it in the binary form.
func TestStoredJSONDocumentsReadAndAreRewritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	ctx := t.Context()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := filledAccount(t)
	a.Version = 0
	a.PII.NationalIDHash = "hash-" + a.ID.String()
	for i := range a.Outcomes {
		a.Outcomes[i].AccountID = a.ID
		a.Outcomes[i].Status = domain.OutcomeActive
	}
	a.Conversions = nil
	a.Helpers, a.Grants = nil, nil
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(record.FromAccount(a))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE accounts SET doc = ? WHERE id = ?`, string(js), a.ID.String()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("JSON document read back differently:\n got %+v\nwant %+v", got, a)
	}
	listed, _, err := s.ListOutcomesByIssuer(ctx, a.Outcomes[1].IssuerID, storage.Page{Limit: 50})
	if err != nil || len(listed) != 1 || !reflect.DeepEqual(listed[0], a.Outcomes[1]) {
		t.Fatalf("issuer list from a JSON document: %v %+v", err, listed)
	}
	got.Name = "改名"
	if err := s.UpdateAccount(ctx, got); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := s.r.QueryRowContext(ctx, `SELECT doc FROM accounts WHERE id = ?`, a.ID.String()).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored[0] != accountFormatBinary1 {
		t.Fatalf("saved document starts with %q, not the binary format", stored[0])
	}
	s.accounts.drop(a.ID)
	again, err := s.GetAccount(ctx, a.ID)
	if err != nil || again.Name != "改名" || again.Version != got.Version {
		t.Fatalf("after the rewrite: %v %+v", err, again)
	}
}
