package domain

import (
	"time"

	"github.com/google/uuid"
)

// HelperGrant lets another registered learner (a family member, say) view
// the record and apply for conversions on the learner's behalf until it
// expires or the learner withdraws it.
type HelperGrant struct {
	ID         uuid.UUID
	HelperID   uuid.UUID // the helper's account
	HelperName string
	// HelperIDMasked is the helper's national ID as the learner may see it.
	HelperIDMasked string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	WithdrawnAt    *time.Time
}

// MaxHelperDays bounds assisted access: acting for someone is a stronger
// power than reading their record, so it is renewed more often than a grant.
const MaxHelperDays = 90

// Live reports whether the helper may act at now.
func (h HelperGrant) Live(now time.Time) bool {
	return h.WithdrawnAt == nil && now.Before(h.ExpiresAt)
}

// NameHelper gives another learner assisted access for days. The helper
// must be a different, registered (claimed) and active learner; naming a
// helper who already holds a live grant is a conflict (withdraw it first).
func (a *Account) NameHelper(helper *Account, days int, now time.Time) (HelperGrant, error) {
	v := &ValidationError{}
	switch {
	case helper.ID == a.ID:
		v.Add("nationalId", "you cannot name yourself as your helper")
	case !helper.Claimed() || helper.Status != AccountActive:
		v.Add("nationalId", "the helper must be a registered learner with an active account")
	}
	if days < 1 || days > MaxHelperDays {
		v.Add("days", "must be between 1 and 90")
	}
	if err := v.Err(); err != nil {
		return HelperGrant{}, err
	}
	if _, ok := a.HelpedBy(helper.ID, now); ok {
		return HelperGrant{}, ErrConflict
	}
	t := Now(now)
	h := HelperGrant{ID: NewID(), HelperID: helper.ID, HelperName: helper.Name, HelperIDMasked: helper.PII.NationalIDMasked,
		CreatedAt: t, ExpiresAt: t.AddDate(0, 0, days)}
	a.Helpers = append(a.Helpers, h)
	return h, nil
}

// WithdrawHelper ends assisted access at once. It reports false when the
// grant was already withdrawn (nothing to change).
func (a *Account) WithdrawHelper(id uuid.UUID, now time.Time) (bool, error) {
	for i := range a.Helpers {
		if a.Helpers[i].ID != id {
			continue
		}
		if a.Helpers[i].WithdrawnAt != nil {
			return false, nil
		}
		t := Now(now)
		a.Helpers[i].WithdrawnAt = &t
		return true, nil
	}
	return false, ErrNotFound
}

// HelpedBy returns the live grant that lets helperID act for the account.
func (a *Account) HelpedBy(helperID uuid.UUID, now time.Time) (HelperGrant, bool) {
	if helperID == a.ID {
		return HelperGrant{}, false
	}
	for _, h := range a.Helpers {
		if h.HelperID == helperID && h.Live(now) {
			return h, true
		}
	}
	return HelperGrant{}, false
}

// HelperIDs lists, once each, the helpers holding a grant that was not
// withdrawn: the secondary index "accounts this learner assists". Expiry
// is judged when reading.
func (a *Account) HelperIDs() []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, h := range a.Helpers {
		if h.WithdrawnAt == nil && !seen[h.HelperID] {
			seen[h.HelperID] = true
			out = append(out, h.HelperID)
		}
	}
	return out
}
