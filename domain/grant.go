package domain

import (
	"time"

	"github.com/google/uuid"
)

// Grant lets one institution read a learner's record until it expires or the
// learner withdraws it.
type Grant struct {
	ID            uuid.UUID
	InstitutionID uuid.UUID
	CreatedAt     time.Time
	ExpiresAt     time.Time
	WithdrawnAt   *time.Time
}

// MaxGrantDays bounds how long a record may be shared at once.
const MaxGrantDays = 365

// Live reports whether the grant is in force at now.
func (g Grant) Live(now time.Time) bool {
	return g.WithdrawnAt == nil && now.Before(g.ExpiresAt)
}

// GrantAccess shares the record with an institution for a number of days.
//
// Sharing again with an institution that holds a live grant extends that
// grant (to the later of its end and now + days) instead of adding a second
// one: the learner sees one share per institution, and withdrawing it ends
// the institution's access.
func (a *Account) GrantAccess(institutionID uuid.UUID, days int, now time.Time) (Grant, error) {
	if days < 1 || days > MaxGrantDays {
		return Grant{}, Invalid("days", "must be between 1 and 365")
	}
	t := Now(now)
	until := t.AddDate(0, 0, days)
	if i := a.liveGrant(institutionID, now); i >= 0 {
		if until.After(a.Grants[i].ExpiresAt) {
			a.Grants[i].ExpiresAt = until
		}
		return a.Grants[i], nil
	}
	g := Grant{ID: NewID(), InstitutionID: institutionID, CreatedAt: t, ExpiresAt: until}
	a.Grants = append(a.Grants, g)
	return g, nil
}

// LiveGrant returns the institution's grant in force at now, if any.
func (a *Account) LiveGrant(institutionID uuid.UUID, now time.Time) (Grant, bool) {
	if i := a.liveGrant(institutionID, now); i >= 0 {
		return a.Grants[i], true
	}
	return Grant{}, false
}

// liveGrant is the index of the institution's live grant ending last, or -1.
func (a *Account) liveGrant(institutionID uuid.UUID, now time.Time) int {
	best := -1
	for i, g := range a.Grants {
		if g.InstitutionID == institutionID && g.Live(now) && (best < 0 || g.ExpiresAt.After(a.Grants[best].ExpiresAt)) {
			best = i
		}
	}
	return best
}

// WithdrawGrant ends a grant early.
func (a *Account) WithdrawGrant(id uuid.UUID, now time.Time) error {
	for i := range a.Grants {
		if a.Grants[i].ID == id {
			if a.Grants[i].WithdrawnAt != nil {
				return nil
			}
			t := Now(now)
			a.Grants[i].WithdrawnAt = &t
			return nil
		}
	}
	return ErrNotFound
}

// SharedWith reports whether an institution holds a live grant.
func (a *Account) SharedWith(institutionID uuid.UUID, now time.Time) bool {
	for _, g := range a.Grants {
		if g.InstitutionID == institutionID && g.Live(now) {
			return true
		}
	}
	return false
}

// GrantInstitutionIDs lists, once each, the institutions holding a grant that
// was not withdrawn: the secondary index "records shared with institution X".
// Expiry is judged when reading, since it passes without any write.
func (a *Account) GrantInstitutionIDs() []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, g := range a.Grants {
		if g.WithdrawnAt == nil && !seen[g.InstitutionID] {
			seen[g.InstitutionID] = true
			out = append(out, g.InstitutionID)
		}
	}
	return out
}
