// Command cmd regenerates app/api/recordjson_gen.go; go generate runs it
// in app/api.
package main

import (
	"fmt"
	"os"

	"creditbank/app/api/internal/recordjsongen"
)

func main() {
	src, err := recordjsongen.Generate(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(recordjsongen.Output, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
