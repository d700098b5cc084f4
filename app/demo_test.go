package main

import (
	"context"
	"strings"
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
	if err != nil || len(rules) != 6 {
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
		{"OU-CREDIT-UNITS", "11010519880722432", false, 0},   // 李建国: no community units
		{"HV-ADMIT-UNITS", "11010519950108561", false, 0},    // 张敏: certificates, but not as units
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

// TestDemoFrameworkUnitsNoticeAppeal: the demo shows an example framework
// labelled as such, 20+ units across the four sectors, rules on units and
// levels, one conversion in public notice and one appeal, and seeding again
// adds none of them twice.
func TestDemoFrameworkUnitsNoticeAppeal(t *testing.T) {
	_, app := startServer(t)
	ctx := context.Background()
	if _, err := seedDemo(ctx, app.svc); err != nil {
		t.Fatalf("second seeding: %v", err)
	}
	fw, err := app.svc.Framework(ctx)
	if err != nil || fw.Version != 1 || len(fw.Levels) != 8 || !strings.Contains(fw.NameZH, "非官方") || !strings.Contains(fw.NameEN, "not official") {
		t.Fatalf("framework after seeding twice: version %d, %d levels, %q / %q (%v)", fw.Version, len(fw.Levels), fw.NameZH, fw.NameEN, err)
	}
	units, _, err := app.svc.Units(ctx, domain.UnitQuery{}, storage.Page{Limit: 200})
	if err != nil || len(units) < 20 {
		t.Fatalf("%d units (%v)", len(units), err)
	}
	sectors := map[string]int{}
	for _, u := range units {
		switch u.Category {
		case domain.CategoryCommunity:
			sectors["community"]++
		case domain.CategoryVocational, domain.CategoryCertificate:
			sectors["vocational"]++
		case domain.CategorySenior:
			sectors["senior"]++
		case domain.CategoryAcademic:
			sectors["academic"]++
		}
		if u.Version != 1 {
			t.Errorf("unit %s saved %d times", u.Code, u.Version)
		}
	}
	if len(sectors) != 4 {
		t.Fatalf("units by sector = %v", sectors)
	}
	byStatus := map[domain.ConversionStatus][]domain.Conversion{}
	err = app.store.ScanAccounts(ctx, func(a *domain.Account) error {
		for _, c := range a.Conversions {
			byStatus[c.Status] = append(byStatus[c.Status], c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := byStatus[domain.ConversionInNotice]; len(n) != 1 || n[0].RuleCode != "HV-ADMIT-UNITS" || n[0].NoticeEndsAt == nil {
		t.Fatalf("conversions in notice = %+v", n)
	}
	if a := byStatus[domain.ConversionAppealed]; len(a) != 1 || a[0].RuleCode != "OU-CREDIT-UNITS" || a[0].Appeal == nil {
		t.Fatalf("conversions under appeal = %+v", a)
	}
	notices, err := app.svc.Notices(ctx)
	if err != nil || len(notices) != 1 || notices[0].LearnerMasked != "赵*" {
		t.Fatalf("public notices = %+v (%v)", notices, err)
	}
}

// TestDemoSeniorRuleHasBothCaps: the seeded elective rule's text names two
// caps, the rule's own and the institution's over all its rules; both are
// set as written and both appear in its evaluation.
func TestDemoSeniorRuleHasBothCaps(t *testing.T) {
	_, app := startServer(t)
	ctx := context.Background()
	rules, _, err := app.svc.ListRules(ctx, service.System, storage.RuleFilter{Status: domain.RulePublished}, storage.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var senior domain.Rule
	for _, r := range rules {
		if r.Code == "OU-ELECTIVE-SENIOR" {
			senior = r
		}
	}
	if senior.CapPerYear != 2 || len(senior.Caps) != 1 || senior.Caps[0].Scope != domain.CapPerYear || senior.Caps[0].MaxCredits != 6 {
		t.Fatalf("senior rule caps: own %v, institution %+v; want own 2 a year and the institution's 6 a year", senior.CapPerYear, senior.Caps)
	}
	if !strings.Contains(senior.Description, "本规则每年最多认定 2 学分") || !strings.Contains(senior.Description, "所有转换规则") {
		t.Errorf("description does not say which cap is which: %s", senior.Description)
	}
	id, _ := domain.CompleteNationalID("11010519620315123")
	acc, err := app.store.GetAccountByNationalIDHash(ctx, app.vault.LookupHash(string(id)))
	if err != nil {
		t.Fatal(err)
	}
	ev := domain.Evaluate(senior, acc, app.svc.Now())
	steps := map[string]bool{}
	for _, s := range ev.Trace {
		steps[s.Code] = true
	}
	if !steps["cap.per_year"] || !steps["cap.rule_per_year"] {
		t.Errorf("trace shows caps %v, want the institution's and the rule's", ev.Trace)
	}
}
