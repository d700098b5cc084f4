package service

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// SetStaffStatus suspends or reactivates a staff user: admins anywhere, a
// manager only at their own institution. Access tokens already issued stop
// working at once because every request re-reads the user's status, and
// suspending ends every session for good (the session generation). A user
// of another institution does not exist for the caller.
func (s *Service) SetStaffStatus(ctx context.Context, actor Actor, institutionID, userID uuid.UUID, status domain.UserStatus) (*domain.User, error) {
	switch {
	case actor.Role == domain.RoleAdmin:
	case actor.Role == domain.RoleStaff && actor.InstitutionID == institutionID && actor.Can(domain.PermManage):
	default:
		return nil, domain.ErrForbidden
	}
	if status != domain.UserActive && status != domain.UserSuspended {
		return nil, domain.Invalid("status", "must be active or suspended")
	}
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.Role != domain.RoleStaff || u.InstitutionID != institutionID {
		return nil, domain.ErrNotFound
	}
	if err := u.SetStatus(status); err != nil {
		return nil, err
	}
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "staff."+string(status), "user", u.ID.String(), u.Username)
	return u, nil
}

// Staff lists an institution's staff accounts, for admins and for the
// institution's managers. Users are few (staff and admins, not learners),
// so the list is read whole and filtered.
func (s *Service) Staff(ctx context.Context, actor Actor, institutionID uuid.UUID) ([]domain.User, error) {
	switch {
	case actor.Role == domain.RoleAdmin:
	case actor.Role == domain.RoleStaff && actor.InstitutionID == institutionID && actor.Can(domain.PermManage):
	default:
		return nil, domain.ErrForbidden
	}
	var out []domain.User
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		users, next, err := s.store.ListUsers(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			if u.Role == domain.RoleStaff && u.InstitutionID == institutionID {
				out = append(out, u)
			}
		}
		if next == "" {
			return out, nil
		}
		p.Cursor = next
	}
}
