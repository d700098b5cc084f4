package domain

import (
	"reflect"
	"testing"
	"time"
)

// fillAll sets every field reachable from v to a non-zero value: pointers
// allocated, slices of one element, recursively. A field added to Account
// later is filled too, so the test below notices a Clone that forgets it.
func fillAll(v reflect.Value, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillAll(v.Elem(), depth+1)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillAll(v.Index(0), depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fillAll(k, depth+1)
		fillAll(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillAll(v.Field(i), depth+1)
			}
		}
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(7)
	case reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fillAll(v.Index(i), depth+1)
		}
	case reflect.Uint8:
		v.SetUint(9)
	}
}

// sharedMemory names the first pointer, slice or map reachable from both
// a and b at the same address.
func sharedMemory(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return sharedMemory(a.Elem(), b.Elem(), path)
	case reflect.Slice:
		if a.Len() == 0 {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		for i := 0; i < a.Len(); i++ {
			if p := sharedMemory(a.Index(i), b.Index(i), path+"[i]"); p != "" {
				return p
			}
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if p := sharedMemory(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestCloneSharesNothingAndEqualsOriginal(t *testing.T) {
	var a Account
	fillAll(reflect.ValueOf(&a).Elem(), 0)
	c := a.Clone()
	if !reflect.DeepEqual(&a, c) {
		t.Fatalf("clone differs from the original:\n%+v\n%+v", a, *c)
	}
	if p := sharedMemory(reflect.ValueOf(&a).Elem(), reflect.ValueOf(c).Elem(), "Account"); p != "" {
		t.Fatalf("clone shares %s with the original", p)
	}
	var empty Account
	if got := empty.Clone(); !reflect.DeepEqual(got, &empty) {
		t.Fatalf("clone of an empty account: %+v", got)
	}
}
