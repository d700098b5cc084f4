// Package frontend embeds the bilingual web UI so the binary serves it with
// no build step and no files beside it.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// Files is the UI's document root.
func Files() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return sub
}
