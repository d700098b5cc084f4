package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// LedgerKind is the closed set of credit movements.
type LedgerKind string

const (
	LedgerDeposit LedgerKind = "deposit" // an outcome was banked (+)
	LedgerRevoke  LedgerKind = "revoke"  // an outcome was revoked (−)
	LedgerEarmark LedgerKind = "earmark" // a pending conversion holds credits (−)
	LedgerRelease LedgerKind = "release" // a held amount returns (+)
	LedgerSpend   LedgerKind = "spend"   // an approved exclusive conversion consumed credits (−)
	LedgerReverse LedgerKind = "reverse" // a conversion's credits came back after a revocation (+)
)

// LedgerEntry is one append-only, hash-chained credit movement. Credits are
// signed; BalanceAfter is the available balance after the movement.
type LedgerEntry struct {
	Seq          int64
	At           time.Time
	Kind         LedgerKind
	Credits      float64
	BalanceAfter float64
	OutcomeID    *uuid.UUID
	ConversionID *uuid.UUID
	PrevHash     string
	Hash         string
}

// GenesisHash is the PrevHash of the first entry of every chain.
var GenesisHash = strings.Repeat("0", 64)

// Canonical is the byte string that is hashed: fixed field order, UTC
// millisecond times and shortest float formatting, so every store reproduces it.
func (e LedgerEntry) Canonical() string { return string(e.appendCanonical(nil)) }

func (e LedgerEntry) appendCanonical(b []byte) []byte {
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, '|')
	b = e.At.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, '|')
	b = append(b, e.Kind...)
	b = append(b, '|')
	b = strconv.AppendFloat(b, e.Credits, 'f', -1, 64)
	b = append(b, '|')
	b = strconv.AppendFloat(b, e.BalanceAfter, 'f', -1, 64)
	b = append(b, '|')
	b = appendRef(b, e.OutcomeID)
	b = append(b, '|')
	return appendRef(b, e.ConversionID)
}

// appendRef writes an optional ID in its canonical text, nothing if absent.
func appendRef(b []byte, id *uuid.UUID) []byte {
	if id == nil {
		return b
	}
	b = hex.AppendEncode(b, id[0:4])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[4:6])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[6:8])
	b = append(b, '-')
	b = hex.AppendEncode(b, id[8:10])
	b = append(b, '-')
	return hex.AppendEncode(b, id[10:16])
}

// ChainHash is SHA-256(prevHash ‖ canonical entry), hex encoded.
func ChainHash(prevHash, canonical string) string {
	sum := sha256.Sum256([]byte(prevHash + canonical))
	return hex.EncodeToString(sum[:])
}

// entryHash is ChainHash(prevHash, e.Canonical()) built in one buffer on
// the stack: verifying a ledger hashes every entry each time a record is
// rendered.
func entryHash(prevHash string, e *LedgerEntry) [64]byte {
	var buf [256]byte
	b := append(buf[:0], prevHash...)
	b = e.appendCanonical(b)
	sum := sha256.Sum256(b)
	var out [64]byte
	hex.Encode(out[:], sum[:])
	return out
}

// appendLedger adds one movement to the account's chain.
func (a *Account) appendLedger(kind LedgerKind, credits float64, outcomeID, conversionID *uuid.UUID, now time.Time) {
	prev, balance := GenesisHash, 0.0
	if n := len(a.Ledger); n > 0 {
		prev, balance = a.Ledger[n-1].Hash, a.Ledger[n-1].BalanceAfter
	}
	e := LedgerEntry{
		Seq:          int64(len(a.Ledger) + 1),
		At:           Now(now),
		Kind:         kind,
		Credits:      credits,
		BalanceAfter: balance + credits,
		OutcomeID:    outcomeID,
		ConversionID: conversionID,
		PrevHash:     prev,
	}
	h := entryHash(prev, &e)
	e.Hash = string(h[:])
	a.Ledger = append(a.Ledger, e)
}

// VerifyLedger replays the chain: sequence numbers, links, hashes and running
// balances must all agree. It names the first bad entry.
func (a *Account) VerifyLedger() error {
	prev, balance := GenesisHash, 0.0
	for i, e := range a.Ledger {
		if e.Seq != int64(i+1) {
			return fmt.Errorf("ledger entry %d: sequence %d out of order", i+1, e.Seq)
		}
		if e.PrevHash != prev {
			return fmt.Errorf("ledger entry %d: previous hash does not link", e.Seq)
		}
		if got := entryHash(prev, &a.Ledger[i]); string(got[:]) != e.Hash {
			return fmt.Errorf("ledger entry %d: hash mismatch", e.Seq)
		}
		balance += e.Credits
		if balance != e.BalanceAfter {
			return fmt.Errorf("ledger entry %d: balance %v does not replay (expected %v)", e.Seq, e.BalanceAfter, balance)
		}
		prev = e.Hash
	}
	return nil
}

// LedgerBalance is the balance the ledger replays to.
func (a *Account) LedgerBalance() float64 {
	if n := len(a.Ledger); n > 0 {
		return a.Ledger[n-1].BalanceAfter
	}
	return 0
}
