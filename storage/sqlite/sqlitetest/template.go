// Package sqlitetest gives tests SQLite stores that are costly to make
// (migrated, seeded) as fresh copies of one made once per test binary.
package sqlitetest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Template is a directory of store files (the database, and whatever sits
// beside it, such as a master key file) made on first use and copied for
// each test, so that every test still has a database of its own.
type Template struct {
	fill func(dir string) error
	once sync.Once
	dir  string
	err  error
}

// NewTemplate returns a template whose files fill writes into an empty
// directory; fill must leave them complete on disk (its store closed).
func NewTemplate(fill func(dir string) error) *Template {
	return &Template{fill: fill}
}

// Copy returns a new directory of the test's own holding a copy of the
// template's files, making the template first if no test has yet.
func (tp *Template) Copy(t testing.TB) string {
	t.Helper()
	tp.once.Do(func() {
		if tp.dir, tp.err = os.MkdirTemp("", "creditbank-template-"); tp.err == nil {
			tp.err = tp.fill(tp.dir)
		}
	})
	if tp.err != nil {
		t.Fatalf("make the template store: %v", tp.err)
	}
	dir := t.TempDir()
	files, err := os.ReadDir(tp.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(tp.dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Remove deletes the template's files; call it after the last test (for
// instance as a cleanup given to ferrettest.Main).
func (tp *Template) Remove() {
	if tp.dir != "" {
		os.RemoveAll(tp.dir)
	}
}
