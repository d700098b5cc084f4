package domain_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

// coreAuditChain seals n entries the way the service appends them.
func coreAuditChain(t *testing.T, n int) []domain.AuditEntry {
	t.Helper()
	var out []domain.AuditEntry
	var prev *domain.AuditEntry
	for i := range n {
		e := domain.AuditEntry{
			// Sub-millisecond noise must be dropped so stores reproduce the hash.
			At:         coreNow.Add(time.Duration(i)*time.Minute + 123456*time.Nanosecond),
			ActorID:    "staff-1",
			Role:       domain.RoleStaff,
			Action:     "outcome.deposit",
			ObjectType: "outcome",
			ObjectID:   fmt.Sprintf("obj-%d", i),
			ClientIP:   "10.0.0.1",
			RequestID:  fmt.Sprintf("req-%d", i),
			Detail:     "credits=1.5|category=community",
		}
		e.Seal(prev)
		out = append(out, e)
		prev = &out[len(out)-1]
	}
	return out
}

func coreVerifyAudit(entries []domain.AuditEntry) (int64, error) {
	var v domain.AuditChainVerifier
	for _, e := range entries {
		if err := v.Next(e); err != nil {
			return v.Count(), err
		}
	}
	return v.Count(), nil
}

func TestCoreAuditSeal(t *testing.T) {
	chain := coreAuditChain(t, 3)
	for i, e := range chain {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has seq %d", i, e.Seq)
		}
		if e.At.Nanosecond()%int(time.Millisecond) != 0 || e.At.Location() != time.UTC {
			t.Errorf("entry %d time %v not normalised to UTC milliseconds", i, e.At)
		}
		if want := domain.ChainHash(e.PrevHash, e.Canonical()); e.Hash != want {
			t.Errorf("entry %d hash does not cover its canonical form", i)
		}
	}
	if chain[0].PrevHash != domain.GenesisHash || chain[1].PrevHash != chain[0].Hash || chain[2].PrevHash != chain[1].Hash {
		t.Fatal("entries are not linked")
	}
	n, err := coreVerifyAudit(chain)
	if err != nil || n != 3 {
		t.Fatalf("verify untouched chain: %d entries, %v; want 3, nil", n, err)
	}
}

func TestCoreAuditTamperingDetected(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(l []domain.AuditEntry) []domain.AuditEntry
		want   string
	}{
		{"edited detail", func(l []domain.AuditEntry) []domain.AuditEntry {
			l[2].Detail = "credits=60"
			return l
		}, "audit entry 3: hash mismatch"},
		{"edited actor", func(l []domain.AuditEntry) []domain.AuditEntry {
			l[0].ActorID = "admin"
			return l
		}, "audit entry 1: hash mismatch"},
		{"edited time", func(l []domain.AuditEntry) []domain.AuditEntry {
			l[1].At = l[1].At.Add(-time.Hour)
			return l
		}, "audit entry 2: hash mismatch"},
		{"text moved between adjacent fields", func(l []domain.AuditEntry) []domain.AuditEntry {
			// With a plain "|" join, RequestID "req-1" + Detail "credits=1.5|category=community"
			// and "req-1|credits=1.5" + "category=community" hash alike.
			l[1].RequestID, l[1].Detail = l[1].RequestID+"|credits=1.5", "category=community"
			return l
		}, "audit entry 2: hash mismatch"},
		{"edited and rehashed", func(l []domain.AuditEntry) []domain.AuditEntry {
			l[1].Action = "nothing.happened"
			l[1].Hash = domain.ChainHash(l[1].PrevHash, l[1].Canonical())
			return l
		}, "audit entry 3: previous hash does not link"},
		{"deleted entry", func(l []domain.AuditEntry) []domain.AuditEntry {
			return append(l[:1], l[2:]...)
		}, "audit entry 3: expected sequence 2"},
		{"reordered entries", func(l []domain.AuditEntry) []domain.AuditEntry {
			l[3], l[4] = l[4], l[3]
			return l
		}, "audit entry 5: expected sequence 4"},
		{"renumbered after deletion", func(l []domain.AuditEntry) []domain.AuditEntry {
			l = append(l[:1], l[2:]...)
			for i := range l {
				l[i].Seq = int64(i + 1)
			}
			return l
		}, "audit entry 2: previous hash does not link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := tt.tamper(coreAuditChain(t, 5))
			_, err := coreVerifyAudit(entries)
			coreErrContains(t, err, tt.want)
		})
	}
}

// canonicalReference is how Canonical was first written; stored audit logs
// are hashed over this exact form, so sealing a prepared entry (its fields
// put in canonical form apart from its sequence number) and any later way of
// building it must give the same bytes.
func canonicalReference(e domain.AuditEntry) string {
	q := strconv.Quote
	return strings.Join([]string{
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format("2006-01-02T15:04:05.000Z"),
		q(e.ActorID), q(string(e.Role)), q(e.InstitutionID), q(e.Action),
		q(e.ObjectType), q(e.ObjectID), q(e.ClientIP), q(e.RequestID), q(e.Detail),
	}, "|")
}

func TestCoreAuditCanonicalFormIsUnchanged(t *testing.T) {
	beijing := time.FixedZone("CST", 8*3600)
	tests := []domain.AuditEntry{
		{},
		{Seq: 1, At: time.Date(2026, 12, 2, 8, 30, 0, 123456789, beijing), ActorID: "staff-1", Role: domain.RoleStaff,
			InstitutionID: "inst", Action: "outcome.issue", ObjectType: "outcome", ObjectID: "o-1",
			ClientIP: "10.0.0.1", RequestID: "req-1", Detail: "account=a|credits=1.5"},
		{Seq: 9876543210, At: time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC), ActorID: `quote " and \ backslash`,
			Detail: "换行\n制表\t和 | 竖线", ClientIP: "::1", RequestID: "\x00\x7f\xff"},
		{Seq: -1, At: time.Date(2030, 6, 30, 23, 59, 59, 999999999, time.UTC), Detail: strings.Repeat("长", 300)},
	}
	for i, e := range tests {
		if got, want := e.Canonical(), canonicalReference(e); got != want {
			t.Errorf("entry %d: canonical form\n%q\nwant\n%q", i, got, want)
		}
		sealed := e
		sealed.Seal(nil)
		if want := domain.ChainHash(domain.GenesisHash, canonicalReference(sealed)); sealed.Hash != want {
			t.Errorf("entry %d: sealed hash does not cover the reference form", i)
		}
	}
}
