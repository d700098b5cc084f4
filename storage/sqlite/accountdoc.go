package sqlite

import (
	"errors"
	"fmt"
	"time"

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
// earlier one kept. This file is the current layout (format 5), which the
// earlier binary formats share in part (the conditions on the format byte
// below); accountdoc_legacy.go holds what only they and the JSON documents
// need, and accountdoc_codec.go the primitives every format is made of.
//
// Format 4 is format 3 followed by what outcomes and conversions gained
// later (an outcome's certification unit; a conversion's public notice,
// objections and appeal), one entry per outcome and per conversion in the
// same order. Appending keeps the earlier formats' readers and writers
// intact, and a field the account gains later goes the same way: a format 5
// whose section follows format4 in accountLayout.account, one line per
// field for both directions. TestAccountDocumentRoundTrips fills every
// field of the account and fails until the new one round-trips.
//
// Format 5 is format 4 followed by the data of each conversion's
// evaluation: for each conversion in order, each trace step's facts, then
// its shortfall's detail if it has a shortfall, each optional (a presence
// flag), laid out field by field like the rest. Earlier formats read
// without them, and a client words such steps by their code.
const (
	accountFormatJSON    = '{'
	accountFormatBinary1 = 0xB1
	accountFormatBinary2 = 0xB2
	accountFormatBinary3 = 0xB3
	accountFormatBinary4 = 0xB4
	accountFormatBinary5 = 0xB5
)

// encodeAccount writes a at version in the current binary format.
func encodeAccount(a *domain.Account, version int64) []byte {
	return encodeAccountAs(a, version, accountFormatBinary5)
}

// encodeAccountAs writes a in the given binary format; only tests write an
// earlier one, to show it still reads.
func encodeAccountAs(a *domain.Account, version int64, format byte) []byte {
	w := docWriter{b: make([]byte, 0, 512+len(a.Outcomes)*120+len(a.Ledger)*60+len(a.Conversions)*1024), v2: format >= accountFormatBinary2}
	w.b = append(w.b, format)
	l := accountLayout{w: &w, format: format}
	l.account(a, &version)
	return w.b
}

// decodeAccount reads an account document of any format ever written.
func decodeAccount(raw string) (*domain.Account, error) {
	if raw == "" {
		return nil, errors.New("sqlite: decode account: empty document")
	}
	switch raw[0] {
	case accountFormatBinary1, accountFormatBinary2, accountFormatBinary3, accountFormatBinary4, accountFormatBinary5:
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
	l := accountLayout{r: &r, format: format}
	l.account(a, &a.Version)
	if r.err == nil && len(r.s) != 0 {
		r.fail("%d bytes after the document", len(r.s))
	}
	if r.err != nil {
		return nil, r.err
	}
	return a, nil
}

// accountLayout is the layout of an account document, walked the same way
// to write one (w set) and to read one (r set): every field is named once,
// in its place, so the writer and the reader cannot disagree, and a field
// the account gains is added in one place (in a new format's section at
// the end). Reading, it fills a zero account.
type accountLayout struct {
	w      *docWriter
	r      *docReader
	format byte
}

func (l *accountLayout) account(a *domain.Account, version *int64) {
	l.id(&a.ID)
	if l.r != nil {
		l.r.ids.add(a.ID)
	} else {
		l.w.ids.add(a.ID)
	}
	l.varint(version)
	l.str(&a.Name)
	l.str(&a.PII.NationalIDSealed)
	l.hexStr(&a.PII.NationalIDHash)
	l.str(&a.PII.NationalIDMasked)
	l.str(&a.PII.PhoneSealed)
	l.str(&a.PII.PhoneMasked)
	l.time(&a.BirthDate)
	l.str(&a.PasswordHash)
	l.optTime(&a.CredentialsChangedAt)
	strAs(l, &a.Status)
	l.time(&a.CreatedAt)
	l.optTime(&a.AlertsSeenAt)
	layoutList(l, &a.Outcomes, l.outcome)
	layoutList(l, &a.Conversions, l.conversion)
	cur := ledgerCursor{outcomes: a.Outcomes, conversions: a.Conversions, prevHash: domain.GenesisHash}
	layoutList(l, &a.Ledger, func(e *domain.LedgerEntry) { l.ledgerEntry(e, &cur) })
	layoutList(l, &a.Grants, func(g *domain.Grant) {
		l.id(&g.ID)
		l.refID(&g.InstitutionID)
		l.time(&g.CreatedAt)
		l.time(&g.ExpiresAt)
		l.optTime(&g.WithdrawnAt)
	})
	layoutList(l, &a.Helpers, func(h *domain.HelperGrant) {
		l.id(&h.ID)
		l.id(&h.HelperID)
		l.str(&h.HelperName)
		l.str(&h.HelperIDMasked)
		l.time(&h.CreatedAt)
		l.time(&h.ExpiresAt)
		l.optTime(&h.WithdrawnAt)
	})
	layoutList(l, &a.AccessLog, func(e *domain.AccessEntry) {
		l.id(&e.ID)
		l.time(&e.At)
		refStrAs(l, &e.Kind)
		l.refID(&e.ActorID)
		l.refID(&e.InstitutionID)
		l.refStr(&e.Name)
		refStrAs(l, &e.Action)
		l.str(&e.Detail)
	})
	if l.format >= accountFormatBinary3 {
		l.varint(&a.SessionGen)
	}
	if l.format >= accountFormatBinary4 && (l.r == nil || l.r.err == nil) {
		l.format4(a)
	}
	if l.format >= accountFormatBinary5 && (l.r == nil || l.r.err == nil) {
		l.format5(a)
	}
}

// format4 is format 4's additions, one entry per outcome and per
// conversion.
func (l *accountLayout) format4(a *domain.Account) {
	for i := range a.Outcomes {
		l.refStr(&a.Outcomes[i].UnitCode)
	}
	for i := range a.Conversions {
		c := &a.Conversions[i]
		l.optTime(&c.NoticeEndsAt)
		layoutList(l, &c.Objections, func(o *domain.Objection) {
			l.id(&o.ID)
			l.time(&o.At)
			l.refStr(&o.By)
			l.str(&o.Reason)
			refStrAs(l, &o.Resolution)
			l.optTime(&o.ResolvedAt)
		})
		layoutOpt(l, &c.Appeal, func(ap *domain.Appeal) {
			l.time(&ap.At)
			l.str(&ap.Reason)
			l.refStr(&ap.RejectedBy)
			refStrAs(l, &ap.Resolution)
			l.refStr(&ap.DecidedBy)
			l.optTime(&ap.DecidedAt)
			l.str(&ap.Note)
		})
	}
}

// format5 is format 5's additions, one entry per trace step and per
// shortfall of each conversion: its data, optional.
func (l *accountLayout) format5(a *domain.Account) {
	for i := range a.Conversions {
		e := &a.Conversions[i].Evaluation
		for j := range e.Trace {
			s := &e.Trace[j]
			f := s.Facts()
			layoutOpt(l, &f, l.stepFacts)
			if l.r != nil {
				*s = domain.NewTraceStep(s.Code, s.Message, f)
			}
		}
		if e.Shortfall == nil {
			continue
		}
		d := e.Shortfall.Detail()
		layoutOpt(l, &d, l.shortfallDetail)
		if l.r != nil {
			sf := domain.NewShortfall(e.Shortfall.Credits, e.Shortfall.Message, d)
			e.Shortfall = &sf
		}
	}
}

func (l *accountLayout) stepFacts(f *domain.StepFacts) {
	l.refStr(&f.Form)
	layoutOpt(l, &f.Item, l.itemRef)
	layoutList(l, &f.Outcomes, func(o *domain.OutcomeRef) {
		l.str(&o.Title)
		refStrAs(l, &o.Category)
		l.number(&o.Credits)
	})
	l.int(&f.More)
	layoutList(l, &f.Misses, func(m *domain.NearMiss) {
		l.str(&m.Title)
		l.refStr(&m.Field)
		l.str(&m.Have)
		l.str(&m.Want)
	})
	for _, n := range []*int{&f.Count, &f.Held, &f.Of, &f.Need} {
		l.int(n)
	}
	for _, x := range []*float64{&f.Credits, &f.Required, &f.Got, &f.Max, &f.Left, &f.From, &f.Ratio, &f.Raw} {
		l.number(x)
	}
	refStrAs(l, &f.Scope)
	l.int(&f.Year)
	l.optTime(&f.Date)
	l.str(&f.Rule)
	l.str(&f.Other)
	l.refStr(&f.Unit)
}

func (l *accountLayout) itemRef(r *domain.ItemRef) {
	l.str(&r.Path)
	l.str(&r.Number)
	refStrAs(l, &r.Op)
	l.int(&r.N)
	layoutOpt(l, &r.Match, func(m *domain.Match) {
		refStrAs(l, &m.Category)
		layoutList(l, &m.IssuerIDs, l.refID)
		l.str(&m.CourseCode)
		l.str(&m.TitleContains)
		l.int(&m.MinLevel)
		l.number(&m.MinScore)
		l.number(&m.MinCredits)
		l.number(&m.MinHours)
		l.int(&m.MaxAgeYears)
		layoutList(l, &m.UnitCodes, l.str)
	})
}

func (l *accountLayout) shortfallDetail(d *domain.ShortfallDetail) {
	refStrAs(l, &d.Reason)
	layoutList(l, &d.Missing, func(m *domain.MissingPart) {
		l.itemRef(&m.Item)
		l.int(&m.Possible)
	})
	layoutList(l, &d.Categories, func(c *domain.Category) { refStrAs(l, c) })
	refStrAs(l, &d.Scope)
	l.number(&d.Max)
	l.int(&d.Year)
}

func (l *accountLayout) outcome(o *domain.Outcome) {
	l.id(&o.ID)
	l.refID(&o.AccountID)
	l.refID(&o.IssuerID)
	refStrAs(l, &o.Category)
	l.str(&o.Title)
	l.str(&o.CourseCode)
	l.number(&o.Hours)
	l.number(&o.Credits)
	l.boolean(&o.CreditsStated)
	l.optNumber(&o.Result.Score)
	l.optNumber(&o.Result.PassMark)
	l.refStr(&o.Result.Grade)
	l.optBool(&o.Result.Passed)
	l.int(&o.Level)
	l.time(&o.CompletedOn)
	l.optTime(&o.ExpiresOn)
	refStrAs(l, &o.Status)
	l.str(&o.RevokedReason)
	l.optTime(&o.RevokedAt)
	l.time(&o.IssuedAt)
	l.refStr(&o.IssuedBy)
}

func (l *accountLayout) conversion(c *domain.Conversion) {
	l.id(&c.ID)
	l.refID(&c.AccountID)
	l.refID(&c.RuleID)
	l.refStr(&c.RuleCode)
	l.int(&c.RuleVersion)
	l.refStr(&c.RuleName)
	l.refID(&c.InstitutionID)
	refStrAs(l, &c.Purpose)
	l.boolean(&c.Exclusive)
	refStrAs(l, &c.Status)
	e := &c.Evaluation
	l.boolean(&e.Eligible)
	l.number(&e.AwardedCredits)
	l.number(&e.UsedCredits)
	layoutList(l, &e.Used, func(u *domain.UsedOutcome) {
		l.id(&u.OutcomeID)
		l.str(&u.Title)
		refStrAs(l, &u.Category)
		l.number(&u.Credits)
	})
	layoutList(l, &e.Trace, func(s *domain.TraceStep) {
		l.refStr(&s.Code)
		l.str(&s.Message)
	})
	layoutOpt(l, &e.Shortfall, func(s *domain.Shortfall) {
		l.number(&s.Credits)
		l.str(&s.Message)
	})
	l.time(&e.EvaluatedAt)
	l.number(&c.Earmarked)
	l.number(&c.Spent)
	l.time(&c.AppliedAt)
	l.optTime(&c.DecidedAt)
	l.refStr(&c.DecidedBy)
	l.str(&c.Note)
}

func (l *accountLayout) ledgerEntry(e *domain.LedgerEntry, cur *ledgerCursor) {
	l.varint(&e.Seq)
	l.time(&e.At)
	refStrAs(l, &e.Kind)
	l.number(&e.Credits)
	l.number(&e.BalanceAfter)
	switch {
	case l.format < accountFormatBinary2 && l.r != nil:
		l.r.ledgerLinksV1(e)
	case l.format < accountFormatBinary2:
		l.w.ledgerLinksV1(e)
	case l.r != nil:
		l.r.ledgerLinks(e, cur)
	default:
		l.w.ledgerLinks(e, cur)
	}
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

// ledgerLinks writes a ledger entry's outcome, conversion and hashes,
// abbreviated against the cursor.
func (w *docWriter) ledgerLinks(e *domain.LedgerEntry, l *ledgerCursor) {
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

// ledgerLinks reads what docWriter.ledgerLinks wrote.
func (r *docReader) ledgerLinks(e *domain.LedgerEntry, l *ledgerCursor) {
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

// The layout's fields, each written from or read into its place.

func (l *accountLayout) str(p *string) {
	if l.r != nil {
		*p = l.r.str()
	} else {
		l.w.str(*p)
	}
}

func (l *accountLayout) refStr(p *string) {
	if l.r != nil {
		*p = l.r.refStr()
	} else {
		l.w.refStr(*p)
	}
}

func (l *accountLayout) hexStr(p *string) {
	if l.r != nil {
		*p = l.r.hexStr()
	} else {
		l.w.hexStr(*p)
	}
}

// strAs and refStrAs are str and refStr for the domain's named strings
// (statuses, kinds, categories).
func strAs[T ~string](l *accountLayout, p *T) {
	if l.r != nil {
		*p = T(l.r.str())
	} else {
		l.w.str(string(*p))
	}
}

func refStrAs[T ~string](l *accountLayout, p *T) {
	if l.r != nil {
		*p = T(l.r.refStr())
	} else {
		l.w.refStr(string(*p))
	}
}

func (l *accountLayout) id(p *uuid.UUID) {
	if l.r != nil {
		*p = l.r.id()
	} else {
		l.w.id(*p)
	}
}

func (l *accountLayout) refID(p *uuid.UUID) {
	if l.r != nil {
		*p = l.r.refID()
	} else {
		l.w.refID(*p)
	}
}

func (l *accountLayout) varint(p *int64) {
	if l.r != nil {
		*p = l.r.varint()
	} else {
		l.w.varint(*p)
	}
}

func (l *accountLayout) int(p *int) {
	if l.r != nil {
		*p = int(l.r.varint())
	} else {
		l.w.varint(int64(*p))
	}
}

func (l *accountLayout) number(p *float64) {
	if l.r != nil {
		*p = l.r.number()
	} else {
		l.w.number(*p)
	}
}

func (l *accountLayout) optNumber(p **float64) {
	if l.r != nil {
		*p = l.r.optNumber()
	} else {
		l.w.optNumber(*p)
	}
}

func (l *accountLayout) boolean(p *bool) {
	if l.r != nil {
		*p = l.r.boolean()
	} else {
		l.w.boolean(*p)
	}
}

func (l *accountLayout) optBool(p **bool) {
	if l.r != nil {
		*p = l.r.optBool()
	} else {
		l.w.optBool(*p)
	}
}

func (l *accountLayout) time(p *time.Time) {
	if l.r != nil {
		*p = l.r.time()
	} else {
		l.w.time(*p)
	}
}

func (l *accountLayout) optTime(p **time.Time) {
	if l.r != nil {
		*p = l.r.optTime()
	} else {
		l.w.optTime(*p)
	}
}

// layoutList is a list: its length, then each element. Reading, an empty
// list stays nil.
func layoutList[T any](l *accountLayout, s *[]T, each func(*T)) {
	if l.r == nil {
		l.w.uvarint(uint64(len(*s)))
	} else if n := l.r.count(); n > 0 {
		*s = make([]T, n)
	}
	for i := range *s {
		each(&(*s)[i])
	}
}

// layoutOpt is an optional part: a presence flag, then its fields.
func layoutOpt[T any](l *accountLayout, p **T, each func(*T)) {
	if l.r == nil {
		l.w.boolean(*p != nil)
	} else if l.r.boolean() {
		*p = new(T)
	}
	if *p != nil {
		each(*p)
	}
}
