package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"creditbank/app/api/internal/recordjsongen"
	"creditbank/domain"
	"creditbank/domain/domaintest"
	"creditbank/storage/storetest"
)

// awkwardStrings are what JSON encoders get wrong: escapes, HTML, control
// characters, invalid UTF-8, the two line separators JavaScript dislikes.
var awkwardStrings = []string{
	"", "plain", "社区教育学院 · 老年大学", `quote " and \ backslash`, "<script>&amp;</script>",
	"tab\tnew\nline\rcarriage", "\b\f\x00\x01\x1f\x7f", "bad \xff\xfe utf-8 \xe4\xb8", "line\u2028para\u2029end",
	"emoji 😀 and 𝄞", "ü\u0301 combining", "\u00e9t\u00e9",
}

var awkwardFloats = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, 2.5, 100, 1e-6, 9.99e-7, 1e-7, 123456789, 1e20, 1e21, 1.5e300,
	-2.5e-10, 5e-324, math.MaxFloat64, 1.0 / 3, 60, 0.000001234,
}

// awkwardFiller fills a record at random from the awkward pools; pointers,
// slices and maps are sometimes nil, slices sometimes empty.
func awkwardFiller(r *rand.Rand) *domaintest.Filler {
	return &domaintest.Filler{Rand: r, Strings: awkwardStrings, Floats: awkwardFloats,
		Ints: []int64{0, 1, -1, 7, 2026, math.MaxInt32, math.MinInt64}, Zones: []*time.Location{domain.DistrictZone}}
}

func TestRecordJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 2000; i++ {
		var rec recordDTO
		awkwardFiller(r).Fill(t, &rec)
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		got, err := recordJSON(&rec)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d differs from encoding/json:\n got %s\nwant %s", i, got, want)
		}
		// Cached renderings count by capacity: little may be wasted.
		if cap(got) > len(got)+len(got)/8 {
			t.Fatalf("record %d: %d bytes in a buffer of %d", i, len(got), cap(got))
		}
	}

	// And a record as the learner sees it.
	a := validityAccount(t, func(t *testing.T, a *domain.Account) {
		depositFor(t, a, "茶艺（初级）", domain.CategoryCommunity, dateAfter(30))
		// Titles refuse markup now; ones stored before must still render
		// escaped exactly as encoding/json does.
		a.Outcomes[len(a.Outcomes)-1].Title = "茶艺 <初级>"
		depositFor(t, a, "电工 & 焊工", domain.CategoryVocational, nil)
		grantFor(t, a, 30, validityBase.AddDate(0, 0, -1))
	})
	rec := recordFrom(a, validityBase, true)
	want, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := recordJSON(&rec); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("learner's record differs (%v):\n got %s\nwant %s", err, got, want)
	}
}

// What encoding/json refuses, recordJSON leaves to it.
func TestRecordJSONLeavesUnencodableValuesToEncodingJSON(t *testing.T) {
	for name, rec := range map[string]recordDTO{
		"NaN credits":   {Balance: balanceDTO{Banked: math.NaN()}},
		"infinite":      {Outcomes: []outcomeDTO{{Hours: math.Inf(1)}}},
		"year 10000":    {Account: accountDTO{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"year before 0": {Ledger: []ledgerDTO{{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := json.Marshal(rec); err == nil {
				t.Fatal("encoding/json accepts it; the case is wrong")
			}
			if _, err := recordJSON(&rec); !errors.Is(err, errRecordJSON) {
				t.Fatalf("got %v, want errRecordJSON", err)
			}
		})
	}
}

// Regenerating the writer gives the committed file: a DTO changed without
// go generate fails here.
func TestRecordJSONIsGenerated(t *testing.T) {
	want, err := recordjsongen.Generate(".")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(recordjsongen.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is not what go generate writes now: run go generate ./app/api", recordjsongen.Output)
	}
}

// notInOwnRecord are the account's fields the learner's record does not
// show, and why. Every other field must show: a field added to the account
// fails TestOwnRecordShowsEveryFieldOfTheAccount until it is carried to
// the record's DTOs (and the writer regenerated) or named here.
var notInOwnRecord = map[string]string{
	"Account.PII.NationalIDSealed":            "sealed identifiers never leave the service; the masked one shows",
	"Account.PII.NationalIDHash":              "lookup key",
	"Account.PII.PhoneSealed":                 "sealed identifiers never leave the service; the masked one shows",
	"Account.BirthDate":                       "shown as the birth year only",
	"Account.PasswordHash":                    "secret",
	"Account.CredentialsChangedAt":            "sign-in bookkeeping",
	"Account.SessionGen":                      "sign-in bookkeeping",
	"Account.AlertsSeenAt":                    "shown by the alerts endpoint",
	"Account.Helpers[]":                       "shown by the assisted-access endpoints",
	"Account.AccessLog[]":                     "shown by the access-log endpoint",
	"Account.Outcomes[].IssuedBy":             "who at the issuer deposited it is the issuer's business",
	"Account.Conversions[].Objections[].ID":   "internal",
	"Account.Conversions[].Objections[].By":   "objectors are not named to the learner",
	"Account.Conversions[].Appeal.RejectedBy": "reviewers are not named to the learner",
	"Account.Conversions[].Appeal.DecidedBy":  "reviewers are not named to the learner",
	// The domain sets an item's Op and N only for a group, never beside a
	// match; filling sets both, and the record shows the match.
	"Account.Conversions[].Evaluation.Trace[].Facts.Item.Op":              "a group's, never beside a match",
	"Account.Conversions[].Evaluation.Trace[].Facts.Item.N":               "a group's, never beside a match",
	"Account.Conversions[].Evaluation.Shortfall.Detail.Missing[].Item.Op": "a group's, never beside a match",
	"Account.Conversions[].Evaluation.Shortfall.Detail.Missing[].Item.N":  "a group's, never beside a match",
}

// The learner's own record carries every field of the account that is not
// deliberately left out: each string, ID, time and number of a fully
// filled account (all distinct) shows up in the JSON, written by the fast
// writer exactly as encoding/json writes it. Booleans cannot be traced by
// value and are covered by the DTO tests.
func TestOwnRecordShowsEveryFieldOfTheAccount(t *testing.T) {
	var a domain.Account
	storetest.FillAccount(t, &a)
	rec := recordFrom(&a, time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC), true)
	body, err := recordJSON(&rec)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := json.Marshal(rec); err != nil || !bytes.Equal(body, want) {
		t.Fatalf("the writer differs from encoding/json (%v):\n got %s\nwant %s", err, body, want)
	}
	used := map[string]bool{}
	check := func(path string, leaf reflect.Value) {
		generic := domaintest.Generic(path)
		hidden := ""
		for p := range notInOwnRecord {
			if generic == p || strings.HasPrefix(generic, p+".") {
				used[p], hidden = true, p
			}
		}
		var forms []string
		switch v := leaf.Interface().(type) {
		case time.Time:
			forms = []string{`"` + v.Format(time.RFC3339Nano) + `"`, `"` + v.UTC().Format(dateLayout) + `"`}
		case bool:
			return
		default:
			js, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			forms = []string{":" + string(js), "[" + string(js)}
			if leaf.Kind() == reflect.String || leaf.Kind() == reflect.Array {
				forms = []string{string(js)}
			}
		}
		shown := slices.ContainsFunc(forms, func(f string) bool { return bytes.Contains(body, []byte(f)) })
		switch {
		case hidden != "" && shown:
			t.Errorf("%s (%v) is in the learner's record, although notInOwnRecord leaves it out: %s", path, leaf.Interface(), notInOwnRecord[hidden])
		case hidden == "" && !shown:
			t.Errorf("%s (%v) is not in the learner's record; carry it to the record's DTOs or name it in notInOwnRecord", path, leaf.Interface())
		}
	}
	domaintest.Leaves(&a, check)
	// The steps' facts and the shortfalls' detail, which Leaves does not
	// reach (the domain keeps them unexported).
	for i, c := range a.Conversions {
		at := fmt.Sprintf("Account.Conversions[%d].Evaluation", i)
		for j, st := range c.Evaluation.Trace {
			domaintest.Leaves(st.Facts(), func(path string, leaf reflect.Value) {
				check(fmt.Sprintf("%s.Trace[%d].Facts%s", at, j, strings.TrimPrefix(path, "StepFacts")), leaf)
			})
		}
		if c.Evaluation.Shortfall != nil {
			domaintest.Leaves(c.Evaluation.Shortfall.Detail(), func(path string, leaf reflect.Value) {
				check(at+".Shortfall.Detail"+strings.TrimPrefix(path, "ShortfallDetail"), leaf)
			})
		}
	}
	for p := range notInOwnRecord {
		if !used[p] {
			t.Errorf("notInOwnRecord names %s, which the account no longer has", p)
		}
	}
}
