package sqlite

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"creditbank/domain"
	"creditbank/domain/domaintest"
	"creditbank/storage/record"
	"creditbank/storage/storetest"
)

var updateAccountGolden = flag.Bool("update-account-golden", false,
	"write the storage/sqlite/testdata/account-*.golden files a new format lacks (existing files are never rewritten)")

// Account documents as released versions wrote them, one file per format
// and account. Each must still decode, and writing the decoded account in
// the same format must give the file's bytes back: the writer of a format
// never changes, whatever is refactored around it. A field added to the
// account later decodes from these files as its zero value and is not
// written by the earlier formats, so the files stay valid as they are.
// Every file of an account holds the account of its JSON document; the
// files of format 5 on also hold the data of its conversions' steps and
// shortfalls (goldenAccount), which the JSON document predates.
func TestAccountDocumentGoldenFiles(t *testing.T) {
	formats := []byte{accountFormatBinary1, accountFormatBinary2, accountFormatBinary3, accountFormatBinary4, accountFormatBinary5}
	for _, name := range []string{"filled", "learner"} {
		jsonPath := filepath.Join("testdata", fmt.Sprintf("account-%s-json.golden", name))
		if *updateAccountGolden {
			writeAccountGolden(t, name, jsonPath, formats)
		}
		js, err := os.ReadFile(jsonPath)
		if err != nil {
			t.Fatal(err)
		}
		fromJSON, err := decodeAccount(string(js))
		if err != nil {
			t.Fatalf("%s: JSON document: %v", jsonPath, err)
		}
		for _, format := range formats {
			path := filepath.Join("testdata", fmt.Sprintf("account-%s-%x.golden", name, format))
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			a, err := decodeAccount(string(raw))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if again := encodeAccountAs(a, a.Version, format); !bytes.Equal(again, raw) {
				t.Fatalf("%s: writing the decoded account again gives other bytes:\n got %x\nwant %x", path, again, raw)
			}
			// Every format holds what format 1 held the same way as the
			// JSON document did; later formats hold more.
			want := withoutFormat4Fields(withoutFormat5Fields(fromJSON))
			if format < accountFormatBinary3 {
				want.SessionGen = 0
			}
			if got := withoutFormat4Fields(withoutFormat5Fields(a)); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s reads differently from the JSON document of the same account: %s", path, domaintest.Difference(got, want))
			}
			if format >= accountFormatBinary5 {
				if want := goldenAccount(t, fromJSON); !reflect.DeepEqual(a, want) {
					t.Fatalf("%s: %s", path, domaintest.Difference(a, want))
				}
			}
		}
		current, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf("account-%s-%x.golden", name, accountFormatBinary5)))
		if err != nil {
			t.Fatal(err)
		}
		a, err := decodeAccount(string(current))
		if err != nil {
			t.Fatal(err)
		}
		if got := encodeAccount(a, a.Version); !bytes.Equal(got, current) {
			t.Fatalf("%s: the current writer no longer writes the current format's bytes", name)
		}
	}
}

// goldenAccount is the account of a JSON golden document with what format
// 5 added: every step and shortfall of its conversions has its data.
func goldenAccount(t *testing.T, fromJSON *domain.Account) *domain.Account {
	t.Helper()
	a := fromJSON.Clone()
	storetest.FillEvaluationData(t, &domaintest.Filler{}, a)
	return a
}

// writeAccountGolden writes the files of an account that are missing: the
// JSON document first (the account's content), then each format's file
// from it. A file that exists is a released format's and stays as it is.
func writeAccountGolden(t *testing.T, name, jsonPath string, formats []byte) {
	t.Helper()
	js, err := os.ReadFile(jsonPath)
	if os.IsNotExist(err) {
		var a *domain.Account
		switch name {
		case "filled":
			a = withoutFormat5Fields(filledAccount(t))
		case "learner":
			a = learnerAccount(t)
		}
		a.Version = 7
		if js, err = json.Marshal(record.FromAccount(a)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jsonPath, js, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := decodeAccount(string(js))
	if err != nil {
		t.Fatal(err)
	}
	a := goldenAccount(t, fromJSON)
	for _, format := range formats {
		path := filepath.Join("testdata", fmt.Sprintf("account-%s-%x.golden", name, format))
		if _, err := os.Stat(path); err == nil {
			continue
		}
		if err := os.WriteFile(path, encodeAccountAs(a, a.Version, format), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
