package sqlite

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage/record"
)

// Account documents are stored in a compact binary form. Decoding and
// encoding the JSON document were the largest costs of a deposit, a record
// read that misses the cache and an import row (≈ 250 µs and 160 µs for ten
// outcomes), and at 8–10 kB a JSON account spilled over several overflow
// pages that every save wrote again. The binary form is about a third of the
// size and decodes without reflection.
//
// A document starts with its format byte. JSON documents ('{') written by
// earlier versions stay readable and are rewritten in the binary form at
// their next save; nothing needs migrating. Migrations that looked into
// documents with SQL (json_each) all ran before the first binary document
// could exist; no query may look into a document any more.
//
// Changing the layout means a new format byte, with the decoder of every
// earlier one kept.
const (
	accountFormatJSON    = '{'
	accountFormatBinary1 = 0xB1
)

// encodeAccount writes a at version in the current binary format.
func encodeAccount(a *domain.Account, version int64) []byte {
	w := docWriter{b: make([]byte, 0, 512+len(a.Outcomes)*256+len(a.Ledger)*120+len(a.Conversions)*512)}
	w.b = append(w.b, accountFormatBinary1)
	w.id(a.ID)
	w.varint(version)
	w.str(a.Name)
	w.str(a.PII.NationalIDSealed)
	w.hexStr(a.PII.NationalIDHash)
	w.str(a.PII.NationalIDMasked)
	w.str(a.PII.PhoneSealed)
	w.str(a.PII.PhoneMasked)
	w.time(a.BirthDate)
	w.str(a.PasswordHash)
	w.optTime(a.CredentialsChangedAt)
	w.str(string(a.Status))
	w.time(a.CreatedAt)
	w.optTime(a.AlertsSeenAt)
	w.uvarint(uint64(len(a.Outcomes)))
	for i := range a.Outcomes {
		w.outcome(&a.Outcomes[i])
	}
	w.uvarint(uint64(len(a.Conversions)))
	for i := range a.Conversions {
		w.conversion(&a.Conversions[i])
	}
	w.uvarint(uint64(len(a.Ledger)))
	for i := range a.Ledger {
		w.ledgerEntry(&a.Ledger[i])
	}
	w.uvarint(uint64(len(a.Grants)))
	for _, g := range a.Grants {
		w.id(g.ID)
		w.id(g.InstitutionID)
		w.time(g.CreatedAt)
		w.time(g.ExpiresAt)
		w.optTime(g.RevokedAt)
	}
	w.uvarint(uint64(len(a.Helpers)))
	for _, h := range a.Helpers {
		w.id(h.ID)
		w.id(h.HelperID)
		w.str(h.HelperName)
		w.str(h.HelperIDMasked)
		w.time(h.CreatedAt)
		w.time(h.ExpiresAt)
		w.optTime(h.WithdrawnAt)
	}
	w.uvarint(uint64(len(a.AccessLog)))
	for _, e := range a.AccessLog {
		w.id(e.ID)
		w.time(e.At)
		w.str(string(e.Kind))
		w.id(e.ActorID)
		w.id(e.InstitutionID)
		w.str(e.Name)
		w.str(string(e.Action))
		w.str(e.Detail)
	}
	return w.b
}

func (w *docWriter) outcome(o *domain.Outcome) {
	w.id(o.ID)
	w.id(o.AccountID)
	w.id(o.IssuerID)
	w.str(string(o.Category))
	w.str(o.Title)
	w.str(o.CourseCode)
	w.f64(o.Hours)
	w.f64(o.Credits)
	w.boolean(o.CreditsStated)
	w.optF64(o.Result.Score)
	w.optF64(o.Result.PassMark)
	w.str(o.Result.Grade)
	w.optBool(o.Result.Passed)
	w.varint(int64(o.Level))
	w.time(o.CompletedOn)
	w.optTime(o.ExpiresOn)
	w.str(string(o.Status))
	w.str(o.RevokedReason)
	w.optTime(o.RevokedAt)
	w.time(o.IssuedAt)
	w.str(o.IssuedBy)
}

func (w *docWriter) conversion(c *domain.Conversion) {
	w.id(c.ID)
	w.id(c.AccountID)
	w.id(c.RuleID)
	w.str(c.RuleCode)
	w.varint(int64(c.RuleVersion))
	w.str(c.RuleName)
	w.id(c.InstitutionID)
	w.str(string(c.Purpose))
	w.boolean(c.Exclusive)
	w.str(string(c.Status))
	e := &c.Evaluation
	w.boolean(e.Eligible)
	w.f64(e.AwardedCredits)
	w.f64(e.UsedCredits)
	w.uvarint(uint64(len(e.Used)))
	for _, u := range e.Used {
		w.id(u.OutcomeID)
		w.str(u.Title)
		w.str(string(u.Category))
		w.f64(u.Credits)
	}
	w.uvarint(uint64(len(e.Trace)))
	for _, s := range e.Trace {
		w.str(s.Code)
		w.str(s.Message)
	}
	w.boolean(e.Shortfall != nil)
	if e.Shortfall != nil {
		w.f64(e.Shortfall.Credits)
		w.str(e.Shortfall.Message)
	}
	w.time(e.EvaluatedAt)
	w.f64(c.Earmarked)
	w.f64(c.Spent)
	w.time(c.AppliedAt)
	w.optTime(c.DecidedAt)
	w.str(c.DecidedBy)
	w.str(c.Note)
}

func (w *docWriter) ledgerEntry(e *domain.LedgerEntry) {
	w.varint(e.Seq)
	w.time(e.At)
	w.str(string(e.Kind))
	w.f64(e.Credits)
	w.f64(e.BalanceAfter)
	w.optID(e.OutcomeID)
	w.optID(e.ConversionID)
	w.hexStr(e.PrevHash)
	w.hexStr(e.Hash)
}

// decodeAccount reads an account document of any format ever written.
func decodeAccount(raw string) (*domain.Account, error) {
	if raw == "" {
		return nil, errors.New("sqlite: decode account: empty document")
	}
	switch raw[0] {
	case accountFormatBinary1:
		a, err := decodeAccountBinary1(raw[1:])
		if err != nil {
			return nil, fmt.Errorf("sqlite: decode account: %w", err)
		}
		return a, nil
	case accountFormatJSON:
		var d record.AccountDoc
		if err := json.Unmarshal([]byte(raw), &d); err != nil {
			return nil, fmt.Errorf("sqlite: decode account: %w", err)
		}
		return d.ToDomain()
	default:
		return nil, fmt.Errorf("sqlite: decode account: unknown document format %#x", raw[0])
	}
}

// decodeAccountBinary1 is encodeAccount's inverse. Strings are slices of
// raw, which the account then keeps alive: one allocation for all of them.
// Empty lists load as nil and times as UTC, as from the JSON documents.
func decodeAccountBinary1(raw string) (*domain.Account, error) {
	r := docReader{s: raw}
	a := &domain.Account{}
	a.ID = r.id()
	a.Version = r.varint()
	a.Name = r.str()
	a.PII.NationalIDSealed = r.str()
	a.PII.NationalIDHash = r.hexStr()
	a.PII.NationalIDMasked = r.str()
	a.PII.PhoneSealed = r.str()
	a.PII.PhoneMasked = r.str()
	a.BirthDate = r.time()
	a.PasswordHash = r.str()
	a.CredentialsChangedAt = r.optTime()
	a.Status = domain.AccountStatus(r.str())
	a.CreatedAt = r.time()
	a.AlertsSeenAt = r.optTime()
	if n := r.count(); n > 0 {
		a.Outcomes = make([]domain.Outcome, n)
		for i := range a.Outcomes {
			r.outcome(&a.Outcomes[i])
		}
	}
	if n := r.count(); n > 0 {
		a.Conversions = make([]domain.Conversion, n)
		for i := range a.Conversions {
			r.conversion(&a.Conversions[i])
		}
	}
	if n := r.count(); n > 0 {
		a.Ledger = make([]domain.LedgerEntry, n)
		for i := range a.Ledger {
			r.ledgerEntry(&a.Ledger[i])
		}
	}
	if n := r.count(); n > 0 {
		a.Grants = make([]domain.Grant, n)
		for i := range a.Grants {
			g := &a.Grants[i]
			g.ID, g.InstitutionID = r.id(), r.id()
			g.CreatedAt, g.ExpiresAt, g.RevokedAt = r.time(), r.time(), r.optTime()
		}
	}
	if n := r.count(); n > 0 {
		a.Helpers = make([]domain.HelperGrant, n)
		for i := range a.Helpers {
			h := &a.Helpers[i]
			h.ID, h.HelperID = r.id(), r.id()
			h.HelperName, h.HelperIDMasked = r.str(), r.str()
			h.CreatedAt, h.ExpiresAt, h.WithdrawnAt = r.time(), r.time(), r.optTime()
		}
	}
	if n := r.count(); n > 0 {
		a.AccessLog = make([]domain.AccessEntry, n)
		for i := range a.AccessLog {
			e := &a.AccessLog[i]
			e.ID, e.At, e.Kind = r.id(), r.time(), domain.AccessorKind(r.str())
			e.ActorID, e.InstitutionID = r.id(), r.id()
			e.Name, e.Action, e.Detail = r.str(), domain.AccessAction(r.str()), r.str()
		}
	}
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after the document", len(r.s))
	}
	if r.err != nil {
		return nil, r.err
	}
	return a, nil
}

func (r *docReader) outcome(o *domain.Outcome) {
	o.ID, o.AccountID, o.IssuerID = r.id(), r.id(), r.id()
	o.Category = domain.Category(r.str())
	o.Title, o.CourseCode = r.str(), r.str()
	o.Hours, o.Credits = r.f64(), r.f64()
	o.CreditsStated = r.boolean()
	o.Result.Score, o.Result.PassMark = r.optF64(), r.optF64()
	o.Result.Grade = r.str()
	o.Result.Passed = r.optBool()
	o.Level = int(r.varint())
	o.CompletedOn, o.ExpiresOn = r.time(), r.optTime()
	o.Status = domain.OutcomeStatus(r.str())
	o.RevokedReason, o.RevokedAt = r.str(), r.optTime()
	o.IssuedAt, o.IssuedBy = r.time(), r.str()
}

func (r *docReader) conversion(c *domain.Conversion) {
	c.ID, c.AccountID, c.RuleID = r.id(), r.id(), r.id()
	c.RuleCode = r.str()
	c.RuleVersion = int(r.varint())
	c.RuleName = r.str()
	c.InstitutionID = r.id()
	c.Purpose = domain.Purpose(r.str())
	c.Exclusive = r.boolean()
	c.Status = domain.ConversionStatus(r.str())
	e := &c.Evaluation
	e.Eligible = r.boolean()
	e.AwardedCredits, e.UsedCredits = r.f64(), r.f64()
	if n := r.count(); n > 0 {
		e.Used = make([]domain.UsedOutcome, n)
		for i := range e.Used {
			u := &e.Used[i]
			u.OutcomeID, u.Title, u.Category, u.Credits = r.id(), r.str(), domain.Category(r.str()), r.f64()
		}
	}
	if n := r.count(); n > 0 {
		e.Trace = make([]domain.TraceStep, n)
		for i := range e.Trace {
			e.Trace[i] = domain.TraceStep{Code: r.str(), Message: r.str()}
		}
	}
	if r.boolean() {
		e.Shortfall = &domain.Shortfall{Credits: r.f64(), Message: r.str()}
	}
	e.EvaluatedAt = r.time()
	c.Earmarked, c.Spent = r.f64(), r.f64()
	c.AppliedAt, c.DecidedAt = r.time(), r.optTime()
	c.DecidedBy, c.Note = r.str(), r.str()
}

func (r *docReader) ledgerEntry(e *domain.LedgerEntry) {
	e.Seq = r.varint()
	e.At = r.time()
	e.Kind = domain.LedgerKind(r.str())
	e.Credits, e.BalanceAfter = r.f64(), r.f64()
	e.OutcomeID, e.ConversionID = r.optID(), r.optID()
	e.PrevHash, e.Hash = r.hexStr(), r.hexStr()
}

// docWriter appends the primitives of the binary format: unsigned and
// zig-zag varints, strings as length + bytes, IDs as their 16 bytes,
// floats as 8 little-endian bytes, times as Unix seconds + nanoseconds,
// and a presence byte before anything optional.
type docWriter struct{ b []byte }

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
			w.uvarint(uint64(n<<1^n>>63) << 1)
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
	w.varint(t.Unix())
	w.uvarint(uint64(t.Nanosecond()))
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

func (w *docWriter) optF64(f *float64) {
	w.boolean(f != nil)
	if f != nil {
		w.f64(*f)
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
	s   string
	err error
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
	z := u >> 1
	n := int64(z>>1) ^ -int64(z&1)
	return float64(n) / 1000
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

func (r *docReader) optF64() *float64 {
	if !r.boolean() {
		return nil
	}
	f := r.f64()
	return &f
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

func (r *docReader) hexStr() string {
	if r.flag(1) == 0 {
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
