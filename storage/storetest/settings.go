package storetest

import (
	"testing"

	"creditbank/domain"
	"creditbank/storage"
)

func importTests() []contractTest {
	return []contractTest{
		{"SaveAndGet", func(t *testing.T, s storage.Store) {
			j := &domain.ImportJob{ID: domain.NewID(), InstitutionID: domain.NewID(), CreatedBy: "staff-a",
				State: domain.ImportQueued, Total: 3, CreatedAt: now(), UpdatedAt: now()}
			noErr(t, s.SaveImportJob(t.Context(), j), "save queued")
			got, err := s.GetImportJob(t.Context(), j.ID)
			noErr(t, err, "get")
			deepEqual(t, got, j, "queued job")
			j.State, j.Done, j.OK, j.Failed, j.Created, j.Duplicates = domain.ImportDone, 3, 1, 1, 1, 1
			j.Errors = []domain.ImportRowError{{Line: 2, Column: "nationalId", Reason: "check character does not match"}}
			j.UpdatedAt = now()
			noErr(t, s.SaveImportJob(t.Context(), j), "save done")
			got, err = s.GetImportJob(t.Context(), j.ID)
			noErr(t, err, "get")
			deepEqual(t, got, j, "replaced job")
		}},
	}
}

func settingsTests() []contractTest {
	return []contractTest{
		{"PolicyCAS", func(t *testing.T, s storage.Store) {
			p := domain.DefaultCreditPolicy()
			noErr(t, s.SaveCreditPolicy(t.Context(), &p), "first save")
			if p.Version != 1 {
				t.Fatalf("version after first save = %d, want 1", p.Version)
			}
			second := domain.DefaultCreditPolicy()
			wantErr(t, s.SaveCreditPolicy(t.Context(), &second), domain.ErrStale, "a second first save")

			stale := p
			stale.HoursPerCredit = map[domain.Category]float64{domain.CategoryOther: 99}
			p.HoursPerCredit[domain.CategorySenior] = 20
			noErr(t, s.SaveCreditPolicy(t.Context(), &p), "update")
			if p.Version != 2 {
				t.Fatalf("version after update = %d, want 2", p.Version)
			}
			wantErr(t, s.SaveCreditPolicy(t.Context(), &stale), domain.ErrStale, "stale save")
			got, err := s.GetCreditPolicy(t.Context())
			noErr(t, err, "get")
			deepEqual(t, got, &p, "stored policy after a stale save")
		}},
		{"PolicyUpdateWithoutFirstSave", func(t *testing.T, s storage.Store) {
			p := domain.DefaultCreditPolicy()
			p.Version = 3
			wantErr(t, s.SaveCreditPolicy(t.Context(), &p), domain.ErrNotFound, "update of a policy never saved")
		}},
	}
}
