package bench

import (
	"os"
	"path/filepath"
	"testing"
)

// processIO counts this process's own file writes.
func TestProcessIOCountsWrites(t *testing.T) {
	before := processIO()
	if before == (ioCounters{}) {
		t.Skip("this system does not count file I/O per process")
	}
	path := filepath.Join(t.TempDir(), "f")
	for i := 0; i < 4; i++ {
		if err := os.WriteFile(path, make([]byte, 64<<10), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := processIO().since(before)
	if got.writes < 4 || got.writtenBytes < 4*64<<10 {
		t.Fatalf("4 writes of 64 kB counted as %d writes of %d bytes", got.writes, got.writtenBytes)
	}
}
