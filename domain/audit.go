package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Canonical is the hashed form of an audit entry. Free-text fields are quoted
// so that a "|" inside one cannot be moved across a field boundary without
// changing the hash.
func (e AuditEntry) Canonical() string {
	return strconv.FormatInt(e.Seq, 10) + "|" + e.canonicalFields()
}

// canonicalFields is Canonical after the sequence number.
func (e AuditEntry) canonicalFields() string {
	q := strconv.Quote
	return strings.Join([]string{
		e.At.UTC().Format("2006-01-02T15:04:05.000Z"),
		q(e.ActorID), q(string(e.Role)), q(e.InstitutionID), q(e.Action),
		q(e.ObjectType), q(e.ObjectID), q(e.ClientIP), q(e.RequestID), q(e.Detail),
	}, "|")
}

// Seal links the entry after prev (nil for the first) and computes its hash.
func (e *AuditEntry) Seal(prev *AuditEntry) {
	*e = PrepareAudit(*e).Seal(prev)
}

// PreparedAudit is an entry with its time fixed and its hashed fields in
// canonical form, all but its place in the chain. Sealing must happen in
// chain order, under the store's write lock; preparing first leaves
// sealing only the hash.
type PreparedAudit struct {
	entry  AuditEntry
	fields string
}

// PrepareAudit prepares e for sealing.
func PrepareAudit(e AuditEntry) PreparedAudit {
	e.At = Now(e.At)
	return PreparedAudit{entry: e, fields: e.canonicalFields()}
}

// PrepareAudits prepares each of es.
func PrepareAudits(es []AuditEntry) []PreparedAudit {
	if len(es) == 0 {
		return nil
	}
	out := make([]PreparedAudit, len(es))
	for i, e := range es {
		out[i] = PrepareAudit(e)
	}
	return out
}

// Seal returns the entry linked after prev (nil for the first) with its hash.
func (p PreparedAudit) Seal(prev *AuditEntry) AuditEntry {
	e := p.entry
	e.Seq, e.PrevHash = 1, GenesisHash
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.Hash = ChainHash(e.PrevHash, strconv.FormatInt(e.Seq, 10)+"|"+p.fields)
	return e
}

// AuditChainVerifier checks entries fed to it in order and names the first
// bad one; it streams, so the whole log never sits in memory.
type AuditChainVerifier struct {
	prev  string
	count int64
}

// Next checks one entry.
func (v *AuditChainVerifier) Next(e AuditEntry) error {
	if v.prev == "" {
		v.prev = GenesisHash
	}
	v.count++
	if e.Seq != v.count {
		return fmt.Errorf("audit entry %d: expected sequence %d (entry deleted or reordered)", e.Seq, v.count)
	}
	if e.PrevHash != v.prev {
		return fmt.Errorf("audit entry %d: previous hash does not link", e.Seq)
	}
	if ChainHash(e.PrevHash, e.Canonical()) != e.Hash {
		return fmt.Errorf("audit entry %d: hash mismatch (entry edited)", e.Seq)
	}
	v.prev = e.Hash
	return nil
}

// Count is how many entries verified.
func (v *AuditChainVerifier) Count() int64 { return v.count }

// Head is the hash of the last entry verified (the chain head).
func (v *AuditChainVerifier) Head() string { return v.prev }

// AuditEntry is one hash-chained record of a state change.
type AuditEntry struct {
	Seq           int64
	At            time.Time
	ActorID       string
	Role          Role
	InstitutionID string
	Action        string
	ObjectType    string
	ObjectID      string
	ClientIP      string
	RequestID     string
	Detail        string
	PrevHash      string
	Hash          string
}
