package recordjsongen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func generateFrom(t *testing.T, src string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dto.go"), []byte("package api\n\n"+src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Generate(dir)
	return string(out), err
}

func TestGeneratorFollowsTagsAndRefusesWhatItDoesNotKnow(t *testing.T) {
	out, err := generateFrom(t, "type recordDTO struct {\n"+
		"\tPlain string\n"+
		"\tSkipped string `json:\"-\"`\n"+
		"\tnotExported string\n"+
		"\tItems []itemDTO `json:\"items,omitempty\"`\n"+
		"\tTags []string `json:\"tags\"`\n"+
		"}\n\ntype itemDTO struct {\n\tN int `json:\"n\"`\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`w.key("Plain")`, `if len(v.Items) > 0 {`, "func (w *jsonWriter) encodeItemDTO(v *itemDTO)",
		"w.integer(int64(v.N))", "list(w, v.Tags, func(e *string) {"} {
		if !strings.Contains(out, want) {
			t.Errorf("generated code lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"Skipped", "notExported"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("generated code writes %s:\n%s", unwanted, out)
		}
	}

	for src, want := range map[string]string{
		"type recordDTO struct {\n\tC chan int `json:\"c\"`\n}\n":          "recordDTO.C",
		"type recordDTO struct {\n\tN float32 `json:\"n\"`\n}\n":           "recordDTO.N: type float32 not supported",
		"type recordDTO struct {\n\tS string `json:\"s,string\"`\n}\n":     `recordDTO.S: json option "string" not supported`,
		"type recordDTO struct {\n\tM map[string]int `json:\"m\"`\n}\n":    "recordDTO.M: map[string]int not supported",
		"type recordDTO struct {\n\titemDTO\n}\n\ntype itemDTO struct{}\n": "recordDTO embeds itemDTO",
		"type other struct{}\n": "no struct type recordDTO",
	} {
		if _, err := generateFrom(t, src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got error %v, want one naming %q", src, err, want)
		}
	}
}
