package domain

import (
	"reflect"
	"testing"

	"creditbank/domain/domaintest"
)

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
	// Every field set, so a reference field added to the account later and
	// forgotten by Clone shows up as shared.
	var a Account
	domaintest.Fill(t, &a)
	fillEvaluationData(t, &a)
	c := a.Clone()
	if !reflect.DeepEqual(&a, c) {
		t.Fatalf("clone differs from the original: %s", domaintest.Difference(c, &a))
	}
	if p := sharedMemory(reflect.ValueOf(&a).Elem(), reflect.ValueOf(c).Elem(), "Account"); p != "" {
		t.Fatalf("clone shares %s with the original", p)
	}
	var empty Account
	if got := empty.Clone(); !reflect.DeepEqual(got, &empty) {
		t.Fatalf("clone of an empty account: %+v", got)
	}
}

// fillEvaluationData gives every step and shortfall of a's conversions
// their data, which Fill cannot reach (the fields are unexported), each
// with values of its own.
func fillEvaluationData(t *testing.T, a *Account) {
	t.Helper()
	f := &domaintest.Filler{}
	for i := range a.Conversions {
		e := &a.Conversions[i].Evaluation
		for j := range e.Trace {
			e.Trace[j].facts = new(StepFacts)
			f.Fill(t, e.Trace[j].facts)
		}
		if e.Shortfall != nil {
			e.Shortfall.detail = new(ShortfallDetail)
			f.Fill(t, e.Shortfall.detail)
		}
	}
}
