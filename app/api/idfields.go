package api

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"creditbank/domain"
)

var uuidType = reflect.TypeFor[uuid.UUID]()

// idFieldProblems finds the ID fields of a request body that are not IDs,
// by the JSON field paths the client sent (learner.institutionId,
// items[2].outcomeId). encoding/json reports a malformed ID with the UUID
// parser's bare error, naming no field, so the body is read again, loosely,
// and compared with the request type. nil when no ID field is at fault.
func idFieldProblems(body []byte, dst any) error {
	var loose any
	if json.Unmarshal(body, &loose) != nil {
		return nil
	}
	v := &domain.ValidationError{}
	walkIDs(v, reflect.TypeOf(dst), loose, "")
	return v.Err()
}

func walkIDs(v *domain.ValidationError, t reflect.Type, val any, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if val == nil {
		return
	}
	switch {
	case t == uuidType:
		if s, ok := val.(string); !ok || uuid.Validate(s) != nil {
			v.Add(path, "must be an ID as returned by this service")
		}
	case t.Kind() == reflect.Struct:
		obj, ok := val.(map[string]any)
		if !ok {
			return
		}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				walkIDs(v, f.Type, val, path)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			for k, sub := range obj {
				// encoding/json matches keys case-insensitively.
				if strings.EqualFold(k, name) {
					walkIDs(v, f.Type, sub, joinPath(path, k))
				}
			}
		}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		arr, ok := val.([]any)
		if !ok {
			return
		}
		for i, sub := range arr {
			walkIDs(v, t.Elem(), sub, path+"["+strconv.Itoa(i)+"]")
		}
	case t.Kind() == reflect.Map:
		obj, ok := val.(map[string]any)
		if !ok {
			return
		}
		for k, sub := range obj {
			walkIDs(v, t.Elem(), sub, joinPath(path, k))
		}
	}
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
