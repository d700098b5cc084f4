package sqlitetest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCopiesAreMadeOnceAndAreEachTestsOwn(t *testing.T) {
	fills := 0
	tp := NewTemplate(func(dir string) error {
		fills++
		return os.WriteFile(filepath.Join(dir, "creditbank.db"), []byte("seeded"), 0o600)
	})
	first, second := tp.Copy(t), tp.Copy(t)
	if fills != 1 {
		t.Fatalf("template filled %d times, want once", fills)
	}
	if first == second {
		t.Fatal("two copies share a directory")
	}
	if err := os.WriteFile(filepath.Join(first, "creditbank.db"), []byte("changed"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{second, tp.Copy(t)} {
		if got, err := os.ReadFile(filepath.Join(dir, "creditbank.db")); err != nil || string(got) != "seeded" {
			t.Fatalf("copy in %s reads %q, %v; want the template's content", dir, got, err)
		}
	}
	tp.Remove()
	if _, err := os.Stat(tp.dir); !os.IsNotExist(err) {
		t.Fatalf("template directory still there after Remove: %v", err)
	}
}
