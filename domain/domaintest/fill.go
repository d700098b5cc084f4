// Package domaintest fills domain values for tests of every layer that
// copies them: the clone, the stores' documents, the API's JSON. Fill sets
// every exported field reachable from a value, by reflection, so a field
// added to the account later is filled without anyone teaching the tests
// about it, and the test of a layer that forgets to carry it fails.
//
// Only tests import it. It imports nothing of the project, so the domain
// package's own tests can use it too.
package domaintest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Filler sets values. Without Rand every leaf gets a value no other leaf
// has (so a layer that swaps two fields is caught too), every pointer is
// allocated and every slice and map holds two elements. With Rand, values
// are drawn from the pools and pointers, slices and maps are sometimes nil
// or empty, to search for values a layer mishandles.
type Filler struct {
	Rand *rand.Rand
	// Pools of the random values; nil pools draw from a few plain values.
	Strings []string
	Floats  []float64
	Ints    []int64
	// Zones times are drawn in besides UTC.
	Zones []*time.Location

	n int
	// open counts the struct types being filled on the way down, so that a
	// type holding itself (a tree) is filled one level deep, not forever.
	open map[reflect.Type]int
}

// Fill sets every field of *ptr to a distinct non-zero value.
func Fill[T any](t testing.TB, ptr *T) {
	t.Helper()
	(&Filler{}).Fill(t, ptr)
}

// Fill sets every exported field reachable from ptr, which must be a
// non-nil pointer. A kind it does not know fails the test: it is never
// silently skipped.
func (f *Filler) Fill(t testing.TB, ptr any) {
	t.Helper()
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		t.Fatalf("domaintest: Fill needs a non-nil pointer, got %T", ptr)
	}
	f.fill(t, v.Elem(), reflect.Indirect(v).Type().Name())
}

var (
	timeType = reflect.TypeFor[time.Time]()
	uuidType = reflect.TypeFor[uuid.UUID]()
)

func (f *Filler) fill(t testing.TB, v reflect.Value, path string) {
	t.Helper()
	f.n++
	switch v.Kind() {
	case reflect.Pointer:
		if f.absent(3) || f.recursive(v.Type()) {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(t, v.Elem(), path)
	case reflect.Slice:
		n := f.length()
		if n < 0 || f.recursive(v.Type()) {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := 0; i < n; i++ {
			f.fill(t, v.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		n := f.length()
		if n < 0 {
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), n)
		for i := 0; i < n; i++ {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(t, k, path+"{key}")
			f.fill(t, e, path+"{"+strconv.Itoa(i)+"}")
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(f.time()))
			return
		}
		if f.open == nil {
			f.open = map[reflect.Type]int{}
		}
		f.open[v.Type()]++
		defer func() { f.open[v.Type()]-- }()
		for i := 0; i < v.NumField(); i++ {
			if field := v.Type().Field(i); field.IsExported() {
				f.fill(t, v.Field(i), path+"."+field.Name)
			}
		}
	case reflect.Array:
		if v.Type() != uuidType {
			t.Fatalf("%s: domaintest does not know arrays of %s; teach it", path, v.Type())
		}
		v.Set(reflect.ValueOf(f.id()))
	case reflect.String:
		v.SetString(f.str(path))
	case reflect.Bool:
		v.SetBool(f.Rand == nil || f.Rand.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := f.int()
		if v.OverflowInt(n) {
			n = int64(f.n%100 + 1)
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.n%200 + 1))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(f.float())
	default:
		t.Fatalf("%s: domaintest does not know %s; teach it, and every layer that stores or shows it", path, v.Kind())
	}
}

// recursive reports whether t (a pointer or slice, through any number of
// them) leads to a struct type already being filled further up.
func (f *Filler) recursive(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && f.open[t] > 0
}

// absent reports, at random one time in oneIn, that an optional value is
// left unset. Distinct filling never leaves one unset.
func (f *Filler) absent(oneIn int) bool { return f.Rand != nil && f.Rand.IntN(oneIn) == 0 }

// length is a slice's or map's length, -1 for nil.
func (f *Filler) length() int {
	if f.Rand == nil {
		return 2
	}
	return f.Rand.IntN(5) - 1
}

func (f *Filler) time() time.Time {
	if f.Rand == nil {
		// Distinct to the nanosecond, in UTC, as stores read times back.
		n := f.n
		return time.Date(1950+n%70, time.Month(1+n%12), 1+n%28, n%24, n%60, 7, n*1001, time.UTC)
	}
	at := time.Unix(f.Rand.Int64N(4102444800), f.Rand.Int64N(1e9)).UTC()
	switch f.Rand.IntN(4) {
	case 0:
		at = at.Truncate(time.Millisecond)
	case 1:
		at = at.Truncate(time.Second)
	case 2:
		if len(f.Zones) > 0 {
			at = at.In(f.Zones[f.Rand.IntN(len(f.Zones))])
		}
	}
	return at
}

func (f *Filler) id() uuid.UUID {
	if f.Rand == nil {
		return uuid.NewSHA1(uuid.NameSpaceOID, []byte(strconv.Itoa(f.n)))
	}
	var id uuid.UUID
	for i := range id {
		id[i] = byte(f.Rand.IntN(256))
	}
	return id
}

func (f *Filler) str(path string) string {
	if f.Rand == nil {
		return fmt.Sprintf("%s 值 %d", path, f.n)
	}
	if len(f.Strings) == 0 {
		return []string{"", "a", "值"}[f.Rand.IntN(3)]
	}
	return f.Strings[f.Rand.IntN(len(f.Strings))]
}

func (f *Filler) int() int64 {
	if f.Rand == nil {
		return int64(f.n) * 1_000_003
	}
	if len(f.Ints) == 0 {
		return int64(f.Rand.IntN(3))
	}
	return f.Ints[f.Rand.IntN(len(f.Ints))]
}

func (f *Filler) float() float64 {
	if f.Rand == nil {
		return float64(f.n) + 0.125
	}
	if len(f.Floats) == 0 {
		return float64(f.Rand.IntN(3)) / 2
	}
	return f.Floats[f.Rand.IntN(len(f.Floats))]
}

// Leaves calls fn with the path and value of every leaf reachable from v
// (a string, number, boolean, time or ID), in field order, skipping nil
// pointers, slices and maps. Paths read like Fill's: Account.Outcomes[1].Title.
// The values are settable when v is a pointer, so a test may adjust them
// (truncate times for a store that keeps milliseconds, say).
func Leaves(v any, fn func(path string, leaf reflect.Value)) {
	rv := reflect.ValueOf(v)
	leaves(reflect.Indirect(rv), reflect.Indirect(rv).Type().Name(), fn)
}

func leaves(v reflect.Value, path string, fn func(string, reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			leaves(v.Elem(), path, fn)
		}
	case reflect.Slice, reflect.Array:
		if v.Type() == uuidType {
			fn(path, v)
			return
		}
		for i := 0; i < v.Len(); i++ {
			leaves(v.Index(i), path+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			leaves(iter.Value(), fmt.Sprintf("%s{%v}", path, iter.Key()), fn)
		}
	case reflect.Struct:
		if v.Type() == timeType {
			fn(path, v)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if field := v.Type().Field(i); field.IsExported() {
				leaves(v.Field(i), path+"."+field.Name, fn)
			}
		}
	default:
		fn(path, v)
	}
}

// Generic is path with its indices taken out (Account.Outcomes[1].Title
// becomes Account.Outcomes[].Title), to name a field of every element.
func Generic(path string) string {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		b.WriteByte(path[i])
		if path[i] == '[' {
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				break
			}
			i += j - 1
		}
	}
	return b.String()
}

// Difference names the first place where got and want differ in the
// sense of reflect.DeepEqual, with both values, or returns "" when they
// are deeply equal: a round-trip failure then names the forgotten field
// instead of printing two accounts.
func Difference(got, want any) string {
	return difference(reflect.ValueOf(got), reflect.ValueOf(want), reflect.Indirect(reflect.ValueOf(want)).Type().Name())
}

func difference(got, want reflect.Value, path string) string {
	if !got.IsValid() || !want.IsValid() {
		if got.IsValid() != want.IsValid() {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
		return ""
	}
	if got.Type() != want.Type() {
		return fmt.Sprintf("%s: got a %s, want a %s", path, got.Type(), want.Type())
	}
	switch got.Kind() {
	case reflect.Pointer, reflect.Interface:
		if got.IsNil() || want.IsNil() {
			if got.IsNil() != want.IsNil() {
				return fmt.Sprintf("%s: got %v, want %v", path, got, want)
			}
			return ""
		}
		return difference(got.Elem(), want.Elem(), path)
	case reflect.Slice:
		if got.IsNil() != want.IsNil() || got.Len() != want.Len() {
			return fmt.Sprintf("%s: got %d elements (nil %t), want %d (nil %t)", path, got.Len(), got.IsNil(), want.Len(), want.IsNil())
		}
		for i := 0; i < got.Len(); i++ {
			if d := difference(got.Index(i), want.Index(i), path+"["+strconv.Itoa(i)+"]"); d != "" {
				return d
			}
		}
		return ""
	case reflect.Struct:
		if got.Type() != timeType {
			for i := 0; i < got.NumField(); i++ {
				if d := difference(got.Field(i), want.Field(i), path+"."+got.Type().Field(i).Name); d != "" {
					return d
				}
			}
			return ""
		}
	}
	if !reflect.DeepEqual(valueOf(got), valueOf(want)) {
		return fmt.Sprintf("%s: got %v, want %v", path, valueOf(got), valueOf(want))
	}
	return ""
}

// valueOf is v's value, also for an unexported field (compared, never set).
func valueOf(v reflect.Value) any {
	if v.CanInterface() {
		return v.Interface()
	}
	return fmt.Sprint(v)
}
