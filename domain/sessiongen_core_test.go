package domain_test

import (
	"testing"
	"time"

	"creditbank/domain"
)

// Every change that must end sessions moves the generation on, and only
// those: a reactivation must not bring old tokens back by moving it again
// to a value they could carry.
func TestCoreSessionGenerations(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	acc := &domain.Account{Status: domain.AccountActive}
	steps := []struct {
		name string
		do   func() error
		want int64
	}{
		{"claim", func() error { acc.SetPassword("h1", now); return nil }, 1},
		{"change", func() error { acc.SetPassword("h2", now); return nil }, 2},
		{"front-desk reset", func() error { return acc.ResetCredentials(now) }, 3},
		{"reset of an unclaimed account is refused and changes nothing", func() error {
			if err := acc.ResetCredentials(now); err == nil {
				t.Error("reset of an unclaimed account accepted")
			}
			return nil
		}, 3},
	}
	for _, s := range steps {
		if err := s.do(); err != nil || acc.SessionGen != s.want {
			t.Fatalf("account %s: generation %d (%v), want %d", s.name, acc.SessionGen, err, s.want)
		}
	}

	u := &domain.User{Status: domain.UserActive}
	u.SetPassword("h", now)
	for _, s := range []struct {
		status domain.UserStatus
		want   int64
	}{{domain.UserSuspended, 2}, {domain.UserActive, 2}, {domain.UserSuspended, 3}} {
		if err := u.SetStatus(s.status); err != nil || u.SessionGen != s.want || u.Status != s.status {
			t.Fatalf("user to %s: generation %d status %s (%v), want %d", s.status, u.SessionGen, u.Status, err, s.want)
		}
	}
	if err := u.SetStatus("deleted"); err == nil || u.SessionGen != 3 {
		t.Fatalf("unknown user status: %v, generation %d", err, u.SessionGen)
	}

	inst := &domain.Institution{Status: domain.InstitutionActive}
	for _, s := range []struct {
		status domain.InstitutionStatus
		want   int64
	}{{domain.InstitutionActive, 0}, {domain.InstitutionSuspended, 1}, {domain.InstitutionActive, 1}} {
		if err := inst.SetStatus(s.status); err != nil || inst.SessionGen != s.want || inst.Status != s.status {
			t.Fatalf("institution to %s: generation %d (%v), want %d", s.status, inst.SessionGen, err, s.want)
		}
	}
}
