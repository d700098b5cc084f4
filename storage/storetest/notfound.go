package storetest

import (
	"testing"

	"creditbank/domain"
	"creditbank/storage"
)

// notFoundTests ask an empty store for everything: every getter and every
// update of something absent is domain.ErrNotFound.
func notFoundTests() []contractTest {
	missing := domain.NewID()
	cases := []struct {
		name string
		call func(t *testing.T, s storage.Store) error
	}{
		{"GetAccount", func(t *testing.T, s storage.Store) error { _, err := s.GetAccount(t.Context(), missing); return err }},
		{"GetAccountByNationalIDHash", func(t *testing.T, s storage.Store) error {
			_, err := s.GetAccountByNationalIDHash(t.Context(), randomHash())
			return err
		}},
		{"GetAccountByOutcomeID", func(t *testing.T, s storage.Store) error {
			_, err := s.GetAccountByOutcomeID(t.Context(), missing)
			return err
		}},
		{"GetAccountByConversionID", func(t *testing.T, s storage.Store) error {
			_, err := s.GetAccountByConversionID(t.Context(), missing)
			return err
		}},
		{"UpdateAccount", func(t *testing.T, s storage.Store) error {
			a := NewAccount(now())
			a.Version = 1
			return s.UpdateAccount(t.Context(), nil, a)
		}},
		{"GetInstitution", func(t *testing.T, s storage.Store) error {
			_, err := s.GetInstitution(t.Context(), missing)
			return err
		}},
		{"UpdateInstitution", func(t *testing.T, s storage.Store) error {
			i := NewInstitution("无")
			i.Version = 1
			return s.UpdateInstitution(t.Context(), i)
		}},
		{"GetUser", func(t *testing.T, s storage.Store) error { _, err := s.GetUser(t.Context(), missing); return err }},
		{"GetUserByUsername", func(t *testing.T, s storage.Store) error {
			_, err := s.GetUserByUsername(t.Context(), "nobody")
			return err
		}},
		{"UpdateUser", func(t *testing.T, s storage.Store) error {
			return s.UpdateUser(t.Context(), NewStaff("nobody", NewInstitution("无")))
		}},
		{"GetClient", func(t *testing.T, s storage.Store) error { _, err := s.GetClient(t.Context(), "cli_none"); return err }},
		{"UpdateClient", func(t *testing.T, s storage.Store) error {
			return s.UpdateClient(t.Context(), NewClient("cli_none", NewInstitution("无")))
		}},
		{"GetRefreshToken", func(t *testing.T, s storage.Store) error {
			_, err := s.GetRefreshToken(t.Context(), randomHash())
			return err
		}},
		{"UseRefreshToken", func(t *testing.T, s storage.Store) error {
			_, err := s.UseRefreshToken(t.Context(), randomHash(), now())
			return err
		}},
		{"GetIdempotency", func(t *testing.T, s storage.Store) error { _, err := s.GetIdempotency(t.Context(), "none"); return err }},
		{"CompleteIdempotency", func(t *testing.T, s storage.Store) error {
			return s.CompleteIdempotency(t.Context(), "none", "epoch", 200, []byte("{}"))
		}},
		{"GetRule", func(t *testing.T, s storage.Store) error { _, err := s.GetRule(t.Context(), missing); return err }},
		{"UpdateRule", func(t *testing.T, s storage.Store) error {
			r := NewRule(domain.NewID(), "NONE", 1, now())
			r.Revision = 1
			return s.UpdateRule(t.Context(), r)
		}},
		{"LastAudit", func(t *testing.T, s storage.Store) error { _, err := s.LastAudit(t.Context()); return err }},
		{"GetImportJob", func(t *testing.T, s storage.Store) error { _, err := s.GetImportJob(t.Context(), missing); return err }},
		{"GetCreditPolicy", func(t *testing.T, s storage.Store) error { _, err := s.GetCreditPolicy(t.Context()); return err }},
	}
	out := make([]contractTest, len(cases))
	for i, c := range cases {
		out[i] = contractTest{c.name, func(t *testing.T, s storage.Store) {
			wantErr(t, c.call(t, s), domain.ErrNotFound, c.name)
		}}
	}
	return out
}
