package domain_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// coreLedgerAccount has four deposits (1, 1.5, 2, 3 credits) and one revoke
// of the 1.5: five chained entries ending at 6 credits.
func coreLedgerAccount(t *testing.T) *domain.Account {
	t.Helper()
	a := coreAccount(t)
	issuer := domain.NewID()
	var ids []uuid.UUID
	for i, h := range []float64{16, 24, 32, 48} {
		in := coreInput()
		in.Hours, in.CourseCode = h, fmt.Sprintf("C-%d", i)
		ids = append(ids, coreDeposit(t, a, in, issuer).ID)
	}
	if _, err := a.Revoke(ids[1], issuer, "录入错误", coreNow.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCoreLedgerChainVerifies(t *testing.T) {
	a := coreLedgerAccount(t)
	if err := a.VerifyLedger(); err != nil {
		t.Fatalf("VerifyLedger on an untouched chain: %v", err)
	}
	wantAfter := []float64{1, 2.5, 4.5, 7.5, 6}
	for i, e := range a.Ledger {
		if e.Seq != int64(i+1) || e.BalanceAfter != wantAfter[i] {
			t.Errorf("entry %d: seq %d balanceAfter %v, want seq %d balanceAfter %v", i, e.Seq, e.BalanceAfter, i+1, wantAfter[i])
		}
		if i > 0 && e.PrevHash != a.Ledger[i-1].Hash {
			t.Errorf("entry %d does not link to its predecessor", e.Seq)
		}
	}
	if a.LedgerBalance() != 6 || a.Balance(coreNow).Available != 6 {
		t.Fatalf("ledger replays to %v, balance available %v, want both 6", a.LedgerBalance(), a.Balance(coreNow).Available)
	}
	if (&domain.Account{}).VerifyLedger() != nil || (&domain.Account{}).LedgerBalance() != 0 {
		t.Fatal("an empty ledger must verify and replay to 0")
	}
}

func TestCoreLedgerHashIsSHA256OfPrevAndCanonical(t *testing.T) {
	a := coreLedgerAccount(t)
	for _, e := range a.Ledger {
		sum := sha256.Sum256([]byte(e.PrevHash + e.Canonical()))
		if want := hex.EncodeToString(sum[:]); e.Hash != want {
			t.Fatalf("entry %d hash %s, want SHA-256(prev‖canonical) %s", e.Seq, e.Hash, want)
		}
	}
	id := uuid.MustParse("01900000-0000-7000-8000-000000000001")
	e := domain.LedgerEntry{Seq: 7, At: time.Date(2025, 1, 2, 3, 4, 5, 600_000_000, time.FixedZone("CST", 8*3600)),
		Kind: domain.LedgerRevoke, Credits: -1.5, BalanceAfter: 10, OutcomeID: &id}
	// The canonical form is a storage contract: every adapter must reproduce it.
	want := "7|2025-01-01T19:04:05.600Z|revoke|-1.5|10|01900000-0000-7000-8000-000000000001|"
	if got := e.Canonical(); got != want {
		t.Fatalf("Canonical() = %q, want %q", got, want)
	}
}

func TestCoreLedgerTamperingDetected(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(l []domain.LedgerEntry) []domain.LedgerEntry
		want   string // the entry the error must name, and why
	}{
		{"edited credits", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[2].Credits = 20
			return l
		}, "ledger entry 3: hash mismatch"},
		{"edited balanceAfter", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[1].BalanceAfter = 99
			return l
		}, "ledger entry 2: hash mismatch"},
		{"edited time", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[0].At = l[0].At.Add(time.Second)
			return l
		}, "ledger entry 1: hash mismatch"},
		{"edited kind", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[4].Kind = domain.LedgerRelease
			return l
		}, "ledger entry 5: hash mismatch"},
		{"outcome reference moved", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[3].OutcomeID = l[0].OutcomeID
			return l
		}, "ledger entry 4: hash mismatch"},
		{"edited credits and rehashed: balance does not replay", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[1].Credits = 5
			l[1].Hash = domain.ChainHash(l[1].PrevHash, l[1].Canonical())
			return l
		}, "ledger entry 2: balance"},
		{"consistent edit and rehash: next link breaks", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[1].Credits, l[1].BalanceAfter = 5, 6
			l[1].Hash = domain.ChainHash(l[1].PrevHash, l[1].Canonical())
			return l
		}, "ledger entry 3: previous hash does not link"},
		{"last entry edited and rehashed: balance does not replay", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[4].Credits = -0.5
			l[4].Hash = domain.ChainHash(l[4].PrevHash, l[4].Canonical())
			return l
		}, "ledger entry 5: balance"},
		{"swapped entries", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[1], l[2] = l[2], l[1]
			return l
		}, "ledger entry 2: sequence"},
		{"deleted entry", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			return append(l[:2], l[3:]...)
		}, "ledger entry 3: sequence"},
		{"deleted first entry", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			return l[1:]
		}, "ledger entry 1: sequence"},
		{"duplicated entry", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			return append(l[:3], l[2:]...)
		}, "ledger entry 4: sequence"},
		{"wrong genesis link", func(l []domain.LedgerEntry) []domain.LedgerEntry {
			l[0].PrevHash = l[4].Hash
			return l
		}, "ledger entry 1: previous hash does not link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := coreLedgerAccount(t)
			a.Ledger = tt.tamper(a.Ledger)
			err := a.VerifyLedger()
			if err == nil {
				t.Fatal("VerifyLedger accepted a tampered ledger")
			}
			coreErrContains(t, err, tt.want)
		})
	}
}

func TestCoreLedgerManyMovementsReplay(t *testing.T) {
	// Many half-credit steps must replay exactly: a float drift between the
	// stored balance and the replay would make honest ledgers fail.
	a := coreAccount(t)
	issuer := domain.NewID()
	want := 0.0
	var ids []uuid.UUID
	for i := range 60 {
		in := coreInput()
		in.CourseCode = fmt.Sprintf("C-%02d", i)
		in.Hours = float64(8 * (i%7 + 1))
		o := coreDeposit(t, a, in, issuer)
		ids = append(ids, o.ID)
		want += o.Credits
	}
	for _, id := range ids[:20] {
		o, _ := a.Outcome(id)
		want -= o.Credits
		if _, err := a.Revoke(id, issuer, "batch error", coreNow); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.VerifyLedger(); err != nil {
		t.Fatal(err)
	}
	if a.LedgerBalance() != want || a.Balance(coreNow).Banked != want {
		t.Fatalf("ledger %v, banked %v, want %v", a.LedgerBalance(), a.Balance(coreNow).Banked, want)
	}
}
