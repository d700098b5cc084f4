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
			noErr(t, s.SaveImportJob(t.Context(), nil, j), "save queued")
			got, err := s.GetImportJob(t.Context(), j.ID)
			noErr(t, err, "get")
			deepEqual(t, got, j, "queued job")
			j.State, j.Done, j.OK, j.Failed, j.Created, j.Duplicates = domain.ImportDone, 3, 1, 1, 1, 1
			j.Errors = []domain.ImportRowError{{Line: 2, Column: "身份证号", Field: "nationalId", Reason: "check character does not match",
				Code: domain.ImportInvalid, Record: []string{"110105199001011230", "张三"}}}
			j.FileName, j.Header, j.Skipped = "十月结业.csv", []string{"身份证号", "姓名"}, 1
			j.UpdatedAt = now()
			noErr(t, s.SaveImportJob(t.Context(), nil, j), "save done")
			got, err = s.GetImportJob(t.Context(), j.ID)
			noErr(t, err, "get")
			deepEqual(t, got, j, "replaced job")
		}},
		{"HistoryNewestFirstPerInstitution", func(t *testing.T, s storage.Store) {
			inst, other := domain.NewID(), domain.NewID()
			var want []domain.ImportJob
			for i := range 5 {
				j := &domain.ImportJob{ID: domain.NewID(), InstitutionID: inst, CreatedBy: "staff-a", FileName: "f.csv",
					State: domain.ImportDone, Total: i, CreatedAt: now(), UpdatedAt: now()}
				noErr(t, s.SaveImportJob(t.Context(), nil, j), "save")
				want = append([]domain.ImportJob{*j}, want...)
				noErr(t, s.SaveImportJob(t.Context(), nil, &domain.ImportJob{ID: domain.NewID(), InstitutionID: other,
					State: domain.ImportDone, CreatedAt: now(), UpdatedAt: now()}), "save other")
			}
			var got []domain.ImportJob
			cursor := ""
			for range 10 {
				page, next, err := s.ListImportJobs(t.Context(), inst, storage.Page{Limit: 2, Cursor: cursor})
				noErr(t, err, "list")
				got = append(got, page...)
				if next == "" {
					break
				}
				cursor = next
			}
			deepEqual(t, got, want, "the institution's jobs, newest first")
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
