// Package record holds the one set of document shapes that every storage
// adapter persists and that the export format writes: plain structs with json
// and bson tags (camelCase; the primary key is "id" in JSON and "_id" in BSON)
// and named converters to and from the domain types.
//
// Conversions are exact: domain → doc → (JSON or BSON) → doc → domain yields a
// value reflect.DeepEqual to the original, with two normalisations that every
// adapter therefore shares: empty slices and byte slices load as nil, and
// maps load as non-nil (so callers may write into them).
package record

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

// idString is the canonical text of a required ID.
func idString(id uuid.UUID) string { return id.String() }

// optIDString leaves an absent (nil) ID out of the document instead of
// writing a string of zeros, so "no institution" stays distinguishable and
// omitempty can drop it.
func optIDString(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

// parseID reads an ID; "" is uuid.Nil, the counterpart of optIDString.
func parseID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("record: bad %s %q: %w", field, s, err)
	}
	return id, nil
}

func idPtrString(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

func parseIDPtr(field, s string) (*uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	id, err := parseID(field, s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func idStrings(ids []uuid.UUID) []string {
	if len(ids) == 0 {
		return nil
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

func parseIDs(field string, ss []string) ([]uuid.UUID, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	out := make([]uuid.UUID, len(ss))
	for i, s := range ss {
		id, err := parseID(field, s)
		if err != nil {
			return nil, err
		}
		out[i] = id
	}
	return out, nil
}

// utc drops the location decoders attach (BSON decodes into local time), so
// loaded times compare equal to the UTC times the domain produced.
func utc(t time.Time) time.Time { return t.UTC() }

func optTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func optFloat(f *float64) *float64 {
	if f == nil {
		return nil
	}
	v := *f
	return &v
}

func optBool(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}

func optBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// mapSlice converts a slice element-wise, loading empty as nil.
func mapSlice[T, U any](in []T, f func(T) U) []U {
	if len(in) == 0 {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// mapSliceErr is mapSlice for conversions that can fail.
func mapSliceErr[T, U any](in []T, f func(T) (U, error)) ([]U, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		u, err := f(v)
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}

// convertStrings converts between string-kinded slices (enums and string).
func convertStrings[T, U ~string](in []T) []U {
	return mapSlice(in, func(v T) U { return U(v) })
}
