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
// (≈ 43 µs of ≈ 70 µs for ten outcomes, 2.2 ms for five hundred). The
// functions here write the same bytes encoding/json writes for recordDTO —
// the same escaping, number and time formats, field order and omitempty
// rules — which TestRecordJSONMatchesEncodingJSON checks byte for byte on
// records with every field set, unset and filled with awkward values. A
// value they do not handle (a NaN, a year outside 0–9999) is reported, and
// the caller falls back to encoding/json, which then answers as it always
// did.

var errRecordJSON = errors.New("api: record needs the reflective encoder")

// recordJSON encodes r as encoding/json would, or returns errRecordJSON.
func recordJSON(r *recordDTO) ([]byte, error) {
	// Sized from what records take (≈ 380 bytes an outcome, 280 a ledger
	// entry): cached renderings are accounted by capacity.
	w := jsonWriter{b: make([]byte, 0, 512+len(r.Outcomes)*400+len(r.Ledger)*300+len(r.Conversions)*1200+len(r.Grants)*250)}
	w.record(r)
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

// key writes ,"name": (the comma unless first) for a field name that needs
// no escaping.
func (w *jsonWriter) key(name string, first bool) {
	if !first {
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

func (w *jsonWriter) record(r *recordDTO) {
	w.raw(`{"account":`)
	w.account(&r.Account)
	w.key("balance", false)
	w.balance(&r.Balance)
	w.key("outcomes", false)
	list(w, r.Outcomes, w.outcome)
	w.key("conversions", false)
	list(w, r.Conversions, w.conversion)
	w.key("ledger", false)
	list(w, r.Ledger, w.ledgerEntry)
	if len(r.Grants) > 0 {
		w.key("grants", false)
		list(w, r.Grants, w.grant)
	}
	w.key("ledgerValid", false)
	w.boolean(r.LedgerValid)
	if r.SharedUntil != nil {
		w.key("sharedUntil", false)
		w.timestamp(*r.SharedUntil)
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) account(a *accountDTO) {
	w.b = append(w.b, '{')
	w.key("id", true)
	w.id(a.ID)
	w.key("name", false)
	w.str(a.Name)
	w.key("nationalId", false)
	w.str(a.NationalID)
	if a.Phone != "" {
		w.key("phone", false)
		w.str(a.Phone)
	}
	w.key("birthYear", false)
	w.integer(int64(a.BirthYear))
	w.key("status", false)
	w.str(a.Status)
	w.key("claimed", false)
	w.boolean(a.Claimed)
	w.key("createdAt", false)
	w.timestamp(a.CreatedAt)
	w.key("version", false)
	w.integer(a.Version)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) balance(b *balanceDTO) {
	w.b = append(w.b, '{')
	w.key("banked", true)
	w.number(b.Banked)
	w.key("available", false)
	w.number(b.Available)
	w.key("earmarked", false)
	w.number(b.Earmarked)
	w.key("spent", false)
	w.number(b.Spent)
	w.key("byCategory", false)
	w.floatMap(b.ByCategory)
	w.key("byYear", false)
	w.floatMap(b.ByYear)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) outcome(o *outcomeDTO) {
	w.b = append(w.b, '{')
	w.key("id", true)
	w.id(o.ID)
	w.key("accountId", false)
	w.id(o.AccountID)
	w.key("issuerId", false)
	w.id(o.IssuerID)
	w.key("category", false)
	w.str(o.Category)
	w.key("title", false)
	w.str(o.Title)
	w.key("courseCode", false)
	w.str(o.CourseCode)
	w.key("hours", false)
	w.number(o.Hours)
	w.key("credits", false)
	w.number(o.Credits)
	w.key("creditsStated", false)
	w.boolean(o.CreditsStated)
	w.key("result", false)
	w.result(&o.Result)
	if o.Level != 0 {
		w.key("level", false)
		w.integer(int64(o.Level))
	}
	w.key("completedOn", false)
	w.str(o.CompletedOn)
	if o.ExpiresOn != nil {
		w.key("expiresOn", false)
		w.str(*o.ExpiresOn)
	}
	w.key("status", false)
	w.str(o.Status)
	w.key("expired", false)
	w.boolean(o.Expired)
	if o.RevokedReason != "" {
		w.key("revokedReason", false)
		w.str(o.RevokedReason)
	}
	if o.RevokedAt != nil {
		w.key("revokedAt", false)
		w.timestamp(*o.RevokedAt)
	}
	w.key("issuedAt", false)
	w.timestamp(o.IssuedAt)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) result(r *resultDTO) {
	w.b = append(w.b, '{')
	first := true
	if r.Score != nil {
		w.key("score", first)
		w.number(*r.Score)
		first = false
	}
	if r.PassMark != nil {
		w.key("passMark", first)
		w.number(*r.PassMark)
		first = false
	}
	if r.Grade != "" {
		w.key("grade", first)
		w.str(r.Grade)
		first = false
	}
	if r.Passed != nil {
		w.key("passed", first)
		w.boolean(*r.Passed)
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) ledgerEntry(e *ledgerDTO) {
	w.b = append(w.b, '{')
	w.key("seq", true)
	w.integer(e.Seq)
	w.key("at", false)
	w.timestamp(e.At)
	w.key("kind", false)
	w.str(e.Kind)
	w.key("credits", false)
	w.number(e.Credits)
	w.key("balanceAfter", false)
	w.number(e.BalanceAfter)
	if e.OutcomeID != nil {
		w.key("outcomeId", false)
		w.id(*e.OutcomeID)
	}
	if e.ConversionID != nil {
		w.key("conversionId", false)
		w.id(*e.ConversionID)
	}
	w.key("prevHash", false)
	w.str(e.PrevHash)
	w.key("hash", false)
	w.str(e.Hash)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) conversion(c *conversionDTO) {
	w.b = append(w.b, '{')
	w.key("id", true)
	w.id(c.ID)
	w.key("accountId", false)
	w.id(c.AccountID)
	w.key("ruleId", false)
	w.id(c.RuleID)
	w.key("ruleCode", false)
	w.str(c.RuleCode)
	w.key("ruleVersion", false)
	w.integer(int64(c.RuleVersion))
	w.key("ruleName", false)
	w.str(c.RuleName)
	w.key("institutionId", false)
	w.id(c.InstitutionID)
	w.key("purpose", false)
	w.str(c.Purpose)
	w.key("exclusive", false)
	w.boolean(c.Exclusive)
	w.key("status", false)
	w.str(c.Status)
	w.key("evaluation", false)
	w.evaluation(&c.Evaluation)
	w.key("earmarked", false)
	w.number(c.Earmarked)
	w.key("spent", false)
	w.number(c.Spent)
	w.key("appliedAt", false)
	w.timestamp(c.AppliedAt)
	if c.DecidedAt != nil {
		w.key("decidedAt", false)
		w.timestamp(*c.DecidedAt)
	}
	if c.DecidedBy != "" {
		w.key("decidedBy", false)
		w.str(c.DecidedBy)
	}
	if c.Note != "" {
		w.key("note", false)
		w.str(c.Note)
	}
	w.b = append(w.b, '}')
}

func (w *jsonWriter) evaluation(e *evaluationJSON) {
	w.b = append(w.b, '{')
	w.key("eligible", true)
	w.boolean(e.Eligible)
	w.key("awardedCredits", false)
	w.number(e.AwardedCredits)
	w.key("usedCredits", false)
	w.number(e.UsedCredits)
	w.key("used", false)
	list(w, e.Used, func(u *usedDTO) {
		w.b = append(w.b, '{')
		w.key("outcomeId", true)
		w.id(u.OutcomeID)
		w.key("title", false)
		w.str(u.Title)
		w.key("category", false)
		w.str(u.Category)
		w.key("credits", false)
		w.number(u.Credits)
		w.b = append(w.b, '}')
	})
	w.key("trace", false)
	list(w, e.Trace, func(t *traceDTO) {
		w.b = append(w.b, '{')
		w.key("code", true)
		w.str(t.Code)
		w.key("message", false)
		w.str(t.Message)
		w.b = append(w.b, '}')
	})
	if e.Shortfall != nil {
		w.key("shortfall", false)
		w.b = append(w.b, '{')
		w.key("credits", true)
		w.number(e.Shortfall.Credits)
		w.key("message", false)
		w.str(e.Shortfall.Message)
		w.b = append(w.b, '}')
	}
	w.key("evaluatedAt", false)
	w.timestamp(e.EvaluatedAt)
	w.b = append(w.b, '}')
}

func (w *jsonWriter) grant(g *grantDTO) {
	w.b = append(w.b, '{')
	w.key("id", true)
	w.id(g.ID)
	w.key("institutionId", false)
	w.id(g.InstitutionID)
	w.key("createdAt", false)
	w.timestamp(g.CreatedAt)
	w.key("expiresAt", false)
	w.timestamp(g.ExpiresAt)
	if g.RevokedAt != nil {
		w.key("revokedAt", false)
		w.timestamp(*g.RevokedAt)
	}
	w.key("live", false)
	w.boolean(g.Live)
	w.b = append(w.b, '}')
}
