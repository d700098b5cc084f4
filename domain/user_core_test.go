package domain_test

import (
	"slices"
	"strings"
	"testing"

	"creditbank/domain"
)

func TestCoreParsePerms(t *testing.T) {
	tests := []struct {
		name   string
		in     []string
		want   []domain.Perm
		fields []string
	}{
		{"one", []string{"issue"}, []domain.Perm{domain.PermIssue}, nil},
		{"all, deduplicated in order", []string{"review", "manage", "review", "issue"},
			[]domain.Perm{domain.PermReview, domain.PermManage, domain.PermIssue}, nil},
		{"empty", nil, nil, []string{"perms"}},
		{"unknown", []string{"issue", "admin"}, nil, []string{"perms[1]"}},
		{"wrong case", []string{"Issue"}, nil, []string{"perms[0]"}},
		{"several unknown", []string{"x", "review", "y"}, nil, []string{"perms[0]", "perms[2]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.ParsePerms(tt.in)
			if tt.fields != nil {
				if fields := coreProblemFields(t, err); !slices.Equal(fields, tt.fields) {
					t.Fatalf("problems name %v, want %v", fields, tt.fields)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("ParsePerms(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCoreHasPerm(t *testing.T) {
	perms := []domain.Perm{domain.PermIssue, domain.PermReview}
	if !domain.HasPerm(perms, domain.PermReview) || domain.HasPerm(perms, domain.PermManage) || domain.HasPerm(nil, domain.PermIssue) {
		t.Fatal("HasPerm answers wrongly")
	}
}

func TestCoreValidateUsername(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"admin", true},
		{"abc", true},
		{"wang.li_2-x", true},
		{"a" + strings.Repeat("b", 31), true},
		{"a" + strings.Repeat("b", 32), false},
		{"ab", false},
		{"", false},
		{"Admin", false},
		{"1admin", false},
		{"_admin", false},
		{"wang li", false},
		{"王力", false},
		{"admin@x", false},
		{"admin\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := domain.ValidateUsername(tt.in)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidateUsername(%q): %v", tt.in, err)
				}
				return
			}
			coreWantField(t, err, "username")
		})
	}
}

func TestCoreValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"9 characters", "abcdefghi", false},
		{"10 characters", "abcdefghij", true},
		{"128 characters", strings.Repeat("p", 128), true},
		{"129 characters", strings.Repeat("p", 129), false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := domain.ValidatePassword(tt.in)
			if tt.ok {
				if err != nil {
					t.Fatalf("ValidatePassword: %v", err)
				}
				return
			}
			coreWantField(t, err, "password")
		})
	}
}
