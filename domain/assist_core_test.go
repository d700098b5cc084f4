package domain_test

import (
	"errors"
	"testing"
	"time"

	"creditbank/domain"
)

func claimed(t *testing.T) *domain.Account {
	t.Helper()
	a := coreAccount(t)
	a.PasswordHash = "hash"
	return a
}

func TestCoreNameHelperInvariants(t *testing.T) {
	suspended := claimed(t)
	suspended.Status = domain.AccountSuspended
	tests := []struct {
		name   string
		helper func(a *domain.Account) *domain.Account
		days   int
		field  string // "" = accepted
	}{
		{"a registered learner", func(*domain.Account) *domain.Account { return claimed(t) }, 30, ""},
		{"one day", func(*domain.Account) *domain.Account { return claimed(t) }, 1, ""},
		{"the longest", func(*domain.Account) *domain.Account { return claimed(t) }, domain.MaxHelperDays, ""},
		{"oneself", func(a *domain.Account) *domain.Account { return a }, 30, "nationalId"},
		{"an unclaimed account", func(*domain.Account) *domain.Account { return coreAccount(t) }, 30, "nationalId"},
		{"a suspended account", func(*domain.Account) *domain.Account { return suspended }, 30, "nationalId"},
		{"zero days", func(*domain.Account) *domain.Account { return claimed(t) }, 0, "days"},
		{"too long", func(*domain.Account) *domain.Account { return claimed(t) }, domain.MaxHelperDays + 1, "days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := claimed(t)
			h := tt.helper(a)
			g, err := a.NameHelper(h, tt.days, coreNow)
			if tt.field != "" {
				coreWantField(t, err, tt.field)
				if len(a.Helpers) != 0 {
					t.Fatal("a refused helper grant was stored")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g.HelperID != h.ID || g.HelperName != h.Name || g.HelperIDMasked != h.PII.NationalIDMasked || !g.ExpiresAt.Equal(coreNow.AddDate(0, 0, tt.days)) {
				t.Fatalf("grant = %+v", g)
			}
			if _, err := a.NameHelper(h, 5, coreNow); !errors.Is(err, domain.ErrConflict) {
				t.Fatalf("naming a live helper again: %v, want conflict", err)
			}
		})
	}
}

func TestCoreHelpedByEndsOnExpiryAndWithdrawal(t *testing.T) {
	a, h, stranger := claimed(t), claimed(t), claimed(t)
	g, err := a.NameHelper(h, 10, coreNow)
	if err != nil {
		t.Fatal(err)
	}
	expiry := coreNow.AddDate(0, 0, 10)
	for _, tt := range []struct {
		name string
		who  *domain.Account
		at   time.Time
		want bool
	}{
		{"helper at once", h, coreNow, true},
		{"helper just before expiry", h, expiry.Add(-time.Millisecond), true},
		{"helper at expiry", h, expiry, false},
		{"someone else", stranger, coreNow, false},
		{"the learner is not their own helper", a, coreNow, false},
	} {
		if _, ok := a.HelpedBy(tt.who.ID, tt.at); ok != tt.want {
			t.Errorf("%s: helped = %v, want %v", tt.name, ok, tt.want)
		}
	}
	if ids := a.HelperIDs(); len(ids) != 1 || ids[0] != h.ID {
		t.Errorf("helper index = %v", ids)
	}
	changed, err := a.WithdrawHelper(g.ID, coreNow)
	if err != nil || !changed {
		t.Fatalf("withdraw: %v %v", changed, err)
	}
	if _, ok := a.HelpedBy(h.ID, coreNow); ok {
		t.Error("a withdrawn helper still has access")
	}
	if changed, err := a.WithdrawHelper(g.ID, coreNow); err != nil || changed {
		t.Errorf("second withdrawal: %v %v, want a no-op", changed, err)
	}
	if _, err := a.WithdrawHelper(domain.NewID(), coreNow); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("unknown grant: %v", err)
	}
	if len(a.HelperIDs()) != 0 {
		t.Error("a withdrawn helper is still indexed")
	}
	// Named again after withdrawal: a new grant, not a conflict.
	if _, err := a.NameHelper(h, 3, coreNow); err != nil {
		t.Errorf("renaming after withdrawal: %v", err)
	}
}

func TestCoreRecordAccessCoalescesAndIsBounded(t *testing.T) {
	a := coreAccount(t)
	inst := domain.AccessEntry{Kind: domain.AccessorInstitution, ActorID: domain.NewID(), Name: "开放大学", Action: domain.AccessReadRecord}
	other := inst
	other.ActorID = domain.NewID()
	apply := domain.AccessEntry{Kind: domain.AccessorHelper, ActorID: domain.NewID(), Action: domain.AccessApplyConversion, Detail: "R1"}
	steps := []struct {
		name  string
		e     domain.AccessEntry
		at    time.Time
		added bool
	}{
		{"first read", inst, coreNow, true},
		{"same reader soon after", inst, coreNow.Add(time.Minute), false},
		{"another reader", other, coreNow.Add(2 * time.Minute), true},
		{"same reader after the window", inst, coreNow.Add(domain.AccessCoalesceWindow + time.Minute), true},
		{"an application", apply, coreNow.Add(20 * time.Minute), true},
		{"the same application again", apply, coreNow.Add(20 * time.Minute), true},
	}
	for _, s := range steps {
		if got := a.RecordAccess(s.e, s.at); got != s.added {
			t.Errorf("%s: added = %v, want %v", s.name, got, s.added)
		}
	}
	if len(a.AccessLog) != 5 {
		t.Fatalf("log holds %d entries, want 5", len(a.AccessLog))
	}
	at := coreNow.Add(time.Hour)
	for i := 0; i < domain.MaxAccessLog+10; i++ {
		e := inst
		e.ActorID = domain.NewID()
		a.RecordAccess(e, at)
	}
	if len(a.AccessLog) != domain.MaxAccessLog {
		t.Fatalf("log holds %d entries, want the newest %d", len(a.AccessLog), domain.MaxAccessLog)
	}
	for _, e := range a.AccessLog {
		if e.At.Before(at) {
			t.Fatal("an old entry survived while newer ones were dropped")
		}
	}
}
