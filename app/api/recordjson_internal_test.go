package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
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

// randomFill sets v to random values drawn from the awkward pools; pointers
// and slices are sometimes nil, slices sometimes empty.
func randomFill(t *testing.T, r *rand.Rand, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(3) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		randomFill(t, r, v.Elem())
	case reflect.Slice:
		switch n := r.IntN(5); n {
		case 0:
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := 0; i < n-1; i++ {
				randomFill(t, r, v.Index(i))
			}
		}
	case reflect.Map:
		if r.IntN(4) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for i := r.IntN(4); i > 0; i-- {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			randomFill(t, r, k)
			randomFill(t, r, e)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			at := time.Unix(r.Int64N(4102444800), r.Int64N(1e9)).UTC()
			switch r.IntN(4) {
			case 0:
				at = at.Truncate(time.Millisecond)
			case 1:
				at = at.Truncate(time.Second)
			case 2:
				at = at.In(domain.DistrictZone)
			}
			v.Set(reflect.ValueOf(at))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			randomFill(t, r, v.Field(i))
		}
	case reflect.Array:
		if v.Type() != reflect.TypeOf(uuid.UUID{}) {
			t.Fatalf("randomFill does not know %s", v.Type())
		}
		var id uuid.UUID
		for i := range id {
			id[i] = byte(r.IntN(256))
		}
		v.Set(reflect.ValueOf(id))
	case reflect.String:
		v.SetString(awkwardStrings[r.IntN(len(awkwardStrings))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		v.SetInt([]int64{0, 1, -1, 7, 2026, math.MaxInt32, math.MinInt64}[r.IntN(7)])
	case reflect.Float64:
		v.SetFloat(awkwardFloats[r.IntN(len(awkwardFloats))])
	default:
		t.Fatalf("randomFill does not know %s: teach it and recordJSON", v.Kind())
	}
}

func TestRecordJSONMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 2000; i++ {
		var rec recordDTO
		randomFill(t, r, reflect.ValueOf(&rec).Elem())
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
