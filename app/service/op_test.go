package service_test

import (
	"errors"
	"testing"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// A keyed write's Op carries the key's reservation to the store, which
// stores it with the use case's change or not at all: a key another
// request holds fails the write (storage.ErrKeyTaken) and changes nothing.
// Stores that cannot carry reservations are given none (the key is
// reserved before the use case runs).
func TestKeyedWriteStoresItsKeyWithTheChange(t *testing.T) {
	newcomer, err := domain.CompleteNationalID("50022419900101123")
	must(t, err, "national ID")
	tests := []struct {
		name  string
		write func(b *bank, op service.Op) error
		// count is how many of what the write makes the bank holds
		count func(b *bank) int
	}{
		{"deposit", func(b *bank, op service.Op) error {
			_, err := b.svc.IssueOutcome(b.ctx, b.issuer, op, service.IssueInput{NationalID: b.learner.nationalID, Name: b.learner.name, Outcome: course("插花", 32)})
			return err
		}, func(b *bank) int { return len(b.account(b.learner).Outcomes) }},
		{"deposit opening an account", func(b *bank, op service.Op) error {
			_, err := b.svc.IssueOutcome(b.ctx, b.issuer, op, service.IssueInput{NationalID: string(newcomer), Name: "王芳", Outcome: course("插花", 32)})
			return err
		}, func(b *bank) int {
			_, err := b.svc.FindLearner(b.ctx, service.System, string(newcomer))
			return countFound(b, err)
		}},
		{"share", func(b *bank, op service.Op) error {
			_, _, err := b.svc.Grant(b.ctx, b.learner.Actor, op, b.university.ID, 30)
			return err
		}, func(b *bank) int { return len(b.account(b.learner).Grants) }},
		{"new rule", func(b *bank, op service.Op) error {
			_, err := b.svc.CreateRule(b.ctx, b.manager, op, exemption("EXEMPT-CS101", domain.ApprovalManual, 0))
			return err
		}, func(b *bank) int {
			rules, _, err := b.svc.ListRules(b.ctx, service.System, storage.RuleFilter{}, storage.Page{})
			must(b.t, err, "list rules")
			return len(rules)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			onStoresCarryingReservations(t, func(t *testing.T, b *bank) {
				held := b.keyed("held")
				must(t, b.svc.ReserveKey(b.ctx, held.Reservation.Record), "another request holds the key")
				taken := b.keyed("held")
				wantErr(t, tc.write(b, taken), storage.ErrKeyTaken, tc.name+" under a held key")
				if n := tc.count(b); n != 0 {
					t.Fatalf("%s under a held key made %d", tc.name, n)
				}
				if placed, maybe := taken.Reservation.State(); placed || maybe {
					t.Fatalf("a reservation that lost its key reads as placed=%v maybe=%v", placed, maybe)
				}

				op := b.keyed("fresh")
				must(t, tc.write(b, op), tc.name)
				if n := tc.count(b); n != 1 {
					t.Fatalf("%s made %d, want 1", tc.name, n)
				}
				if placed, _ := op.Reservation.State(); !placed {
					t.Fatal("the reservation is not placed after the write committed")
				}
				rec, err := b.svc.KeyRecord(b.ctx, op.Key)
				must(t, err, "the key after the write")
				if rec.ObjectID != op.ObjectID || rec.Status != 0 || rec.Owner != b.svc.Epoch() {
					t.Fatalf("key on record %+v, want this process's unfinished reservation for %s", rec, op.ObjectID)
				}
			})
		})
	}
}

func countFound(b *bank, err error) int {
	b.t.Helper()
	switch {
	case err == nil:
		return 1
	case errors.Is(err, domain.ErrNotFound):
		return 0
	}
	b.t.Fatal(err)
	return 0
}
