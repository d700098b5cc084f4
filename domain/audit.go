package domain

import (
	"fmt"
	"strconv"
	"strings"
)

// Canonical is the hashed form of an audit entry. Free-text fields are quoted
// so that a "|" inside one cannot be moved across a field boundary without
// changing the hash.
func (e AuditEntry) Canonical() string {
	q := strconv.Quote
	return strings.Join([]string{
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format("2006-01-02T15:04:05.000Z"),
		q(e.ActorID), q(string(e.Role)), q(e.InstitutionID), q(e.Action),
		q(e.ObjectType), q(e.ObjectID), q(e.ClientIP), q(e.RequestID), q(e.Detail),
	}, "|")
}

// Seal links the entry after prev (nil for the first) and computes its hash.
func (e *AuditEntry) Seal(prev *AuditEntry) {
	e.Seq, e.PrevHash = 1, GenesisHash
	if prev != nil {
		e.Seq, e.PrevHash = prev.Seq+1, prev.Hash
	}
	e.At = Now(e.At)
	e.Hash = ChainHash(e.PrevHash, e.Canonical())
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
