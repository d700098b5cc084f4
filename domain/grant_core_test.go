package domain_test

import (
	"errors"
	"testing"
	"time"

	"creditbank/domain"
)

func TestCoreGrantAccessBounds(t *testing.T) {
	tests := []struct {
		days int
		ok   bool
	}{
		{-1, false}, {0, false}, {1, true}, {30, true}, {365, true}, {366, false},
	}
	for _, tt := range tests {
		a := coreAccount(t)
		inst := domain.NewID()
		g, err := a.GrantAccess(inst, tt.days, coreNow)
		if !tt.ok {
			coreWantField(t, err, "days")
			if len(a.Grants) != 0 {
				t.Errorf("days=%d: refused grant was stored", tt.days)
			}
			continue
		}
		if err != nil {
			t.Errorf("days=%d: %v", tt.days, err)
			continue
		}
		if want := coreNow.AddDate(0, 0, tt.days); !g.ExpiresAt.Equal(want) || g.InstitutionID != inst {
			t.Errorf("days=%d: grant %+v, want institution %v expiring %v", tt.days, g, inst, want)
		}
		if len(a.Grants) != 1 || a.Grants[0].ID != g.ID {
			t.Errorf("days=%d: account grants %+v, want the new grant", tt.days, a.Grants)
		}
	}
}

func TestCoreGrantLiveAndSharedWith(t *testing.T) {
	a := coreAccount(t)
	inst, other := domain.NewID(), domain.NewID()
	g, err := a.GrantAccess(inst, 30, coreNow)
	if err != nil {
		t.Fatal(err)
	}
	expiry := coreNow.AddDate(0, 0, 30)
	tests := []struct {
		name string
		at   time.Time
		inst bool
	}{
		{"at creation", coreNow, true},
		{"a day before expiry", expiry.AddDate(0, 0, -1), true},
		{"a millisecond before expiry", expiry.Add(-time.Millisecond), true},
		{"at expiry", expiry, false},
		{"after expiry", expiry.AddDate(0, 0, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := g.Live(tt.at); got != tt.inst {
				t.Fatalf("Live = %v, want %v", got, tt.inst)
			}
			if got := a.SharedWith(inst, tt.at); got != tt.inst {
				t.Fatalf("SharedWith(granted) = %v, want %v", got, tt.inst)
			}
			if a.SharedWith(other, tt.at) {
				t.Fatal("SharedWith(an institution without a grant) = true")
			}
		})
	}
}

func TestCoreWithdrawGrant(t *testing.T) {
	a := coreAccount(t)
	inst, other := domain.NewID(), domain.NewID()
	g1, _ := a.GrantAccess(inst, 30, coreNow)
	g2, _ := a.GrantAccess(other, 10, coreNow)
	later := coreNow.Add(time.Hour)

	if err := a.WithdrawGrant(g1.ID, later); err != nil {
		t.Fatal(err)
	}
	if a.Grants[0].WithdrawnAt == nil || !a.Grants[0].WithdrawnAt.Equal(later) || a.Grants[0].Live(later) {
		t.Fatalf("withdrawn grant = %+v, want revoked at %v and not live", a.Grants[0], later)
	}
	if a.SharedWith(inst, later) {
		t.Fatal("record still shared after its grant was withdrawn")
	}
	if !a.SharedWith(other, later) {
		t.Fatal("withdrawing one institution's grant ended another's")
	}
	if err := a.WithdrawGrant(g1.ID, later.Add(time.Hour)); err != nil {
		t.Fatalf("withdrawing twice: %v, want nil (idempotent)", err)
	}
	if !a.Grants[0].WithdrawnAt.Equal(later) {
		t.Fatal("withdrawing twice moved the revocation time")
	}
	if err := a.WithdrawGrant(g2.ID, later); err != nil {
		t.Fatal(err)
	}
	if a.SharedWith(other, later) {
		t.Fatal("record still shared after every grant was withdrawn")
	}
	// Sharing again after a withdrawal makes a new grant.
	g3, _ := a.GrantAccess(inst, 5, later)
	if g3.ID == g1.ID || !a.SharedWith(inst, later) || len(a.Grants) != 3 {
		t.Fatalf("sharing after a withdrawal: grant %v, %d grants", g3.ID, len(a.Grants))
	}
	if err := a.WithdrawGrant(domain.NewID(), later); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("withdrawing an unknown grant: %v, want ErrNotFound", err)
	}
}

// TestCoreGrantAgainExtendsTheLiveGrant pins that sharing with an
// institution that holds a live grant extends that grant, never shortens it,
// and adds no second one.
func TestCoreGrantAgainExtendsTheLiveGrant(t *testing.T) {
	a := coreAccount(t)
	inst := domain.NewID()
	g1, _ := a.GrantAccess(inst, 30, coreNow)
	tests := []struct {
		name     string
		days     int
		at       time.Time
		wantDays int // from coreNow
	}{
		{"longer extends", 60, coreNow, 60},
		{"shorter keeps the later end", 10, coreNow, 60},
		{"later start extends from then", 60, coreNow.AddDate(0, 0, 20), 80},
	}
	for _, tt := range tests {
		g, err := a.GrantAccess(inst, tt.days, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if g.ID != g1.ID || len(a.Grants) != 1 {
			t.Fatalf("%s: grant %v, %d grants; want the live grant %v extended", tt.name, g.ID, len(a.Grants), g1.ID)
		}
		if want := coreNow.AddDate(0, 0, tt.wantDays); !a.Grants[0].ExpiresAt.Equal(want) || !g.ExpiresAt.Equal(want) {
			t.Fatalf("%s: ends %v, want %v", tt.name, a.Grants[0].ExpiresAt, want)
		}
	}
	if live, ok := a.LiveGrant(inst, coreNow); !ok || live.ID != g1.ID {
		t.Fatalf("LiveGrant = %v %v", live.ID, ok)
	}
	if _, ok := a.LiveGrant(domain.NewID(), coreNow); ok {
		t.Fatal("LiveGrant of an institution without a grant")
	}
}
