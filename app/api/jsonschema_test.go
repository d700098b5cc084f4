package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// schemaSet is a small JSON Schema validator for the keywords the vendored
// 1EdTech schemas use (see testdata/1edtech/README.md). It exists so the
// export can be checked against the standards without a new dependency.
type schemaSet struct {
	dir  string
	docs map[string]map[string]any
}

func newSchemaSet(t *testing.T, dir string) *schemaSet {
	t.Helper()
	return &schemaSet{dir: dir, docs: map[string]map[string]any{}}
}

func (s *schemaSet) doc(name string) (map[string]any, error) {
	if d, ok := s.docs[name]; ok {
		return d, nil
	}
	raw, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		return nil, err
	}
	var d map[string]any
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.docs[name] = d
	return d, nil
}

// validate returns every violation of the named schema file by instance.
func (s *schemaSet) validate(file string, instance any) ([]string, error) {
	root, err := s.doc(file)
	if err != nil {
		return nil, err
	}
	var problems []string
	err = s.check(file, root, instance, "$", &problems)
	return problems, err
}

// resolve follows a $ref: "#/$defs/X" in the current file, "other.json"
// or "other.json#/$defs/X" in a sibling file.
func (s *schemaSet) resolve(file, ref string) (string, map[string]any, error) {
	target, frag, _ := strings.Cut(ref, "#")
	if target != "" {
		file = target
	}
	node, err := s.doc(file)
	if err != nil {
		return "", nil, err
	}
	for _, part := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if part == "" {
			continue
		}
		next, ok := node[part].(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("unresolvable $ref %q in %s", ref, file)
		}
		node = next
	}
	return file, node, nil
}

func (s *schemaSet) check(file string, schema map[string]any, v any, path string, problems *[]string) error {
	fail := func(format string, args ...any) {
		*problems = append(*problems, path+": "+fmt.Sprintf(format, args...))
	}
	if ref, ok := schema["$ref"].(string); ok {
		f, target, err := s.resolve(file, ref)
		if err != nil {
			return err
		}
		if err := s.check(f, target, v, path, problems); err != nil {
			return err
		}
	}
	if t, ok := schema["type"]; ok && !typeMatches(t, v) {
		fail("type %s, want %v", jsonType(v), t)
		return nil
	}
	if enum, ok := schema["enum"].([]any); ok && !containsValue(enum, v) {
		fail("%v is not one of %v", v, enum)
	}
	if c, ok := schema["const"]; ok && !reflect.DeepEqual(c, v) {
		fail("%v is not %v", v, c)
	}
	if str, ok := v.(string); ok {
		if p, ok := schema["pattern"].(string); ok {
			re, err := regexp.Compile(p)
			if err != nil {
				return fmt.Errorf("%s: pattern %q: %w", file, p, err)
			}
			if !re.MatchString(str) {
				fail("%q does not match %s", str, p)
			}
		}
		switch schema["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339, str); err != nil {
				fail("%q is not an RFC 3339 date-time", str)
			}
		case "uri":
			if u, err := url.Parse(str); err != nil || u.Scheme == "" {
				fail("%q is not an absolute URI", str)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		for _, r := range asList(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				fail("required property %q is missing", r)
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, val := range obj {
			if sub, ok := props[k].(map[string]any); ok {
				if err := s.check(file, sub, val, path+"."+k, problems); err != nil {
					return err
				}
			} else if schema["additionalProperties"] == false {
				fail("property %q is not allowed", k)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if n, ok := schema["minItems"].(float64); ok && float64(len(arr)) < n {
			fail("%d items, want at least %v", len(arr), n)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, it := range arr {
				if err := s.check(file, items, it, fmt.Sprintf("%s[%d]", path, i), problems); err != nil {
					return err
				}
			}
		}
		if c, ok := schema["contains"].(map[string]any); ok {
			found := false
			for _, it := range arr {
				var sub []string
				if err := s.check(file, c, it, path, &sub); err != nil {
					return err
				}
				found = found || len(sub) == 0
			}
			if !found {
				fail("no item matches %v", c)
			}
		}
	}
	for _, sub := range asList(schema["allOf"]) {
		if err := s.check(file, sub.(map[string]any), v, path, problems); err != nil {
			return err
		}
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		alts := asList(schema[kw])
		if len(alts) == 0 {
			continue
		}
		passed := 0
		var first []string
		for i, alt := range alts {
			var sub []string
			if err := s.check(file, alt.(map[string]any), v, path, &sub); err != nil {
				return err
			}
			if len(sub) == 0 {
				passed++
			} else if i == 0 {
				first = sub
			}
		}
		switch {
		case passed == 0:
			fail("matches none of %s (first: %v)", kw, first)
		case kw == "oneOf" && passed > 1:
			fail("matches %d alternatives of oneOf", passed)
		}
	}
	return nil
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func typeMatches(want, v any) bool {
	got := jsonType(v)
	for _, w := range append(asList(want), want) {
		if w == got || (w == "number" && got == "integer") {
			return true
		}
	}
	return false
}

func containsValue(list []any, v any) bool {
	for _, x := range list {
		if reflect.DeepEqual(x, v) {
			return true
		}
	}
	return false
}
