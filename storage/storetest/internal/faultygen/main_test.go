package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The committed faulty_gen.go is what the generator writes from the port as
// it stands: a method added to the port without go generate fails here.
func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := generate("../../..", "../..")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("../..", Output))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("storage/storetest/%s is stale: run go generate ./storage/storetest", Output)
	}
}
