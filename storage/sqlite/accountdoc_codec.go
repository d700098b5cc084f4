package sqlite

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
)

// docWriter appends the primitives of the binary format: unsigned and
// zig-zag varints, strings as length + bytes, IDs as their 16 bytes,
// floats as 8 little-endian bytes, times as Unix seconds + nanoseconds,
// and a presence byte before anything optional. In format 2 (v2) numbers,
// times, and IDs and strings that recur are written shorter.
type docWriter struct {
	b    []byte
	v2   bool
	ids  refTable[uuid.UUID]
	strs refTable[string]
}

// refTable holds the IDs or recurring strings a document has written (or,
// reading, read) so far, the first refTableSize of them; a later
// occurrence is written as its index + 1. An array, not a slice, so that a
// writer or reader on the stack keeps it there.
type refTable[T comparable] struct {
	vals [refTableSize]T
	n    int
}

// index is v's reference (its index + 1), or 0 if v is not in the table.
func (t *refTable[T]) index(v T) uint64 {
	for i := 0; i < t.n; i++ {
		if t.vals[i] == v {
			return uint64(i + 1)
		}
	}
	return 0
}

func (t *refTable[T]) add(v T) {
	if t.n < refTableSize {
		t.vals[t.n] = v
		t.n++
	}
}

// at is the value a reference k (≥ 1) names.
func (t *refTable[T]) at(k uint64) (T, bool) {
	if k == 0 || k > uint64(t.n) {
		var zero T
		return zero, false
	}
	return t.vals[k-1], true
}

// refTableSize bounds the reference tables: the values that recur in a
// document (its issuers, categories, statuses) are few, and a bound keeps
// the linear look-up cheap in an account of thousands of outcomes.
const refTableSize = 32

// refID writes an ID as 0 and its 16 bytes the first time, as its index + 1
// in the table afterwards.
func (w *docWriter) refID(id uuid.UUID) {
	if !w.v2 {
		w.id(id)
		return
	}
	if k := w.ids.index(id); k > 0 {
		w.uvarint(k)
		return
	}
	w.b = append(w.b, 0)
	w.id(id)
	w.ids.add(id)
}

// refStr writes a string as 0 and the string the first time, as its index
// + 1 in the table afterwards. Empty strings are not worth a slot.
func (w *docWriter) refStr(s string) {
	if !w.v2 {
		w.str(s)
		return
	}
	if k := w.strs.index(s); k > 0 {
		w.uvarint(k)
		return
	}
	w.b = append(w.b, 0)
	w.str(s)
	if s != "" {
		w.strs.add(s)
	}
}

func (w *docWriter) number(f float64) {
	if w.v2 {
		w.num(f)
	} else {
		w.f64(f)
	}
}

func (w *docWriter) optNumber(f *float64) {
	w.boolean(f != nil)
	if f != nil {
		w.number(*f)
	}
}

// Format 2 time marks, in the low two bits of the first varint.
const (
	timeDays   = 0 // a UTC midnight: days since 1970
	timeMillis = 1 // whole milliseconds since 1970
	timeFull   = 2 // then seconds and nanoseconds, as in format 1
)

func zigzag(n int64) uint64   { return uint64(n<<1 ^ n>>63) }
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

func (w *docWriter) uvarint(u uint64) { w.b = binary.AppendUvarint(w.b, u) }
func (w *docWriter) varint(i int64)   { w.b = binary.AppendVarint(w.b, i) }
func (w *docWriter) id(id uuid.UUID)  { w.b = append(w.b, id[:]...) }
func (w *docWriter) f64(f float64)    { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(f)) }

// num writes a number compactly: its thousandths as an even zig-zag
// varint when that gives exactly the number back (credits, hours and scores
// do: 2.5 takes two bytes), otherwise a 1 and the 8 bytes.
func (w *docWriter) num(f float64) {
	if m := math.Round(f * 1000); math.Abs(m) < 1<<52 {
		if n := int64(m); math.Float64bits(float64(n)/1000) == math.Float64bits(f) {
			w.uvarint(zigzag(n) << 1)
			return
		}
	}
	w.uvarint(1)
	w.f64(f)
}

func (w *docWriter) str(s string) {
	w.uvarint(uint64(len(s)))
	w.b = append(w.b, s...)
}

func (w *docWriter) boolean(b bool) {
	if b {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

func (w *docWriter) time(t time.Time) {
	sec, ns := t.Unix(), int64(t.Nanosecond())
	switch {
	case !w.v2:
	case ns == 0 && sec%86400 == 0 && sec > -1<<50 && sec < 1<<50:
		w.uvarint(zigzag(sec/86400)<<2 | timeDays)
		return
	case ns%1e6 == 0 && sec > -1<<40 && sec < 1<<40:
		w.uvarint(zigzag(sec*1000+ns/1e6)<<2 | timeMillis)
		return
	default:
		w.uvarint(timeFull)
	}
	w.varint(sec)
	w.uvarint(uint64(ns))
}

func (w *docWriter) optTime(t *time.Time) {
	w.boolean(t != nil)
	if t != nil {
		w.time(*t)
	}
}

func (w *docWriter) optID(id *uuid.UUID) {
	w.boolean(id != nil)
	if id != nil {
		w.id(*id)
	}
}

func (w *docWriter) optBool(b *bool) {
	switch {
	case b == nil:
		w.b = append(w.b, 0)
	case *b:
		w.b = append(w.b, 2)
	default:
		w.b = append(w.b, 1)
	}
}

// hexStr stores a SHA-256 in lower-case hex (ledger hashes, the national-ID
// lookup hash) as its 32 bytes, anything else as a plain string: the hashes
// are a third of a ledger entry otherwise.
func (w *docWriter) hexStr(s string) {
	if isLowerHex64(s) {
		w.b = append(w.b, 1)
		w.b, _ = hex.AppendDecode(w.b, []byte(s))
		return
	}
	w.b = append(w.b, 0)
	w.str(s)
}

func isLowerHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// docReader reads what docWriter wrote. The first malformed field sets err;
// every read after it returns zero values, so decoders check once at the end.
type docReader struct {
	s    string
	err  error
	v2   bool
	ids  refTable[uuid.UUID]
	strs refTable[string]
}

func (r *docReader) refID() uuid.UUID {
	if !r.v2 {
		return r.id()
	}
	k := r.uvarint()
	if k == 0 {
		id := r.id()
		if r.err == nil {
			r.ids.add(id)
		}
		return id
	}
	id, ok := r.ids.at(k)
	if !ok {
		r.fail("ID reference %d of %d", k, r.ids.n)
	}
	return id
}

func (r *docReader) refStr() string {
	if !r.v2 {
		return r.str()
	}
	k := r.uvarint()
	if k == 0 {
		s := r.str()
		if s != "" && r.err == nil {
			r.strs.add(s)
		}
		return s
	}
	s, ok := r.strs.at(k)
	if !ok {
		r.fail("string reference %d of %d", k, r.strs.n)
	}
	return s
}

func (r *docReader) number() float64 {
	if r.v2 {
		return r.num()
	}
	return r.f64()
}

func (r *docReader) optNumber() *float64 {
	if !r.boolean() {
		return nil
	}
	f := r.number()
	return &f
}

func (r *docReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("binary document: "+format, args...)
	}
	r.s = ""
}

func (r *docReader) take(n int, what string) string {
	if r.err != nil {
		return ""
	}
	if n < 0 || n > len(r.s) {
		r.fail("%s: %d bytes wanted, %d left", what, n, len(r.s))
		return ""
	}
	v := r.s[:n]
	r.s = r.s[n:]
	return v
}

func (r *docReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < binary.MaxVarintLen64; i++ {
		if i >= len(r.s) {
			break
		}
		c := r.s[i]
		if i == binary.MaxVarintLen64-1 && c > 1 {
			break // more than 64 bits
		}
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			r.s = r.s[i+1:]
			return v
		}
	}
	r.fail("malformed varint")
	return 0
}

func (r *docReader) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// count reads a list length, refusing one longer than the bytes left could
// hold (every element takes at least one byte), so a corrupt length cannot
// make the decoder allocate without bound.
func (r *docReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail("list of %d elements in %d bytes", n, len(r.s))
		return 0
	}
	return int(n)
}

func (r *docReader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.s)) {
		r.fail("string of %d bytes, %d left", n, len(r.s))
		return ""
	}
	return r.take(int(n), "string")
}

func (r *docReader) id() uuid.UUID {
	var id uuid.UUID
	copy(id[:], r.take(len(id), "id"))
	return id
}

func (r *docReader) f64() float64 {
	b := r.take(8, "number")
	if len(b) < 8 {
		return 0
	}
	return math.Float64frombits(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56)
}

func (r *docReader) num() float64 {
	u := r.uvarint()
	switch {
	case u == 1:
		return r.f64()
	case u&1 != 0:
		r.fail("number marker %d", u)
		return 0
	}
	return float64(unzigzag(u>>1)) / 1000
}

func (r *docReader) flag(max byte) byte {
	b := r.take(1, "flag")
	if len(b) == 0 {
		return 0
	}
	if b[0] > max {
		r.fail("flag %d out of range", b[0])
		return 0
	}
	return b[0]
}

func (r *docReader) boolean() bool { return r.flag(1) == 1 }

func (r *docReader) time() time.Time {
	if r.v2 {
		u := r.uvarint()
		switch {
		case r.err != nil:
			return time.Time{}
		case u&3 == timeDays:
			return time.Unix(unzigzag(u>>2)*86400, 0).UTC()
		case u&3 == timeMillis:
			return time.UnixMilli(unzigzag(u >> 2)).UTC()
		case u != timeFull:
			r.fail("time mark %d", u)
			return time.Time{}
		}
	}
	sec := r.varint()
	nsec := r.uvarint()
	if nsec >= 1e9 {
		r.fail("nanoseconds %d out of range", nsec)
		return time.Time{}
	}
	if r.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (r *docReader) optTime() *time.Time {
	if !r.boolean() {
		return nil
	}
	t := r.time()
	return &t
}

func (r *docReader) optID() *uuid.UUID {
	if !r.boolean() {
		return nil
	}
	id := r.id()
	return &id
}

func (r *docReader) optBool() *bool {
	switch r.flag(2) {
	case 1:
		v := false
		return &v
	case 2:
		v := true
		return &v
	}
	return nil
}

func (r *docReader) hexStr() string { return r.hexStrFlagged(r.flag(1)) }

// hexStrFlagged reads what hexStr wrote after its flag.
func (r *docReader) hexStrFlagged(flag byte) string {
	if flag == 0 {
		return r.str()
	}
	raw := r.take(32, "hash")
	if len(raw) < 32 {
		return ""
	}
	var text [64]byte
	for i := 0; i < 32; i++ {
		text[2*i], text[2*i+1] = lowerHex[raw[i]>>4], lowerHex[raw[i]&0xF]
	}
	return string(text[:])
}

const lowerHex = "0123456789abcdef"
