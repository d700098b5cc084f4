package main

import (
	"context"
	"testing"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// The demo district must be internally consistent: every printed login works,
// seeding twice changes nothing, and the demo rules decide as advertised.
func TestDemoDistrict(t *testing.T) {
	_, app := startServer(t)
	ctx := context.Background()
	logins, err := seedDemo(ctx, app.svc)
	if err != nil {
		t.Fatalf("second seeding: %v", err)
	}
	insts, _, err := app.svc.ListInstitutions(ctx, storage.Page{Limit: 50})
	if err != nil || len(insts) != len(demoInstitutions) {
		t.Fatalf("institutions after seeding twice: %d (%v)", len(insts), err)
	}
	for _, l := range logins {
		if _, err := app.svc.Login(ctx, l.Username, l.Password, service.Actor{}); err != nil {
			t.Errorf("demo login %s: %v", l.Username, err)
		}
	}
	// The statistics page has something to show: some demo learners
	// completed an outcome within the last twelve months.
	st, err := app.svc.DistrictStats(ctx, service.System)
	if err != nil || st.ActiveLearners == 0 || st.Accounts != len(demoLearners) {
		t.Fatalf("demo statistics: %d active of %d accounts (%v)", st.ActiveLearners, st.Accounts, err)
	}
	rules, _, err := app.svc.ListRules(ctx, service.System, storage.RuleFilter{Status: domain.RulePublished}, storage.Page{Limit: 50})
	if err != nil || len(rules) != 4 {
		t.Fatalf("published rules: %d (%v)", len(rules), err)
	}
	byCode := map[string]domain.Rule{}
	for _, r := range rules {
		byCode[r.Code] = r
	}
	learner := func(first17 string) *domain.Account {
		id, _ := domain.CompleteNationalID(first17)
		acc, err := app.store.GetAccountByNationalIDHash(ctx, app.vault.LookupHash(string(id)))
		if err != nil {
			t.Fatal(err)
		}
		return acc
	}
	now := app.svc.Now()
	cases := []struct {
		rule, learner string
		eligible      bool
		credits       float64
	}{
		{"OU-EXEMPT-CS101", "11010519880722432", true, 2},    // 李建国: 2 + 2.5 community credits
		{"OU-EXEMPT-CS101", "11010519620315123", false, 0},   // 王秀兰: 1.5 community credits only
		{"OU-ELECTIVE-SENIOR", "11010519620315123", true, 1}, // 48 h at 92 points
		{"HV-ADMIT-ECE", "11010519950108561", true, 0},       // 张敏: 育婴员 + 保育师
		{"HV-ADMIT-ECE", "11010519880722432", false, 0},      // 李建国: 电工 only
		{"OU-CREDIT-VOC", "11010519880722432", true, 2.5},    // fewest credits reaching 4: the 5-credit course × 0.5
	}
	for _, tc := range cases {
		ev := domain.Evaluate(byCode[tc.rule], learner(tc.learner), now)
		if ev.Eligible != tc.eligible || ev.AwardedCredits != tc.credits {
			t.Errorf("%s for %s: eligible=%v credits=%v, want %v %v\n%v", tc.rule, tc.learner, ev.Eligible, ev.AwardedCredits, tc.eligible, tc.credits, ev.Trace)
		}
	}
}

// TestDemoCatalogue: the demo institutions publish a realistic catalogue in
// every sector, seeding again adds nothing, and every demo learner has a
// pathway with courses to suggest.
func TestDemoCatalogue(t *testing.T) {
	_, app := startServer(t)
	ctx := context.Background()
	all := func() []domain.Course {
		var out []domain.Course
		if err := app.store.ScanCourses(ctx, func(c domain.Course) error { out = append(out, c); return nil }); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := all()
	if _, err := seedDemo(ctx, app.svc); err != nil {
		t.Fatalf("second seeding: %v", err)
	}
	courses := all()
	if len(courses) != len(first) || len(courses) < 40 {
		t.Fatalf("%d courses after the first seeding, %d after the second; want the same, at least 40", len(first), len(courses))
	}
	insts, _, err := app.svc.ListInstitutions(ctx, storage.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	kindOf := map[string]domain.InstitutionKind{}
	for _, i := range insts {
		kindOf[i.ID.String()] = i.Kind
	}
	perKind := map[domain.InstitutionKind]int{}
	for _, c := range courses {
		perKind[kindOf[c.InstitutionID.String()]]++
	}
	for _, k := range []domain.InstitutionKind{domain.KindCommunityCollege, domain.KindVocationalSchool, domain.KindSeniorUniversity} {
		if perKind[k] < 8 {
			t.Errorf("%s publishes %d courses, want a real catalogue", k, perKind[k])
		}
	}
	rules, _, err := app.svc.ListRules(ctx, service.System, storage.RuleFilter{Status: domain.RulePublished}, storage.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	catalogue := domain.NewCatalogue(courses, domain.DefaultCreditPolicy(), app.svc.Now())
	for _, l := range demoLearners {
		id, _ := domain.CompleteNationalID(l.first17)
		acc, err := app.store.GetAccountByNationalIDHash(ctx, app.vault.LookupHash(string(id)))
		if err != nil {
			t.Fatal(err)
		}
		suggested := 0
		for _, p := range domain.PlanPathways(rules, acc, catalogue, app.svc.Now()) {
			suggested += len(p.Suggestions)
		}
		if suggested == 0 {
			t.Errorf("demo learner %s has no pathway with suggested courses", l.name)
		}
	}
}
