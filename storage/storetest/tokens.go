package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// NewRefreshToken returns an unused token of family.
func NewRefreshToken(family uuid.UUID) *domain.RefreshToken {
	n := now()
	return &domain.RefreshToken{
		Hash: randomHash(), FamilyID: family, Subject: domain.NewID(), Role: domain.RoleStaff,
		InstitutionID: domain.NewID(), CreatedAt: n, ExpiresAt: n.Add(30 * 24 * time.Hour),
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
			if used.UsedAt == nil || !used.UsedAt.Equal(at) || used.Subject != rt.Subject {
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
			for _, rt := range []*domain.RefreshToken{a, b, c} {
				noErr(t, s.CreateRefreshToken(t.Context(), rt), "create")
			}
			_, err := s.UseRefreshToken(t.Context(), a.Hash, now())
			noErr(t, err, "use a")
			noErr(t, s.RevokeRefreshFamily(t.Context(), family), "revoke family")
			for _, tc := range []struct {
				rt      *domain.RefreshToken
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
			r := &domain.IdempotencyRecord{Key: "client:abc|key-1", RequestHash: "h1", CreatedAt: now()}
			noErr(t, s.ReserveIdempotency(t.Context(), r), "reserve")
			again := *r
			again.RequestHash = "h2"
			wantErr(t, s.ReserveIdempotency(t.Context(), &again), domain.ErrConflict, "second reserve")
			got, err := s.GetIdempotency(t.Context(), r.Key)
			noErr(t, err, "get reserved")
			deepEqual(t, got, r, "reservation (first request wins)")

			body := []byte(`{"id":"x","credits":1.5}`)
			noErr(t, s.CompleteIdempotency(t.Context(), r.Key, 201, body), "complete")
			got, err = s.GetIdempotency(t.Context(), r.Key)
			noErr(t, err, "get completed")
			want := *r
			want.Status, want.Body = 201, body
			deepEqual(t, got, &want, "completed record")

			noErr(t, s.DeleteIdempotency(t.Context(), r.Key), "delete")
			_, err = s.GetIdempotency(t.Context(), r.Key)
			wantErr(t, err, domain.ErrNotFound, "get after delete")
			noErr(t, s.DeleteIdempotency(t.Context(), r.Key), "delete again")
			noErr(t, s.ReserveIdempotency(t.Context(), r), "reserve after delete")
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
			newer := &domain.SigningKey{KID: "a-newer", PrivateSealed: "sealed2", Public: []byte{2, 2}, CreatedAt: n}
			older := &domain.SigningKey{KID: "z-older", PrivateSealed: "sealed1", Public: []byte{1, 1}, CreatedAt: n.Add(-time.Hour)}
			noErr(t, s.SaveSigningKey(t.Context(), newer), "save newer")
			noErr(t, s.SaveSigningKey(t.Context(), older), "save older")
			retired := n.Add(time.Minute)
			older.RetiredAt = &retired
			noErr(t, s.SaveSigningKey(t.Context(), older), "replace older")
			keys, err = s.ListSigningKeys(t.Context())
			noErr(t, err, "list")
			deepEqual(t, keys, []domain.SigningKey{*older, *newer}, "keys oldest first, replaced in place")
		}},
	}
}
