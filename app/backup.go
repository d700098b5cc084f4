package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// backuper is a store that can snapshot itself to a file (SQLite).
type backuper interface {
	Backup(ctx context.Context, path string) error
}

// cmdBackup writes a consistent copy of a SQLite store while the server
// keeps running. The master key is not in it: back the key file up apart.
func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	store, fs, err := openStoreFromArgs(ctx, "backup", args, stderr, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if fs.NArg() != 1 {
		return exitError{code: 2, msg: "usage: creditbank backup FILE"}
	}
	b, ok := store.(backuper)
	if !ok {
		return exitError{code: 2, msg: "backup copies a SQLite store; back MongoDB up with mongodump (see README)"}
	}
	path, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return err
	}
	start := time.Now()
	if err := b.Backup(ctx, path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s in %s; keep the master key apart from it\n", path, time.Since(start).Round(time.Millisecond))
	return nil
}
