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
//
// Format 2 has the layout of format 1 with smaller values, because a
// document that outgrows a page (4 096 bytes with its row) spills onto an
// overflow page that every save writes again: at ten outcomes a format 1
// account was ≈ 3.1 kB, at twelve it overflowed. Format 2 stores numbers
// that are whole thousandths (credits, hours, scores) as varints, dates and
// millisecond times as varints of days and milliseconds, an ID or a
// recurring string (issuer, category, status, who issued) seen earlier in
// the same document as its index, a ledger entry's previous hash as a mark
// when it is the hash of the entry before, and a ledger entry's outcome or
// conversion as a mark when it is the next one of the account's in order.
// A learner's ten outcomes take ≈ 1.9 kB instead of ≈ 3.6 kB.
//
// Format 3 is format 2 followed by the account's session generation (a
// varint). Documents of formats 1 and 2 were written before accounts had
// one and read as generation 0.
//
// Format 4 is format 3 followed by what outcomes and conversions gained
// later (an outcome's certification unit; a conversion's public notice,
// objections and appeal), one entry per outcome and per conversion in the
// same order. Appending keeps the earlier formats' readers and writers
// intact.
const (
	accountFormatJSON    = '{'
	accountFormatBinary1 = 0xB1
	accountFormatBinary2 = 0xB2
	accountFormatBinary3 = 0xB3
	accountFormatBinary4 = 0xB4
)

// encodeAccount writes a at version in the current binary format.
func encodeAccount(a *domain.Account, version int64) []byte {
	return encodeAccountAs(a, version, accountFormatBinary4)
}

// encodeAccountAs writes a in the given binary format; only tests write an
// earlier one, to show it still reads.
func encodeAccountAs(a *domain.Account, version int64, format byte) []byte {
	w := docWriter{b: make([]byte, 0, 512+len(a.Outcomes)*120+len(a.Ledger)*60+len(a.Conversions)*512), v2: format >= accountFormatBinary2}
	w.b = append(w.b, format)
	w.id(a.ID)
	w.ids.add(a.ID)
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
	l := ledgerCursor{outcomes: a.Outcomes, conversions: a.Conversions, prevHash: domain.GenesisHash}
	for i := range a.Ledger {
		w.ledgerEntry(&a.Ledger[i], &l)
	}
	w.uvarint(uint64(len(a.Grants)))
	for _, g := range a.Grants {
		w.id(g.ID)
		w.refID(g.InstitutionID)
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
		w.refStr(string(e.Kind))
		w.refID(e.ActorID)
		w.refID(e.InstitutionID)
		w.refStr(e.Name)
		w.refStr(string(e.Action))
		w.str(e.Detail)
	}
	if format >= accountFormatBinary3 {
		w.varint(a.SessionGen)
	}
	if format >= accountFormatBinary4 {
		w.extensions(a)
	}
	return w.b
}

// extensions writes format 4's additions.
func (w *docWriter) extensions(a *domain.Account) {
	for i := range a.Outcomes {
		w.refStr(a.Outcomes[i].UnitCode)
	}
	for i := range a.Conversions {
		c := &a.Conversions[i]
		w.optTime(c.NoticeEndsAt)
		w.uvarint(uint64(len(c.Objections)))
		for _, o := range c.Objections {
			w.id(o.ID)
			w.time(o.At)
			w.refStr(o.By)
			w.str(o.Reason)
			w.refStr(string(o.Resolution))
			w.optTime(o.ResolvedAt)
		}
		w.boolean(c.Appeal != nil)
		if ap := c.Appeal; ap != nil {
			w.time(ap.At)
			w.str(ap.Reason)
			w.refStr(ap.RejectedBy)
			w.refStr(string(ap.Resolution))
			w.refStr(ap.DecidedBy)
			w.optTime(ap.DecidedAt)
			w.str(ap.Note)
		}
	}
}

// extensions reads format 4's additions.
func (r *docReader) extensions(a *domain.Account) {
	for i := range a.Outcomes {
		a.Outcomes[i].UnitCode = r.refStr()
	}
	for i := range a.Conversions {
		c := &a.Conversions[i]
		c.NoticeEndsAt = r.optTime()
		if n := r.count(); n > 0 {
			c.Objections = make([]domain.Objection, n)
			for j := range c.Objections {
				o := &c.Objections[j]
				o.ID, o.At, o.By, o.Reason = r.id(), r.time(), r.refStr(), r.str()
				o.Resolution, o.ResolvedAt = domain.Resolution(r.refStr()), r.optTime()
			}
		}
		if r.boolean() {
			ap := &domain.Appeal{}
			ap.At, ap.Reason, ap.RejectedBy = r.time(), r.str(), r.refStr()
			ap.Resolution, ap.DecidedBy, ap.DecidedAt, ap.Note = domain.Resolution(r.refStr()), r.refStr(), r.optTime(), r.str()
			c.Appeal = ap
		}
		if r.err != nil {
			return
		}
	}
}

func (w *docWriter) outcome(o *domain.Outcome) {
	w.id(o.ID)
	w.refID(o.AccountID)
	w.refID(o.IssuerID)
	w.refStr(string(o.Category))
	w.str(o.Title)
	w.str(o.CourseCode)
	w.number(o.Hours)
	w.number(o.Credits)
	w.boolean(o.CreditsStated)
	w.optNumber(o.Result.Score)
	w.optNumber(o.Result.PassMark)
	w.refStr(o.Result.Grade)
	w.optBool(o.Result.Passed)
	w.varint(int64(o.Level))
	w.time(o.CompletedOn)
	w.optTime(o.ExpiresOn)
	w.refStr(string(o.Status))
	w.str(o.RevokedReason)
	w.optTime(o.RevokedAt)
	w.time(o.IssuedAt)
	w.refStr(o.IssuedBy)
}

func (w *docWriter) conversion(c *domain.Conversion) {
	w.id(c.ID)
	w.refID(c.AccountID)
	w.refID(c.RuleID)
	w.refStr(c.RuleCode)
	w.varint(int64(c.RuleVersion))
	w.refStr(c.RuleName)
	w.refID(c.InstitutionID)
	w.refStr(string(c.Purpose))
	w.boolean(c.Exclusive)
	w.refStr(string(c.Status))
	e := &c.Evaluation
	w.boolean(e.Eligible)
	w.number(e.AwardedCredits)
	w.number(e.UsedCredits)
	w.uvarint(uint64(len(e.Used)))
	for _, u := range e.Used {
		w.id(u.OutcomeID)
		w.str(u.Title)
		w.refStr(string(u.Category))
		w.number(u.Credits)
	}
	w.uvarint(uint64(len(e.Trace)))
	for _, s := range e.Trace {
		w.refStr(s.Code)
		w.str(s.Message)
	}
	w.boolean(e.Shortfall != nil)
	if e.Shortfall != nil {
		w.number(e.Shortfall.Credits)
		w.str(e.Shortfall.Message)
	}
	w.time(e.EvaluatedAt)
	w.number(c.Earmarked)
	w.number(c.Spent)
	w.time(c.AppliedAt)
	w.optTime(c.DecidedAt)
	w.refStr(c.DecidedBy)
	w.str(c.Note)
}

// ledgerCursor is what format 2 abbreviates ledger entries against: the
// previous entry's hash, and the account's outcomes and conversions in
// order (a deposit's entry names the next outcome, an approval's the next
// conversion).
type ledgerCursor struct {
	outcomes                    []domain.Outcome
	conversions                 []domain.Conversion
	nextOutcome, nextConversion int
	prevHash                    string
}

func (l *ledgerCursor) nextOutcomeID() *uuid.UUID {
	if l.nextOutcome < len(l.outcomes) {
		return &l.outcomes[l.nextOutcome].ID
	}
	return nil
}

func (l *ledgerCursor) nextConversionID() *uuid.UUID {
	if l.nextConversion < len(l.conversions) {
		return &l.conversions[l.nextConversion].ID
	}
	return nil
}

// ledgerRef writes a ledger entry's outcome or conversion ID in format 2
// and reports whether it was next, the one after the cursor's.
func (w *docWriter) ledgerRef(id, next *uuid.UUID) (wasNext bool) {
	switch {
	case id == nil:
		w.b = append(w.b, ledgerRefNone)
	case next != nil && *next == *id:
		w.b = append(w.b, ledgerRefNext)
		return true
	default:
		w.b = append(w.b, ledgerRefID)
		w.id(*id)
	}
	return false
}

// ledgerRef reads what docWriter.ledgerRef wrote.
func (r *docReader) ledgerRef(next *uuid.UUID) (id *uuid.UUID, wasNext bool) {
	switch r.flag(ledgerRefNext) {
	case ledgerRefID:
		v := r.id()
		return &v, false
	case ledgerRefNext:
		if next == nil {
			r.fail("ledger entry names an item past the last")
			return nil, false
		}
		v := *next // a copy: the entry must not alias the account's list
		return &v, true
	}
	return nil, false
}

// Marks of a ledger entry's outcome or conversion in format 2.
const (
	ledgerRefNone = 0
	ledgerRefID   = 1
	ledgerRefNext = 2
	// A previous hash that is the hash of the entry before.
	hashChained = 2
)

func (w *docWriter) ledgerEntry(e *domain.LedgerEntry, l *ledgerCursor) {
	w.varint(e.Seq)
	w.time(e.At)
	w.refStr(string(e.Kind))
	w.number(e.Credits)
	w.number(e.BalanceAfter)
	if !w.v2 {
		w.optID(e.OutcomeID)
		w.optID(e.ConversionID)
		w.hexStr(e.PrevHash)
		w.hexStr(e.Hash)
		return
	}
	if w.ledgerRef(e.OutcomeID, l.nextOutcomeID()) {
		l.nextOutcome++
	}
	if w.ledgerRef(e.ConversionID, l.nextConversionID()) {
		l.nextConversion++
	}
	if e.PrevHash == l.prevHash {
		w.b = append(w.b, hashChained)
	} else {
		w.hexStr(e.PrevHash)
	}
	w.hexStr(e.Hash)
	l.prevHash = e.Hash
}

// decodeAccount reads an account document of any format ever written.
func decodeAccount(raw string) (*domain.Account, error) {
	if raw == "" {
		return nil, errors.New("sqlite: decode account: empty document")
	}
	switch raw[0] {
	case accountFormatBinary1, accountFormatBinary2, accountFormatBinary3, accountFormatBinary4:
		a, err := decodeAccountBinary(raw[1:], raw[0])
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

// decodeAccountBinary is encodeAccountAs's inverse for a format byte.
// Strings are slices of raw, which the account then keeps alive: one
// allocation for all of them. Empty lists load as nil and times as UTC, as
// from the JSON documents.
func decodeAccountBinary(raw string, format byte) (*domain.Account, error) {
	r := docReader{s: raw, v2: format >= accountFormatBinary2}
	a := &domain.Account{}
	a.ID = r.id()
	r.ids.add(a.ID)
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
		l := ledgerCursor{outcomes: a.Outcomes, conversions: a.Conversions, prevHash: domain.GenesisHash}
		for i := range a.Ledger {
			r.ledgerEntry(&a.Ledger[i], &l)
		}
	}
	if n := r.count(); n > 0 {
		a.Grants = make([]domain.Grant, n)
		for i := range a.Grants {
			g := &a.Grants[i]
			g.ID, g.InstitutionID = r.id(), r.refID()
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
			e.ID, e.At, e.Kind = r.id(), r.time(), domain.AccessorKind(r.refStr())
			e.ActorID, e.InstitutionID = r.refID(), r.refID()
			e.Name, e.Action, e.Detail = r.refStr(), domain.AccessAction(r.refStr()), r.str()
		}
	}
	if format >= accountFormatBinary3 {
		a.SessionGen = r.varint()
	}
	if format >= accountFormatBinary4 && r.err == nil {
		r.extensions(a)
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
	o.ID, o.AccountID, o.IssuerID = r.id(), r.refID(), r.refID()
	o.Category = domain.Category(r.refStr())
	o.Title, o.CourseCode = r.str(), r.str()
	o.Hours, o.Credits = r.number(), r.number()
	o.CreditsStated = r.boolean()
	o.Result.Score, o.Result.PassMark = r.optNumber(), r.optNumber()
	o.Result.Grade = r.refStr()
	o.Result.Passed = r.optBool()
	o.Level = int(r.varint())
	o.CompletedOn, o.ExpiresOn = r.time(), r.optTime()
	o.Status = domain.OutcomeStatus(r.refStr())
	o.RevokedReason, o.RevokedAt = r.str(), r.optTime()
	o.IssuedAt, o.IssuedBy = r.time(), r.refStr()
}

func (r *docReader) conversion(c *domain.Conversion) {
	c.ID, c.AccountID, c.RuleID = r.id(), r.refID(), r.refID()
	c.RuleCode = r.refStr()
	c.RuleVersion = int(r.varint())
	c.RuleName = r.refStr()
	c.InstitutionID = r.refID()
	c.Purpose = domain.Purpose(r.refStr())
	c.Exclusive = r.boolean()
	c.Status = domain.ConversionStatus(r.refStr())
	e := &c.Evaluation
	e.Eligible = r.boolean()
	e.AwardedCredits, e.UsedCredits = r.number(), r.number()
	if n := r.count(); n > 0 {
		e.Used = make([]domain.UsedOutcome, n)
		for i := range e.Used {
			u := &e.Used[i]
			u.OutcomeID, u.Title, u.Category, u.Credits = r.id(), r.str(), domain.Category(r.refStr()), r.number()
		}
	}
	if n := r.count(); n > 0 {
		e.Trace = make([]domain.TraceStep, n)
		for i := range e.Trace {
			e.Trace[i] = domain.TraceStep{Code: r.refStr(), Message: r.str()}
		}
	}
	if r.boolean() {
		e.Shortfall = &domain.Shortfall{Credits: r.number(), Message: r.str()}
	}
	e.EvaluatedAt = r.time()
	c.Earmarked, c.Spent = r.number(), r.number()
	c.AppliedAt, c.DecidedAt = r.time(), r.optTime()
	c.DecidedBy, c.Note = r.refStr(), r.str()
}

func (r *docReader) ledgerEntry(e *domain.LedgerEntry, l *ledgerCursor) {
	e.Seq = r.varint()
	e.At = r.time()
	e.Kind = domain.LedgerKind(r.refStr())
	e.Credits, e.BalanceAfter = r.number(), r.number()
	if !r.v2 {
		e.OutcomeID, e.ConversionID = r.optID(), r.optID()
		e.PrevHash, e.Hash = r.hexStr(), r.hexStr()
		return
	}
	var next bool
	if e.OutcomeID, next = r.ledgerRef(l.nextOutcomeID()); next {
		l.nextOutcome++
	}
	if e.ConversionID, next = r.ledgerRef(l.nextConversionID()); next {
		l.nextConversion++
	}
	if f := r.flag(hashChained); f == hashChained {
		e.PrevHash = l.prevHash
	} else {
		e.PrevHash = r.hexStrFlagged(f)
	}
	e.Hash = r.hexStr()
	l.prevHash = e.Hash
}

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
