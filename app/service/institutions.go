package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
)

// NewInstitution is a registered institution with its API client secret,
// which is shown once and stored only hashed.
type NewInstitution struct {
	Institution  domain.Institution
	ClientID     string
	ClientSecret string
}

// CreateInstitution registers an institution and its first API client.
func (s *Service) CreateInstitution(ctx context.Context, actor Actor, op Op, in domain.InstitutionInput) (NewInstitution, error) {
	if actor.Role != domain.RoleAdmin {
		return NewInstitution{}, domain.ErrForbidden
	}
	inst, err := domain.NewInstitution(in, s.now())
	if err != nil {
		return NewInstitution{}, err
	}
	if err := s.store.CreateInstitution(ctx, op.Reservation, &inst); err != nil {
		return NewInstitution{}, err
	}
	// The client id is the client's own UUID, so a client token's subject
	// finds its record directly.
	_, secret := auth.NewClientCredentials()
	id := domain.NewID()
	client := &domain.APIClient{
		ID: id, ClientID: id.String(), SecretHash: auth.HashSecret(secret), InstitutionID: inst.ID,
		Status: domain.UserActive, CreatedAt: domain.Now(s.now()),
	}
	if err := s.store.CreateClient(ctx, client); err != nil {
		return NewInstitution{}, err
	}
	s.audit(ctx, actor, "institution.create", "institution", inst.ID.String(), inst.Name)
	return NewInstitution{Institution: inst, ClientID: client.ClientID, ClientSecret: secret}, nil
}

// ListInstitutions is the public directory.
func (s *Service) ListInstitutions(ctx context.Context, p storage.Page) ([]domain.Institution, string, error) {
	return s.store.ListInstitutions(ctx, p.Normalized())
}

// GetInstitution reads one institution from the public directory.
func (s *Service) GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error) {
	return s.store.GetInstitution(ctx, id)
}

// SetInstitutionStatus suspends or reactivates an institution (admin only).
// A suspended institution's staff and clients lose access at once, and
// their tokens stay dead after a reactivation: suspending moves the
// institution's session generation, which is part of theirs.
func (s *Service) SetInstitutionStatus(ctx context.Context, actor Actor, id uuid.UUID, status domain.InstitutionStatus) (*domain.Institution, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.ErrForbidden
	}
	if status != domain.InstitutionActive && status != domain.InstitutionSuspended {
		return nil, domain.Invalid("status", "must be active or suspended")
	}
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		inst, err := s.store.GetInstitution(ctx, id)
		if err != nil {
			return nil, err
		}
		if err := inst.SetStatus(status); err != nil {
			return nil, err
		}
		err = s.store.UpdateInstitution(ctx, inst)
		if errors.Is(err, domain.ErrStale) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.audit(ctx, actor, "institution."+string(status), "institution", id.String(), "")
		return inst, nil
	}
	return nil, domain.ErrStale
}

// StaffInput registers a staff member of an institution.
type StaffInput struct {
	Username string
	Password string
	Perms    []string
}

// CreateStaff adds a staff user. Admins may add staff anywhere; a staff
// member with the manage permission only at their own institution.
func (s *Service) CreateStaff(ctx context.Context, actor Actor, op Op, institutionID uuid.UUID, in StaffInput) (*domain.User, error) {
	switch {
	case actor.Role == domain.RoleAdmin:
	case actor.Role == domain.RoleStaff && actor.InstitutionID == institutionID && actor.Can(domain.PermManage):
	default:
		return nil, domain.ErrForbidden
	}
	if _, err := s.store.GetInstitution(ctx, institutionID); err != nil {
		return nil, err
	}
	v := &domain.ValidationError{}
	// Registered under the form sign-in looks names up by, so that no other
	// spelling reaches this user in a throttle bucket of its own.
	username, ok := auth.CanonicalUsername(in.Username)
	if ok {
		collect(v, domain.ValidateUsername(username))
	} else {
		v.Add("username", "3–32 characters: lowercase letters, digits, . _ -, starting with a letter")
	}
	collect(v, auth.CheckNewPassword("password", in.Password, username, in.Username))
	perms, err := domain.ParsePerms(in.Perms)
	collect(v, err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// A manager hands on only what they hold; otherwise a manager without
	// review could make a colleague who has it, and act through them.
	if actor.Role == domain.RoleStaff {
		for _, p := range perms {
			if !actor.Can(p) {
				return nil, fmt.Errorf("%w: a manager may grant only permissions they hold; you do not hold %q", domain.ErrForbidden, p)
			}
		}
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &domain.User{
		ID: domain.NewID(), Username: username, PasswordHash: hash, Role: domain.RoleStaff,
		InstitutionID: institutionID, Perms: perms, Status: domain.UserActive, CreatedAt: domain.Now(s.now()),
	}
	if err := s.store.CreateUser(ctx, op.Reservation, u); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return nil, fmt.Errorf("%w: %s", domain.ErrConflict, "username is taken")
		}
		return nil, err
	}
	s.audit(ctx, actor, "staff.create", "user", u.ID.String(), username)
	return u, nil
}

// EnsureAdmin creates the user admin on first start. It reports whether it
// created one.
func (s *Service) EnsureAdmin(ctx context.Context, password string) (bool, error) {
	if _, err := s.store.GetUserByUsername(ctx, "admin"); err == nil {
		return false, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return false, err
	}
	if err := auth.CheckNewPassword("password", password, "admin"); err != nil {
		return false, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return false, err
	}
	u := &domain.User{
		ID: domain.NewID(), Username: "admin", PasswordHash: hash, Role: domain.RoleAdmin,
		Status: domain.UserActive, CreatedAt: domain.Now(s.now()),
	}
	if err := s.store.CreateUser(ctx, nil, u); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return false, nil
		}
		return false, err
	}
	s.audit(ctx, System, "admin.create", "user", u.ID.String(), "admin")
	return true, nil
}
