package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaSet validates with a complete JSON Schema implementation
// (santhosh-tekuri/jsonschema, every draft-2019-09 keyword, formats
// asserted). The schemas in dir are registered under their $id, so a $ref
// from one to another resolves without the network.
type schemaSet struct {
	byFile map[string]*jsonschema.Schema
}

func newSchemaSet(t *testing.T, dir string) *schemaSet {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no schemas in %s: %v", dir, err)
	}
	ids := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			t.Fatalf("%s has no $id", f)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
		ids[filepath.Base(f)] = id
	}
	set := &schemaSet{byFile: map[string]*jsonschema.Schema{}}
	for file, id := range ids {
		sch, err := c.Compile(id)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		set.byFile[file] = sch
	}
	return set
}

// validate lists what instance breaks in the schema file, one line per
// failed keyword with its location.
func (s *schemaSet) validate(file string, instance any) ([]string, error) {
	sch, ok := s.byFile[file]
	if !ok {
		return nil, errors.New("no schema " + file)
	}
	// Round-trip through JSON so that Go values take the shapes the
	// validator expects (numbers as json.Number).
	raw, err := json.Marshal(instance)
	if err != nil {
		return nil, err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	err = sch.Validate(v)
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		var problems []string
		for _, u := range ve.BasicOutput().Errors {
			if u.Error != nil {
				problems = append(problems, "/"+strings.TrimPrefix(u.InstanceLocation, "/")+": "+u.Error.String())
			}
		}
		if len(problems) == 0 {
			problems = append(problems, ve.Error())
		}
		return problems, nil
	}
	return nil, err
}
