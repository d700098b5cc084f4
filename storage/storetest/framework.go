package storetest

import (
	"fmt"
	"testing"

	"creditbank/domain"
	"creditbank/storage"
)

// ExampleFramework is a valid framework of n levels for tests.
func ExampleFramework(n int) domain.Framework {
	f := domain.Framework{NameZH: "示例框架", NameEN: "Example framework", Note: "test"}
	for i := 1; i <= n; i++ {
		f.Levels = append(f.Levels, domain.FrameworkLevel{
			Level: i, NameZH: fmt.Sprintf("第%d级", i), NameEN: fmt.Sprintf("Level %d", i),
			Knowledge: "k", Skills: "s", Competence: "c", EQF: min(i, domain.MaxEQFLevel),
		})
	}
	return f
}

// ExampleUnit is a valid active unit for tests.
func ExampleUnit(code string, cat domain.Category, level int) domain.Unit {
	return domain.Unit{
		Code: code, TitleZH: "单元 " + code, TitleEN: "Unit " + code, Level: level, Credits: 2, Hours: 32,
		Category: cat, LearningOutcomes: "能够完成任务", Assessment: domain.AssessPractical,
		QANote: "双人评审", Status: domain.UnitActive, CreatedAt: now(), UpdatedAt: now(), UpdatedBy: "admin",
	}
}

func frameworkTests() []contractTest {
	return []contractTest{
		{"CAS", func(t *testing.T, s storage.Store) {
			_, err := s.GetFramework(t.Context())
			wantErr(t, err, domain.ErrNotFound, "framework before the first save")
			f := ExampleFramework(4)
			f.UpdatedAt = now()
			noErr(t, s.SaveFramework(t.Context(), &f), "first save")
			if f.Version != 1 {
				t.Fatalf("version after first save = %d, want 1", f.Version)
			}
			second := ExampleFramework(2)
			wantErr(t, s.SaveFramework(t.Context(), &second), domain.ErrStale, "a second first save")

			stale := f
			f.Levels = append([]domain.FrameworkLevel(nil), f.Levels...)
			f.Levels[2].NameZH = "第三级（修订）"
			noErr(t, s.SaveFramework(t.Context(), &f), "update")
			if f.Version != 2 {
				t.Fatalf("version after update = %d, want 2", f.Version)
			}
			wantErr(t, s.SaveFramework(t.Context(), &stale), domain.ErrStale, "stale save")
			got, err := s.GetFramework(t.Context())
			noErr(t, err, "get")
			deepEqual(t, got, &f, "stored framework after a stale save")
			// The credit policy shares the settings store and stays apart.
			_, err = s.GetCreditPolicy(t.Context())
			wantErr(t, err, domain.ErrNotFound, "credit policy beside a framework")
		}},
		{"UpdateWithoutFirstSave", func(t *testing.T, s storage.Store) {
			f := ExampleFramework(2)
			f.Version = 3
			wantErr(t, s.SaveFramework(t.Context(), &f), domain.ErrNotFound, "update of a framework never saved")
		}},
	}
}

func unitTests() []contractTest {
	return []contractTest{
		{"CreateGetUpdate", func(t *testing.T, s storage.Store) {
			u := ExampleUnit("CE-101", domain.CategoryCommunity, 3)
			noErr(t, s.CreateUnit(t.Context(), nil, &u), "create")
			if u.Version != 1 {
				t.Fatalf("version after create = %d, want 1", u.Version)
			}
			dup := ExampleUnit("CE-101", domain.CategoryVocational, 2)
			wantErr(t, s.CreateUnit(t.Context(), nil, &dup), domain.ErrConflict, "same code twice")
			got, err := s.GetUnit(t.Context(), " ce-101 ")
			noErr(t, err, "get by code in other case")
			deepEqual(t, got, &u, "stored unit")

			stale := u
			u.Level, u.Status = 4, domain.UnitRetired
			noErr(t, s.UpdateUnit(t.Context(), &u), "update")
			if u.Version != 2 {
				t.Fatalf("version after update = %d, want 2", u.Version)
			}
			wantErr(t, s.UpdateUnit(t.Context(), &stale), domain.ErrStale, "stale update")
			got, err = s.GetUnit(t.Context(), "CE-101")
			noErr(t, err, "get")
			deepEqual(t, got, &u, "unit after a stale update")

			missing := ExampleUnit("NOPE-1", domain.CategoryOther, 1)
			missing.Version = 1
			wantErr(t, s.UpdateUnit(t.Context(), &missing), domain.ErrNotFound, "update of an absent unit")
			_, err = s.GetUnit(t.Context(), "NOPE-1")
			wantErr(t, err, domain.ErrNotFound, "absent unit")
		}},
		{"ListFiltersAndPages", func(t *testing.T, s storage.Store) {
			specs := []struct {
				code  string
				cat   domain.Category
				level int
				st    domain.UnitStatus
			}{
				{"VT-003", domain.CategoryVocational, 3, domain.UnitActive},
				{"CE-002", domain.CategoryCommunity, 2, domain.UnitActive},
				{"VT-001", domain.CategoryVocational, 4, domain.UnitDraft},
				{"SE-001", domain.CategorySenior, 2, domain.UnitActive},
				{"CE-001", domain.CategoryCommunity, 3, domain.UnitRetired},
			}
			for _, sp := range specs {
				u := ExampleUnit(sp.code, sp.cat, sp.level)
				u.Status = sp.st
				noErr(t, s.CreateUnit(t.Context(), nil, &u), "create "+sp.code)
			}
			codes := func(q domain.UnitQuery, limit int) []string {
				t.Helper()
				var out []string
				p := storage.Page{Limit: limit}
				for range 10 {
					us, next, err := s.ListUnits(t.Context(), q, p)
					noErr(t, err, "list")
					for _, u := range us {
						if !q.Matches(u) {
							t.Fatalf("list %+v returned %s, which it does not match", q, u.Code)
						}
						out = append(out, u.Code)
					}
					if next == "" {
						return out
					}
					p.Cursor = next
				}
				t.Fatal("paging did not end")
				return nil
			}
			deepEqual(t, codes(domain.UnitQuery{}, 2), []string{"CE-001", "CE-002", "SE-001", "VT-001", "VT-003"}, "all units by code, two a page")
			deepEqual(t, codes(domain.UnitQuery{Category: domain.CategoryVocational}, 50), []string{"VT-001", "VT-003"}, "vocational units")
			deepEqual(t, codes(domain.UnitQuery{Status: domain.UnitActive, Level: 2}, 50), []string{"CE-002", "SE-001"}, "active level-2 units")
		}},
	}
}
