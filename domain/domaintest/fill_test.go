package domaintest_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain/domaintest"
)

type inner struct {
	At    time.Time
	Opt   *time.Time
	Score *float64
	Tags  []string
}

type sample struct {
	ID      uuid.UUID
	Name    string
	Level   int
	Small   int8
	Count   uint16
	Ratio   float64
	On      bool
	Inner   inner
	Items   []inner
	ByName  map[string]float64
	private string
}

func TestFillSetsEveryLeafToADistinctValue(t *testing.T) {
	var s sample
	domaintest.Fill(t, &s)
	seen := map[string]string{}
	n := 0
	domaintest.Leaves(&s, func(path string, leaf reflect.Value) {
		n++
		if leaf.IsZero() {
			t.Errorf("%s left zero", path)
		}
		if leaf.Kind() == reflect.Bool {
			return
		}
		key := fmt.Sprintf("%s:%v", leaf.Type(), leaf.Interface())
		if other, dup := seen[key]; dup {
			t.Errorf("%s and %s share the value %s", path, other, key)
		}
		seen[key] = path
	})
	// 7 plain leaves, 1 + 1 + 1 + 2 in Inner, twice that in Items, two map values.
	if want := 7 + 5 + 10 + 2; n != want {
		t.Fatalf("%d leaves, want %d", n, want)
	}
	if s.private != "" {
		t.Fatal("an unexported field was set")
	}
}

func TestRandomFillLeavesSomeOptionalPartsOut(t *testing.T) {
	var nilSlices, nilPointers, zoned int
	r := rand.New(rand.NewPCG(1, 2))
	zone := time.FixedZone("district", 8*3600)
	for i := 0; i < 200; i++ {
		var s sample
		(&domaintest.Filler{Rand: r, Strings: []string{"x", "<y>"}, Zones: []*time.Location{zone}}).Fill(t, &s)
		if s.Items == nil {
			nilSlices++
		}
		if s.Inner.Opt == nil {
			nilPointers++
		}
		if s.Inner.At.Location() == zone {
			zoned++
		}
		if s.Name != "x" && s.Name != "<y>" {
			t.Fatalf("a string outside the pool: %q", s.Name)
		}
	}
	if nilSlices == 0 || nilPointers == 0 || zoned == 0 || nilSlices == 200 || nilPointers == 200 {
		t.Fatalf("nil slices %d, nil pointers %d, zoned times %d of 200", nilSlices, nilPointers, zoned)
	}
}

func TestFillRefusesWhatItDoesNotKnow(t *testing.T) {
	var s struct{ C chan int }
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		domaintest.Fill(ft, &s)
	}()
	if !ft.failed {
		t.Fatal("a channel field was skipped without failing")
	}
}

// fatalRecorder notes a Fatalf instead of ending the test.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Helper() {}
func (f *fatalRecorder) Fatalf(string, ...any) {
	f.failed = true
	panic("fatal")
}

func TestGeneric(t *testing.T) {
	for in, want := range map[string]string{
		"Account.Outcomes[12].Result.Score": "Account.Outcomes[].Result.Score",
		"Account.Name":                      "Account.Name",
		"A.B[0].C[1]":                       "A.B[].C[]",
	} {
		if got := domaintest.Generic(in); got != want {
			t.Errorf("Generic(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDifferenceNamesTheFirstField(t *testing.T) {
	var a sample
	domaintest.Fill(t, &a)
	b := a
	b.Items = append([]inner(nil), a.Items...)
	if d := domaintest.Difference(&a, &b); d != "" {
		t.Fatalf("equal values differ: %s", d)
	}
	b.Items[1].Tags = []string{a.Items[1].Tags[0], "other"}
	if d := domaintest.Difference(&b, &a); !strings.HasPrefix(d, "sample.Items[1].Tags[1]: got other, want ") {
		t.Fatalf("difference reported as %q", d)
	}
	b.Items[1].Tags = nil
	if d := domaintest.Difference(&b, &a); !strings.HasPrefix(d, "sample.Items[1].Tags: got 0 elements") {
		t.Fatalf("difference reported as %q", d)
	}
}
