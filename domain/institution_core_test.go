package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"creditbank/domain"
)

func coreInstitutionInput() domain.InstitutionInput {
	return domain.InstitutionInput{
		Name:         "  渝北区社区教育学院 ",
		Kind:         "community_college",
		Region:       " 渝北区 ",
		Capabilities: []string{"issue"},
		Categories:   []string{"community", "senior"},
	}
}

func TestCoreNewInstitution(t *testing.T) {
	in := coreInstitutionInput()
	in.Capabilities = []string{"issue", "convert", "issue"}
	in.Categories = []string{"community", "senior", "community"}
	inst, err := domain.NewInstitution(in, coreNow)
	if err != nil {
		t.Fatal(err)
	}
	if inst.Name != "渝北区社区教育学院" || inst.Region != "渝北区" || inst.Kind != domain.KindCommunityCollege {
		t.Fatalf("institution = %+v: want trimmed name and region", inst)
	}
	if !slices.Equal(inst.Capabilities, []domain.Capability{domain.CapabilityIssue, domain.CapabilityConvert}) {
		t.Fatalf("capabilities = %v, want issue, convert once each", inst.Capabilities)
	}
	if !slices.Equal(inst.Categories, []domain.Category{domain.CategoryCommunity, domain.CategorySenior}) {
		t.Fatalf("categories = %v, want community, senior once each", inst.Categories)
	}
	if inst.Status != domain.InstitutionActive || !inst.CreatedAt.Equal(coreNow) {
		t.Fatalf("status %q created %v, want active at %v", inst.Status, inst.CreatedAt, coreNow)
	}

	convertOnly := coreInstitutionInput()
	convertOnly.Kind, convertOnly.Capabilities, convertOnly.Categories = "open_university", []string{"convert"}, nil
	if _, err := domain.NewInstitution(convertOnly, coreNow); err != nil {
		t.Fatalf("a converting-only institution needs no categories: %v", err)
	}
}

func TestCoreNewInstitutionRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(in *domain.InstitutionInput)
		field string
	}{
		{"empty name", func(in *domain.InstitutionInput) { in.Name = "  " }, "name"},
		{"name of 101 runes", func(in *domain.InstitutionInput) { in.Name = strings.Repeat("院", 101) }, "name"},
		{"unknown kind", func(in *domain.InstitutionInput) { in.Kind = "university" }, "kind"},
		{"empty kind", func(in *domain.InstitutionInput) { in.Kind = "" }, "kind"},
		{"region of 101 runes", func(in *domain.InstitutionInput) { in.Region = strings.Repeat("区", 101) }, "region"},
		{"no capabilities", func(in *domain.InstitutionInput) { in.Capabilities = nil }, "capabilities"},
		{"unknown capability", func(in *domain.InstitutionInput) { in.Capabilities = []string{"issue", "delete"} }, "capabilities[1]"},
		{"unknown category", func(in *domain.InstitutionInput) { in.Categories = []string{"community", "hobby"} }, "categories[1]"},
		{"issuer without categories", func(in *domain.InstitutionInput) { in.Categories = nil }, "categories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := coreInstitutionInput()
			tt.edit(&in)
			_, err := domain.NewInstitution(in, coreNow)
			coreWantField(t, err, tt.field)
		})
	}
}

func TestCoreCheckIssue(t *testing.T) {
	active, err := domain.NewInstitution(coreInstitutionInput(), coreNow)
	if err != nil {
		t.Fatal(err)
	}
	suspended := active
	suspended.Status = domain.InstitutionSuspended
	converter := active
	converter.Capabilities = []domain.Capability{domain.CapabilityConvert}

	tests := []struct {
		name    string
		inst    domain.Institution
		cat     domain.Category
		wantErr error
	}{
		{"registered category", active, domain.CategoryCommunity, nil},
		{"second registered category", active, domain.CategorySenior, nil},
		{"unregistered category", active, domain.CategoryAcademic, domain.ErrInvalid},
		{"suspended", suspended, domain.CategoryCommunity, domain.ErrForbidden},
		{"no issue capability", converter, domain.CategoryCommunity, domain.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.inst.CheckIssue(tt.cat)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("CheckIssue(%s): %v", tt.cat, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CheckIssue(%s) = %v, want %v", tt.cat, err, tt.wantErr)
			}
			if tt.wantErr == domain.ErrInvalid {
				coreWantField(t, err, "category")
			}
		})
	}
}

func TestCoreInstitutionCan(t *testing.T) {
	inst, err := domain.NewInstitution(coreInstitutionInput(), coreNow)
	if err != nil {
		t.Fatal(err)
	}
	if !inst.Can(domain.CapabilityIssue) || inst.Can(domain.CapabilityConvert) {
		t.Fatal("an issue-only institution must be able to issue and not convert")
	}
	inst.Status = domain.InstitutionSuspended
	if inst.Can(domain.CapabilityIssue) {
		t.Fatal("a suspended institution can do nothing")
	}
}
