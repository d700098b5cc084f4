package sqlite

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"creditbank/domain"
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
// earlier one kept. This file is the current layout (format 4), which the
// earlier binary formats share in part (the conditions on the format byte
// below); accountdoc_legacy.go holds what only they and the JSON documents
// need, and accountdoc_codec.go the primitives every format is made of.
//
// Format 4 is format 3 followed by what outcomes and conversions gained
// later (an outcome's certification unit; a conversion's public notice,
// objections and appeal), one entry per outcome and per conversion in the
// same order. Appending keeps the earlier formats' readers and writers
// intact, and a field the account gains later goes the same way: a format 5
// appended after format 4's additions. TestAccountDocumentRoundTrips fills
// every field of the account and fails until the new one round-trips.
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
		w.optTime(g.WithdrawnAt)
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
		w.ledgerLinksV1(e)
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
		return decodeAccountJSON(raw)
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
			g.CreatedAt, g.ExpiresAt, g.WithdrawnAt = r.time(), r.time(), r.optTime()
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
		r.ledgerLinksV1(e)
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
