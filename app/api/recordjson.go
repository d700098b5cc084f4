package api

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// A learner's record is the largest and most often read response, and
// encoding it through reflection was most of the cost of rendering one
// (≈ 33 µs of ≈ 60 µs for ten outcomes, 1.7 ms of 2.3 ms for five hundred). The
// writer here writes the same bytes encoding/json writes for recordDTO —
// the same escaping, number and time formats, field order and omitempty
// rules — which TestRecordJSONMatchesEncodingJSON checks byte for byte on
// records with every field set, unset and filled with awkward values. A
// value it does not handle (a NaN, a year outside 0–9999) is reported, and
// the caller falls back to encoding/json, which then answers as it always
// did.
//
// This file holds the primitives; the writer of each DTO, which only
// follows the struct's fields and json tags, is generated from them into
// recordjson_gen.go. After changing a DTO the record holds, run go generate
// (TestRecordJSONIsGenerated fails until then).

//go:generate go run ./internal/recordjsongen/cmd

var errRecordJSON = errors.New("api: record needs the reflective encoder")

// recordJSON encodes r as encoding/json would, or returns errRecordJSON.
func recordJSON(r *recordDTO) ([]byte, error) {
	// Sized from what records take (≈ 380 bytes an outcome, 280 a ledger
	// entry): cached renderings are accounted by capacity.
	w := jsonWriter{b: make([]byte, 0, 512+len(r.Outcomes)*400+len(r.Ledger)*300+len(r.Conversions)*1200+len(r.Grants)*250)}
	w.encodeRecordDTO(r)
	if w.err != nil {
		return nil, w.err
	}
	if cap(w.b)-len(w.b) > len(w.b)/8 {
		return append(make([]byte, 0, len(w.b)), w.b...), nil
	}
	return w.b, nil
}

type jsonWriter struct {
	b   []byte
	err error
}

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

// key writes "name": inside an object, after a comma unless it is the
// object's first field (the buffer then ends with its opening brace).
func (w *jsonWriter) key(name string) {
	if n := len(w.b); n > 0 && w.b[n-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) boolean(v bool) {
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) integer(v int64) { w.b = strconv.AppendInt(w.b, v, 10) }

// number follows encoding/json's float64 format: shortest representation,
// exponent form below 1e-6 and from 1e21, two-digit negative exponents
// shortened.
func (w *jsonWriter) number(f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		w.err = errRecordJSON
		return
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, f, format, -1, 64)
	if format == 'e' {
		n := len(w.b)
		if n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
			w.b[n-2] = w.b[n-1]
			w.b = w.b[:n-1]
		}
	}
}

// id is the UUID's canonical text (what its MarshalText gives).
func (w *jsonWriter) id(id uuid.UUID) {
	b := append(w.b, '"')
	for i, c := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xF])
	}
	w.b = append(b, '"')
}

// timestamp is time.Time's MarshalJSON: RFC 3339 with nanoseconds.
func (w *jsonWriter) timestamp(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		w.err = errRecordJSON
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

const hexDigits = "0123456789abcdef"

// str is encoding/json's string encoding with HTML escaping (its default):
// <, > and & as \u003c \u003e \u0026, control characters as short escapes
// or \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func (w *jsonWriter) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}

func (w *jsonWriter) floatMap(m map[string]float64) {
	if m == nil {
		w.raw("null")
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.b = append(w.b, '{')
	for i, k := range keys {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(k)
		w.b = append(w.b, ':')
		w.number(m[k])
	}
	w.b = append(w.b, '}')
}

// list writes a JSON array of items, null for a nil slice.
func list[T any](w *jsonWriter, items []T, item func(*T)) {
	if items == nil {
		w.raw("null")
		return
	}
	w.b = append(w.b, '[')
	for i := range items {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		item(&items[i])
	}
	w.b = append(w.b, ']')
}
