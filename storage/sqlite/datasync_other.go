//go:build !linux

package sqlite

import "os"

// datasync falls back to a full sync where fdatasync is not offered (on
// macOS, os.File.Sync is F_FULLFSYNC: what a power cut needs there).
func datasync(f *os.File) error { return f.Sync() }
