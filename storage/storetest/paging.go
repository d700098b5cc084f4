package storetest

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

func institutionIDs(is []domain.Institution) []uuid.UUID {
	out := make([]uuid.UUID, len(is))
	for i, x := range is {
		out[i] = x.ID
	}
	return out
}

func pagingTests() []contractTest {
	return []contractTest{
		{"Institutions", func(t *testing.T, s storage.Store) {
			var want []uuid.UUID
			for i := range 7 {
				inst := NewInstitution(fmt.Sprintf("学校%d", i))
				noErr(t, s.CreateInstitution(t.Context(), nil, inst), "create")
				want = append(want, inst.ID)
			}
			for _, limit := range []int{1, 3, 7, 8} {
				got := collectPages(t, limit, func(p storage.Page) ([]uuid.UUID, string, error) {
					is, next, err := s.ListInstitutions(t.Context(), p)
					return institutionIDs(is), next, err
				})
				deepEqual(t, got, sortedIDs(want), fmt.Sprintf("institutions with limit %d", limit))
			}
		}},
		{"Users", func(t *testing.T, s storage.Store) {
			inst := NewInstitution("学校")
			var want []uuid.UUID
			for i := range 5 {
				u := NewStaff(fmt.Sprintf("user%02d", i), inst)
				noErr(t, s.CreateUser(t.Context(), nil, u), "create")
				want = append(want, u.ID)
			}
			got := collectPages(t, 2, func(p storage.Page) ([]uuid.UUID, string, error) {
				us, next, err := s.ListUsers(t.Context(), p)
				ids := make([]uuid.UUID, len(us))
				for i, u := range us {
					ids[i] = u.ID
				}
				return ids, next, err
			})
			deepEqual(t, got, sortedIDs(want), "users")
		}},
		{"Clients", func(t *testing.T, s storage.Store) {
			inst := NewInstitution("学校")
			var want []uuid.UUID
			for i := range 5 {
				c := NewClient(fmt.Sprintf("cli_%02d", i), inst)
				noErr(t, s.CreateClient(t.Context(), c), "create")
				want = append(want, c.ID)
			}
			got := collectPages(t, 2, func(p storage.Page) ([]uuid.UUID, string, error) {
				cs, next, err := s.ListClients(t.Context(), p)
				ids := make([]uuid.UUID, len(cs))
				for i, c := range cs {
					ids[i] = c.ID
				}
				return ids, next, err
			})
			deepEqual(t, got, sortedIDs(want), "clients")
		}},
		{"CursorSeesNewItems", func(t *testing.T, s storage.Store) {
			first := NewInstitution("一")
			noErr(t, s.CreateInstitution(t.Context(), nil, first), "create")
			second := NewInstitution("二")
			noErr(t, s.CreateInstitution(t.Context(), nil, second), "create")
			page, next, err := s.ListInstitutions(t.Context(), storage.Page{Limit: 1})
			noErr(t, err, "first page")
			if len(page) != 1 || next == "" {
				t.Fatalf("first page: %d items, cursor %q", len(page), next)
			}
			// Added after the first page was read: UUIDv7 sorts it last, so
			// continuing from the cursor must reach it.
			third := NewInstitution("三")
			noErr(t, s.CreateInstitution(t.Context(), nil, third), "create")
			rest := collectPages(t, 1, func(p storage.Page) ([]uuid.UUID, string, error) {
				if p.Cursor == "" {
					p.Cursor = next
				}
				is, n, err := s.ListInstitutions(t.Context(), p)
				return institutionIDs(is), n, err
			})
			deepEqual(t, append(institutionIDs(page), rest...), sortedIDs([]uuid.UUID{first.ID, second.ID, third.ID}), "all institutions")
		}},
		{"EmptyList", func(t *testing.T, s storage.Store) {
			is, next, err := s.ListInstitutions(t.Context(), storage.Page{})
			noErr(t, err, "list")
			if len(is) != 0 || next != "" {
				t.Fatalf("empty store lists %d institutions, cursor %q", len(is), next)
			}
			os, next, err := s.ListOutcomesByIssuer(t.Context(), domain.NewID(), storage.Page{})
			noErr(t, err, "list outcomes")
			if len(os) != 0 || next != "" {
				t.Fatalf("empty store lists %d outcomes, cursor %q", len(os), next)
			}
		}},
		{"LimitDefaultAndClamp", func(t *testing.T, s storage.Store) {
			const total = storage.MaxPageSize + 5
			for i := range total {
				noErr(t, s.CreateInstitution(t.Context(), nil, NewInstitution(fmt.Sprintf("学校%03d", i))), "create")
			}
			tests := []struct {
				limit, want int
			}{{0, storage.DefaultPageSize}, {-3, storage.DefaultPageSize}, {storage.MaxPageSize + 1000, storage.MaxPageSize}}
			for _, tt := range tests {
				is, next, err := s.ListInstitutions(t.Context(), storage.Page{Limit: tt.limit})
				noErr(t, err, "list")
				if len(is) != tt.want || next == "" {
					t.Fatalf("limit %d: %d items, cursor %q; want %d and a cursor", tt.limit, len(is), next, tt.want)
				}
			}
			is, next, err := s.ListInstitutions(t.Context(), storage.Page{Limit: storage.MaxPageSize + 1000})
			noErr(t, err, "first page")
			rest, next, err := s.ListInstitutions(t.Context(), storage.Page{Limit: storage.MaxPageSize + 1000, Cursor: next})
			noErr(t, err, "second page")
			if len(is)+len(rest) != total || next != "" {
				t.Fatalf("two clamped pages hold %d of %d, final cursor %q", len(is)+len(rest), total, next)
			}
		}},
		{"BadCursor", func(t *testing.T, s storage.Store) {
			_, _, err := s.ListInstitutions(t.Context(), storage.Page{Cursor: "not-a-cursor"})
			wantErr(t, err, domain.ErrInvalid, "institutions")
			_, _, err = s.ListOutcomesByIssuer(t.Context(), domain.NewID(), storage.Page{Cursor: "x"})
			wantErr(t, err, domain.ErrInvalid, "outcomes")
			_, _, err = s.ListAudit(t.Context(), storage.AuditFilter{}, storage.Page{Cursor: "x"})
			wantErr(t, err, domain.ErrInvalid, "audit")
		}},
	}
}
