package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// NewRefreshToken returns an unused token of family.
func NewRefreshToken(family uuid.UUID) *storage.RefreshToken {
	n := now()
	return &storage.RefreshToken{
		Hash: randomHash(), FamilyID: family, Subject: domain.NewID(), Role: domain.RoleStaff,
		InstitutionID: domain.NewID(), CreatedAt: n, ExpiresAt: n.Add(30 * 24 * time.Hour),
		SessionGen: 3,
	}
}

func refreshTokenTests() []contractTest {
	return []contractTest{
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			rt := NewRefreshToken(domain.NewID())
			noErr(t, s.CreateRefreshToken(t.Context(), rt), "create")
			got, err := s.GetRefreshToken(t.Context(), rt.Hash)
			noErr(t, err, "get")
			deepEqual(t, got, rt, "token")
			wantErr(t, s.CreateRefreshToken(t.Context(), rt), domain.ErrConflict, "same hash")
		}},
		{"UseOnce", func(t *testing.T, s storage.Store) {
			rt := NewRefreshToken(domain.NewID())
			noErr(t, s.CreateRefreshToken(t.Context(), rt), "create")
			at := now()
			used, err := s.UseRefreshToken(t.Context(), rt.Hash, at)
			noErr(t, err, "first use")
			if used.UsedAt == nil || !used.UsedAt.Equal(at) || used.Subject != rt.Subject || used.SessionGen != rt.SessionGen {
				t.Fatalf("first use returned %+v, want the token marked used at %v", used, at)
			}
			_, err = s.UseRefreshToken(t.Context(), rt.Hash, now())
			wantErr(t, err, domain.ErrConflict, "second use")
			stored, err := s.GetRefreshToken(t.Context(), rt.Hash)
			noErr(t, err, "get")
			if stored.UsedAt == nil || !stored.UsedAt.Equal(at) {
				t.Fatalf("stored usedAt = %v, want %v (the first use)", stored.UsedAt, at)
			}
		}},
		{"FamilyRevocation", func(t *testing.T, s storage.Store) {
			family, other := domain.NewID(), domain.NewID()
			a, b, c := NewRefreshToken(family), NewRefreshToken(family), NewRefreshToken(other)
			for _, rt := range []*storage.RefreshToken{a, b, c} {
				noErr(t, s.CreateRefreshToken(t.Context(), rt), "create")
			}
			_, err := s.UseRefreshToken(t.Context(), a.Hash, now())
			noErr(t, err, "use a")
			noErr(t, s.RevokeRefreshFamily(t.Context(), family), "revoke family")
			for _, tc := range []struct {
				rt      *storage.RefreshToken
				revoked bool
			}{{a, true}, {b, true}, {c, false}} {
				got, err := s.GetRefreshToken(t.Context(), tc.rt.Hash)
				noErr(t, err, "get")
				if got.Revoked != tc.revoked {
					t.Fatalf("token of family %s: revoked = %v, want %v", got.FamilyID, got.Revoked, tc.revoked)
				}
			}
			got, err := s.GetRefreshToken(t.Context(), a.Hash)
			noErr(t, err, "get a")
			if got.UsedAt == nil {
				t.Fatal("revocation lost the usedAt of a used token")
			}
			_, err = s.UseRefreshToken(t.Context(), b.Hash, now())
			wantErr(t, err, domain.ErrConflict, "use of a revoked token")
			_, err = s.UseRefreshToken(t.Context(), c.Hash, now())
			noErr(t, err, "other family still usable")
		}},
	}
}

func idempotencyTests() []contractTest {
	return []contractTest{
		{"ReserveCompleteDelete", func(t *testing.T, s storage.Store) {
			r := &storage.IdempotencyRecord{Key: "client:abc|key-1", RequestHash: "h1", CreatedAt: now(), Owner: "epoch-a", ObjectID: domain.NewID()}
			noErr(t, s.ReserveIdempotency(t.Context(), r), "reserve")
			again := *r
			again.RequestHash = "h2"
			wantErr(t, s.ReserveIdempotency(t.Context(), &again), domain.ErrConflict, "second reserve")
			got, err := s.GetIdempotency(t.Context(), r.Key)
			noErr(t, err, "get reserved")
			deepEqual(t, got, r, "reservation (first request wins)")

			body := []byte(`{"id":"x","credits":1.5}`)
			wantErr(t, s.CompleteIdempotency(t.Context(), r.Key, "epoch-b", 201, body), domain.ErrStale, "complete by another owner")
			noErr(t, s.CompleteIdempotency(t.Context(), r.Key, r.Owner, 201, body), "complete")
			got, err = s.GetIdempotency(t.Context(), r.Key)
			noErr(t, err, "get completed")
			want := *r
			want.Status, want.Body = 201, body
			deepEqual(t, got, &want, "completed record")
			wantErr(t, s.CompleteIdempotency(t.Context(), r.Key, r.Owner, 500, nil), domain.ErrStale, "complete twice")

			// A completed record is the answer to every retry: the owner's
			// late cleanup must not free it.
			noErr(t, s.DeleteIdempotency(t.Context(), r.Key, r.Owner), "delete completed")
			got, err = s.GetIdempotency(t.Context(), r.Key)
			noErr(t, err, "get after deleting a completed record")
			deepEqual(t, got, &want, "completed record kept")
		}},
		{"DeleteOnlyOwnReservation", func(t *testing.T, s storage.Store) {
			r := &storage.IdempotencyRecord{Key: "k", RequestHash: "h", CreatedAt: now(), Owner: "epoch-a"}
			noErr(t, s.ReserveIdempotency(t.Context(), r), "reserve")
			noErr(t, s.DeleteIdempotency(t.Context(), r.Key, "epoch-b"), "delete by another owner")
			_, err := s.GetIdempotency(t.Context(), r.Key)
			noErr(t, err, "reservation kept")
			noErr(t, s.DeleteIdempotency(t.Context(), r.Key, r.Owner), "delete")
			_, err = s.GetIdempotency(t.Context(), r.Key)
			wantErr(t, err, domain.ErrNotFound, "get after delete")
			noErr(t, s.DeleteIdempotency(t.Context(), r.Key, r.Owner), "delete again")
			noErr(t, s.ReserveIdempotency(t.Context(), r), "reserve after delete")
		}},
		{"TakeOver", func(t *testing.T, s storage.Store) {
			dead := &storage.IdempotencyRecord{Key: "k", RequestHash: "h", CreatedAt: now(), Owner: "dead", ObjectID: domain.NewID()}
			noErr(t, s.ReserveIdempotency(t.Context(), dead), "reserve")
			next := *dead
			next.Owner, next.CreatedAt = "alive", now().Add(time.Second)
			noErr(t, s.TakeOverIdempotency(t.Context(), &next, dead.Owner), "take over")
			got, err := s.GetIdempotency(t.Context(), dead.Key)
			noErr(t, err, "get taken over")
			deepEqual(t, got, &next, "reservation after take-over")

			// The dead owner can neither finish nor release what it lost.
			wantErr(t, s.CompleteIdempotency(t.Context(), dead.Key, dead.Owner, 201, []byte("{}")), domain.ErrStale, "complete by old owner")
			noErr(t, s.DeleteIdempotency(t.Context(), dead.Key, dead.Owner), "delete by old owner")
			got, err = s.GetIdempotency(t.Context(), dead.Key)
			noErr(t, err, "get after old owner's cleanup")
			deepEqual(t, got, &next, "reservation kept by new owner")

			// A second take-over from the same old owner loses.
			other := next
			other.Owner = "also-alive"
			wantErr(t, s.TakeOverIdempotency(t.Context(), &other, dead.Owner), domain.ErrStale, "second take-over")
			// A completed record cannot be taken over at all.
			noErr(t, s.CompleteIdempotency(t.Context(), next.Key, next.Owner, 201, []byte("{}")), "complete")
			wantErr(t, s.TakeOverIdempotency(t.Context(), &other, next.Owner), domain.ErrStale, "take over completed")
			missing := other
			missing.Key = "absent"
			wantErr(t, s.TakeOverIdempotency(t.Context(), &missing, "dead"), domain.ErrNotFound, "take over absent")
		}},
		{"TakeOverWithoutOwner", func(t *testing.T, s storage.Store) {
			// Reservations written before owners existed have none.
			old := &storage.IdempotencyRecord{Key: "k", RequestHash: "h", CreatedAt: now()}
			noErr(t, s.ReserveIdempotency(t.Context(), old), "reserve")
			next := *old
			next.Owner, next.ObjectID = "alive", domain.NewID()
			noErr(t, s.TakeOverIdempotency(t.Context(), &next, ""), "take over")
			got, err := s.GetIdempotency(t.Context(), old.Key)
			noErr(t, err, "get")
			deepEqual(t, got, &next, "taken over")
		}},
		{"ConcurrentTakeOverHasOneWinner", func(t *testing.T, s storage.Store) {
			dead := &storage.IdempotencyRecord{Key: "k", RequestHash: "h", CreatedAt: now(), Owner: "dead"}
			noErr(t, s.ReserveIdempotency(t.Context(), dead), "reserve")
			const n = 8
			errs := make(chan error, n)
			for i := range n {
				go func() {
					r := *dead
					r.Owner = fmt.Sprintf("retry-%d", i)
					errs <- s.TakeOverIdempotency(t.Context(), &r, dead.Owner)
				}()
			}
			won := 0
			for range n {
				err := <-errs
				switch {
				case err == nil:
					won++
				case !errors.Is(err, domain.ErrStale):
					t.Fatalf("take-over: %v", err)
				}
			}
			if won != 1 {
				t.Fatalf("%d retries took the reservation over, want exactly 1", won)
			}
		}},
	}
}

func epochTests() []contractTest {
	return []contractTest{
		{"BeginRenewEnd", func(t *testing.T, s storage.Store) {
			n := now()
			e := &storage.Epoch{ID: "e1", Instance: "host:8080", StartedAt: n, HeartbeatAt: n}
			noErr(t, s.BeginEpoch(t.Context(), e), "begin")
			got, err := s.GetEpoch(t.Context(), e.ID)
			noErr(t, err, "get")
			deepEqual(t, got, e, "epoch")
			later := n.Add(storage.EpochHeartbeat)
			noErr(t, s.RenewEpoch(t.Context(), e.ID, later), "renew")
			got, err = s.GetEpoch(t.Context(), e.ID)
			noErr(t, err, "get renewed")
			if !got.HeartbeatAt.Equal(later) || !got.StartedAt.Equal(n) {
				t.Fatalf("renewed epoch %+v, want heartbeat %v", got, later)
			}
			noErr(t, s.EndEpoch(t.Context(), e.ID), "end")
			_, err = s.GetEpoch(t.Context(), e.ID)
			wantErr(t, err, domain.ErrNotFound, "get ended")
			wantErr(t, s.RenewEpoch(t.Context(), e.ID, later), domain.ErrNotFound, "renew ended")
			noErr(t, s.EndEpoch(t.Context(), e.ID), "end again")
		}},
		{"RestartEndsEarlierEpochsOfInstance", func(t *testing.T, s storage.Store) {
			n := now()
			first := &storage.Epoch{ID: "first", Instance: "host:8080", StartedAt: n, HeartbeatAt: n}
			other := &storage.Epoch{ID: "other", Instance: "host:8081", StartedAt: n, HeartbeatAt: n}
			silent := &storage.Epoch{ID: "silent", Instance: "gone:8080", StartedAt: n.Add(-48 * time.Hour), HeartbeatAt: n.Add(-storage.EpochRetention - time.Hour)}
			for _, e := range []*storage.Epoch{silent, first, other} {
				noErr(t, s.BeginEpoch(t.Context(), e), "begin "+e.ID)
			}
			restarted := &storage.Epoch{ID: "second", Instance: first.Instance, StartedAt: n.Add(time.Second), HeartbeatAt: n.Add(time.Second)}
			noErr(t, s.BeginEpoch(t.Context(), restarted), "begin after restart")
			for _, tc := range []struct {
				id   string
				kept bool
			}{{"first", false}, {"silent", false}, {"other", true}, {"second", true}} {
				_, err := s.GetEpoch(t.Context(), tc.id)
				if tc.kept {
					noErr(t, err, "get "+tc.id)
				} else {
					wantErr(t, err, domain.ErrNotFound, "get "+tc.id)
				}
			}
		}},
	}
}

func signingKeyTests() []contractTest {
	return []contractTest{
		{"SaveAndList", func(t *testing.T, s storage.Store) {
			keys, err := s.ListSigningKeys(t.Context())
			noErr(t, err, "list empty")
			if len(keys) != 0 {
				t.Fatalf("fresh store has %d keys", len(keys))
			}
			n := now()
			newer := &storage.SigningKey{KID: "a-newer", PrivateSealed: "sealed2", Public: []byte{2, 2}, CreatedAt: n}
			older := &storage.SigningKey{KID: "z-older", PrivateSealed: "sealed1", Public: []byte{1, 1}, CreatedAt: n.Add(-time.Hour)}
			noErr(t, s.SaveSigningKey(t.Context(), newer), "save newer")
			noErr(t, s.SaveSigningKey(t.Context(), older), "save older")
			retired := n.Add(time.Minute)
			older.RetiredAt = &retired
			noErr(t, s.SaveSigningKey(t.Context(), older), "replace older")
			keys, err = s.ListSigningKeys(t.Context())
			noErr(t, err, "list")
			deepEqual(t, keys, []storage.SigningKey{*older, *newer}, "keys oldest first, replaced in place")
		}},
	}
}

// carriedReservationTests check a store that says it carries pending
// reservations (CarriesReservations): the reservation passed to a request's
// writes is inserted with the first of them to commit, atomically with it,
// and only once.
func carriedReservationTests() []contractTest {
	return []contractTest{
		{"ReservationRidesOnTheFirstWrite", func(t *testing.T, s storage.Store) {
			if !s.CarriesReservations() {
				t.Skip("the store reserves keys with writes of their own")
			}
			rec := &storage.IdempotencyRecord{Key: "client:abc|carried", RequestHash: "h1", CreatedAt: now(), Owner: "epoch-a", ObjectID: domain.NewID()}
			pending := &storage.PendingReservation{Record: rec}
			ctx := t.Context()

			a := NewAccount(now())
			noErr(t, s.CreateAccount(ctx, pending, a), "create account carrying the reservation")
			got, err := s.GetIdempotency(t.Context(), rec.Key)
			noErr(t, err, "get the carried reservation")
			deepEqual(t, got, rec, "carried reservation")
			if placed, maybe := pending.State(); !placed || !maybe {
				t.Fatalf("after a committed write the reservation is placed=%v maybe=%v, want both", placed, maybe)
			}
			// Later writes of the same request do not insert it again.
			a.Name = "李四"
			noErr(t, s.UpdateAccount(ctx, pending, a), "a second write of the request")
		}},
		{"EveryKeyedWriteCarriesIt", func(t *testing.T, s storage.Store) {
			if !s.CarriesReservations() {
				t.Skip("the store reserves keys with writes of their own")
			}
			// Each write that takes a key stores a pending one with itself,
			// and with a key already held stores neither.
			for _, w := range keyedWrites() {
				t.Run(w.name, func(t *testing.T) {
					ctx := t.Context()
					rec := &storage.IdempotencyRecord{Key: "client:abc|" + w.name, RequestHash: "h1", CreatedAt: now(), Owner: "epoch-a", ObjectID: domain.NewID()}
					pending := &storage.PendingReservation{Record: rec}
					read, err := w.write(ctx, s, pending)
					noErr(t, err, "write carrying the reservation")
					noErr(t, read(), "read what the write stored")
					got, err := s.GetIdempotency(ctx, rec.Key)
					noErr(t, err, "get the carried reservation")
					deepEqual(t, got, rec, "carried reservation")

					loser := *rec
					loser.RequestHash = "h2"
					read, err = w.write(ctx, s, &storage.PendingReservation{Record: &loser})
					wantErr(t, err, storage.ErrKeyTaken, "write carrying a held key")
					wantErr(t, read(), domain.ErrNotFound, "what the refused write would have stored")
				})
			}
		}},
		{"HeldKeyFailsTheWriteAndAppliesNothing", func(t *testing.T, s storage.Store) {
			if !s.CarriesReservations() {
				t.Skip("the store reserves keys with writes of their own")
			}
			held := &storage.IdempotencyRecord{Key: "client:abc|held", RequestHash: "h1", CreatedAt: now(), Owner: "epoch-a", ObjectID: domain.NewID()}
			noErr(t, s.ReserveIdempotency(t.Context(), held), "reserve")
			a := createAccount(t, s, NewAccount(now()))

			loser := *held
			loser.RequestHash, loser.ObjectID = "h2", domain.NewID()
			pending := &storage.PendingReservation{Record: &loser}
			ctx := t.Context()
			changed := *a
			changed.Name = "王五"
			wantErr(t, s.UpdateAccount(ctx, pending, &changed), storage.ErrKeyTaken, "update carrying a held key")
			if errors.Is(s.UpdateAccount(ctx, pending, &changed), domain.ErrConflict) {
				t.Fatal("a held key must not read as a conflict of the write itself")
			}
			if placed, maybe := pending.State(); placed || maybe {
				t.Fatalf("a reservation that lost its key is placed=%v maybe=%v, want neither (it must never be released)", placed, maybe)
			}
			deepEqual(t, getAccount(t, s, a.ID), a, "account after the refused write")
			got, err := s.GetIdempotency(t.Context(), held.Key)
			noErr(t, err, "get the held key")
			deepEqual(t, got, held, "the holder's reservation")
		}},
		{"FailedWriteLeavesNoReservation", func(t *testing.T, s storage.Store) {
			if !s.CarriesReservations() {
				t.Skip("the store reserves keys with writes of their own")
			}
			a := createAccount(t, s, NewAccount(now()))
			stale := *a
			stale.Version-- // loses its compare-and-swap
			stale.Name = "赵六"
			rec := &storage.IdempotencyRecord{Key: "client:abc|failed", RequestHash: "h1", CreatedAt: now(), Owner: "epoch-a", ObjectID: domain.NewID()}
			pending := &storage.PendingReservation{Record: rec}
			ctx := t.Context()
			wantErr(t, s.UpdateAccount(ctx, pending, &stale), domain.ErrStale, "stale update carrying a reservation")
			_, err := s.GetIdempotency(t.Context(), rec.Key)
			wantErr(t, err, domain.ErrNotFound, "reservation of a failed write")
			if placed, maybe := pending.State(); placed || maybe {
				// maybe would have the request release the key, which
				// (same owner) could be a copy's that holds it now.
				t.Fatalf("after a write that failed for its own reason the reservation is placed=%v maybe=%v, want neither", placed, maybe)
			}
			// The retry with the current version carries it again.
			a.Name = "赵六"
			noErr(t, s.UpdateAccount(ctx, pending, a), "retried update")
			got, err := s.GetIdempotency(t.Context(), rec.Key)
			noErr(t, err, "reservation after the retry")
			deepEqual(t, got, rec, "reservation after the retry")
		}},
	}
}

// keyedWrite is one of the writes that take an Idempotency-Key reservation:
// write stores a fresh object passing key and returns a read of it.
type keyedWrite struct {
	name  string
	write func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (read func() error, err error)
}

func keyedWrites() []keyedWrite {
	inst := NewInstitution("键校")
	readErr := func(_ any, err error) error { return err }
	return []keyedWrite{
		{"CreateAccount", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			a := NewAccount(now())
			return func() error { return readErr(s.GetAccount(ctx, a.ID)) }, s.CreateAccount(ctx, key, a)
		}},
		{"UpdateAccount", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			a := NewAccount(now())
			if err := s.CreateAccount(ctx, nil, a); err != nil {
				return nil, err
			}
			o := NewOutcome(inst.ID, "键入", 1, now())
			if err := a.Deposit(o, now()); err != nil {
				return nil, err
			}
			return func() error { return readErr(s.GetAccountByOutcomeID(ctx, o.ID)) }, s.UpdateAccount(ctx, key, a)
		}},
		{"CreateInstitution", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			i := NewInstitution("键入学院")
			return func() error { return readErr(s.GetInstitution(ctx, i.ID)) }, s.CreateInstitution(ctx, key, i)
		}},
		{"CreateUser", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			u := NewStaff("keyed."+domain.NewID().String()[24:], inst)
			return func() error { return readErr(s.GetUser(ctx, u.ID)) }, s.CreateUser(ctx, key, u)
		}},
		{"CreateRule", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			r := NewRule(inst.ID, "KEY-"+domain.NewID().String()[24:], 1, now())
			return func() error { return readErr(s.GetRule(ctx, r.ID)) }, s.CreateRule(ctx, key, r)
		}},
		{"CreateUnit", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			u := ExampleUnit(domain.NormalizeUnitCode("K"+domain.NewID().String()[24:]), domain.CategoryCommunity, 2)
			return func() error { return readErr(s.GetUnit(ctx, u.Code)) }, s.CreateUnit(ctx, key, &u)
		}},
		{"CreateCourse", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			c := NewCourse(inst.ID, "K-"+domain.NewID().String()[24:], "键入课程", domain.CategoryCommunity, now())
			return func() error { return readErr(s.GetCourse(ctx, c.ID)) }, s.CreateCourse(ctx, key, c)
		}},
		{"SaveImportJob", func(ctx context.Context, s storage.Store, key *storage.PendingReservation) (func() error, error) {
			j := &domain.ImportJob{ID: domain.NewID(), InstitutionID: inst.ID, CreatedBy: "staff-a",
				State: domain.ImportQueued, Total: 1, CreatedAt: now(), UpdatedAt: now()}
			return func() error { return readErr(s.GetImportJob(ctx, j.ID)) }, s.SaveImportJob(ctx, key, j)
		}},
	}
}
