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
