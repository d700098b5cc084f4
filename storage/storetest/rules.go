package storetest

import (
	"testing"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

func ruleIDs(rs []domain.Rule) []uuid.UUID {
	out := make([]uuid.UUID, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func ruleTests() []contractTest {
	return []contractTest{
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			r := NewRule(domain.NewID(), "OU-1", 1, now())
			noErr(t, s.CreateRule(t.Context(), nil, r), "create")
			if r.Revision != 1 {
				t.Fatalf("revision after create = %d, want 1", r.Revision)
			}
			got, err := s.GetRule(t.Context(), r.ID)
			noErr(t, err, "get")
			deepEqual(t, got, r, "rule")
		}},
		{"CodeVersionUnique", func(t *testing.T, s storage.Store) {
			inst := domain.NewID()
			noErr(t, s.CreateRule(t.Context(), nil, NewRule(inst, "OU-2", 1, now())), "v1")
			noErr(t, s.CreateRule(t.Context(), nil, NewRule(inst, "OU-2", 2, now())), "v2 of the same code")
			wantErr(t, s.CreateRule(t.Context(), nil, NewRule(inst, "OU-2", 1, now())), domain.ErrConflict, "same code and version")
			v3 := NewRule(inst, "OU-2", 3, now())
			noErr(t, s.CreateRule(t.Context(), nil, v3), "v3")
			v3.Version = 2
			wantErr(t, s.UpdateRule(t.Context(), v3), domain.ErrConflict, "renumber onto a taken version")
			dup := NewRule(inst, "OU-9", 1, now())
			dup.ID = v3.ID
			wantErr(t, s.CreateRule(t.Context(), nil, dup), domain.ErrConflict, "same id")
		}},
		{"CASConflict", func(t *testing.T, s storage.Store) {
			r := NewRule(domain.NewID(), "OU-3", 1, now())
			noErr(t, s.CreateRule(t.Context(), nil, r), "create")
			stale := *r
			published := now()
			r.Status, r.PublishedAt = domain.RulePublished, &published
			noErr(t, s.UpdateRule(t.Context(), r), "publish")
			if r.Revision != 2 {
				t.Fatalf("revision after update = %d, want 2", r.Revision)
			}
			stale.Name = "stale edit"
			wantErr(t, s.UpdateRule(t.Context(), &stale), domain.ErrStale, "stale update")
			got, err := s.GetRule(t.Context(), r.ID)
			noErr(t, err, "get")
			deepEqual(t, got, r, "stored rule after a stale update")
		}},
		{"ListFilter", func(t *testing.T, s storage.Store) {
			instA, instB := domain.NewID(), domain.NewID()
			a1 := NewRule(instA, "A", 1, now())
			a2 := NewRule(instA, "A", 2, now())
			a2.Status = domain.RulePublished
			b1 := NewRule(instB, "B", 1, now())
			b1.Status = domain.RulePublished
			for _, r := range []*domain.Rule{a1, a2, b1} {
				noErr(t, s.CreateRule(t.Context(), nil, r), "create")
			}
			tests := []struct {
				name   string
				filter storage.RuleFilter
				want   []uuid.UUID
			}{
				{"all", storage.RuleFilter{}, []uuid.UUID{a1.ID, a2.ID, b1.ID}},
				{"status", storage.RuleFilter{Status: domain.RulePublished}, []uuid.UUID{a2.ID, b1.ID}},
				{"institution", storage.RuleFilter{InstitutionID: instA}, []uuid.UUID{a1.ID, a2.ID}},
				{"code", storage.RuleFilter{Code: "B"}, []uuid.UUID{b1.ID}},
				{"combined", storage.RuleFilter{Status: domain.RulePublished, InstitutionID: instA, Code: "A"}, []uuid.UUID{a2.ID}},
				{"none", storage.RuleFilter{Status: domain.RuleRetired}, []uuid.UUID{}},
			}
			for _, tt := range tests {
				got := collectPages(t, 2, func(p storage.Page) ([]uuid.UUID, string, error) {
					rs, next, err := s.ListRules(t.Context(), tt.filter, p)
					return ruleIDs(rs), next, err
				})
				deepEqual(t, got, sortedIDs(tt.want), "ListRules "+tt.name)
			}
		}},
	}
}
