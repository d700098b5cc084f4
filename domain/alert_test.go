package domain_test

import (
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

func alertKinds(as []domain.Alert) string {
	var out []string
	for _, a := range as {
		mark := ""
		if a.New {
			mark = "*"
		}
		out = append(out, string(a.Kind)+mark+":"+a.Title)
	}
	return strings.Join(out, " ")
}

func TestAlerts(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name  string
		setup func(t *testing.T, a *domain.Account)
		want  string
	}{
		{"nothing to say", func(t *testing.T, a *domain.Account) { engDeposit(t, a, engOut{title: "插花"}) }, ""},
		{"certificate expiring within 90 days, not one beyond or expired", func(t *testing.T, a *domain.Account) {
			soon, late, gone := engDate(2025, 9, 1), engDate(2025, 12, 1), engDate(2025, 6, 1)
			engDeposit(t, a, engOut{title: "电工证", cat: domain.CategoryCertificate, expires: &soon})
			engDeposit(t, a, engOut{title: "焊工证", cat: domain.CategoryCertificate, expires: &late})
			engDeposit(t, a, engOut{title: "旧证", cat: domain.CategoryCertificate, completed: engDate(2020, 1, 1), expires: &gone})
		}, "certificate_expiring*:电工证"},
		{"a revoked outcome sends its conversion to review", func(t *testing.T, a *domain.Account) {
			o := engDeposit(t, a, engOut{title: "插花"})
			if _, err := a.Apply(engRule(engCat(domain.CategoryCommunity)), engNow.Add(-48*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Revoke(o.ID, engIssuerA, "录入错误", engNow.Add(-day)); err != nil {
				t.Fatal(err)
			}
		}, "conversion_needs_review*:测试规则"},
		{"a decision since the last look is news; one before it is not", func(t *testing.T, a *domain.Account) {
			engDeposit(t, a, engOut{title: "插花"})
			engDeposit(t, a, engOut{title: "茶艺", cat: domain.CategorySenior})
			older := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Code, r.Name = "OLD", "旧决定" })
			newer := engRule(engCat(domain.CategorySenior), func(r *domain.Rule) { r.Code, r.Name = "NEW", "新决定" })
			c1, err := a.Apply(older, engNow.Add(-10*day))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Reject(c1.ID, "reviewer", "材料不全", engNow.Add(-9*day)); err != nil {
				t.Fatal(err)
			}
			if err := a.MarkAlertsSeen(engNow.Add(-5*day), engNow.Add(-5*day)); err != nil {
				t.Fatal(err)
			}
			c2, err := a.Apply(newer, engNow.Add(-2*day))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Approve(c2.ID, "reviewer", "同意", newer, engNow.Add(-day)); err != nil {
				t.Fatal(err)
			}
		}, "conversion_decided*:新决定"},
		{"a grant ending within 14 days", func(t *testing.T, a *domain.Account) {
			if _, err := a.GrantAccess(engOther, 10, engNow.Add(-day)); err != nil {
				t.Fatal(err)
			}
			if _, err := a.GrantAccess(engInst, 60, engNow); err != nil {
				t.Fatal(err)
			}
		}, "grant_ending*:"},
		{"seen expiry is no longer new but still listed", func(t *testing.T, a *domain.Account) {
			soon := engDate(2025, 9, 1)
			engDeposit(t, a, engOut{title: "电工证", cat: domain.CategoryCertificate, expires: &soon})
			if err := a.MarkAlertsSeen(engNow, engNow); err != nil {
				t.Fatal(err)
			}
		}, "certificate_expiring:电工证"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := engAccount(t)
			tc.setup(t, a)
			if got := alertKinds(a.Alerts(engNow)); got != tc.want {
				t.Fatalf("alerts %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMarkAlertsSeen(t *testing.T) {
	a := engAccount(t)
	if err := a.MarkAlertsSeen(engNow.Add(time.Hour), engNow); err == nil {
		t.Fatal("a look in the future was accepted")
	}
	if err := a.MarkAlertsSeen(time.Time{}, engNow); err == nil {
		t.Fatal("a zero time was accepted")
	}
	if err := a.MarkAlertsSeen(engNow, engNow); err != nil {
		t.Fatal(err)
	}
	if err := a.MarkAlertsSeen(engNow.Add(-time.Hour), engNow); err != nil {
		t.Fatal(err)
	}
	if !a.AlertsSeenAt.Equal(domain.Now(engNow)) {
		t.Fatalf("an earlier look moved the mark back to %v", a.AlertsSeenAt)
	}
}
