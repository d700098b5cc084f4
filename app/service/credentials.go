package service

import (
	"context"

	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
)

// ChangePassword replaces the caller's own password after checking the
// current one. Every other session ends; the caller gets a fresh one.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, current, next string) (TokenPair, error) {
	switch actor.Role {
	case domain.RoleLearner, domain.RoleStaff, domain.RoleAdmin:
	default:
		return TokenPair{}, domain.ErrForbidden // API clients have secrets, not passwords
	}
	ids, err := s.signInNames(ctx, actor)
	if err != nil {
		return TokenPair{}, err
	}
	if err := auth.CheckNewPassword("newPassword", next, ids...); err != nil {
		return TokenPair{}, err
	}
	if current == next {
		return TokenPair{}, domain.Invalid("newPassword", "must differ from the current password")
	}
	wrong := domain.Invalid("currentPassword", "is not correct")
	hash, err := auth.HashPassword(next)
	if err != nil {
		return TokenPair{}, err
	}
	p := auth.Principal{Role: actor.Role, Subject: actor.ID, InstitutionID: actor.InstitutionID, Perms: actor.Perms}
	changed := func() domain.AuditEntry {
		return auditEntry(s.now(), actor, "auth.password_change", string(actor.Role), actor.ID.String(), "")
	}
	// The new session takes the generation this change wrote, not one read
	// again later, which a concurrent reset could already have moved on.
	switch actor.Role {
	case domain.RoleLearner:
		var acc *domain.Account
		acc, err = s.updateAudited(ctx, nil, actor.ID, nil, func(a *domain.Account) error {
			if ok, _ := auth.VerifyPassword(a.PasswordHash, current); !ok {
				return wrong
			}
			a.SetPassword(hash, s.now())
			return nil
		}, func(*domain.Account) []domain.AuditEntry { return []domain.AuditEntry{changed()} })
		if err == nil {
			p.Gen = acc.SessionGen
		}
	case domain.RoleStaff, domain.RoleAdmin:
		var u *domain.User
		if u, err = s.store.GetUser(ctx, actor.ID); err != nil {
			return TokenPair{}, err
		}
		if ok, _ := auth.VerifyPassword(u.PasswordHash, current); !ok {
			return TokenPair{}, wrong
		}
		u.SetPassword(hash, s.now())
		if err = s.store.UpdateUser(ctx, u); err == nil {
			s.auditAll(ctx, changed())
			p.Gen = u.SessionGen
			if actor.Role == domain.RoleStaff {
				inst := actor.institution
				if inst == nil {
					inst, err = s.store.GetInstitution(ctx, actor.InstitutionID)
				}
				if err == nil {
					p.Gen += inst.SessionGen
				}
			}
		}
	}
	if err != nil {
		return TokenPair{}, err
	}
	return s.openSession(ctx, p, uuid.New())
}

// signInNames are what the actor signs in with, which their password must
// not resemble: a learner's national ID, a staff member's username.
func (s *Service) signInNames(ctx context.Context, actor Actor) ([]string, error) {
	if actor.Role == domain.RoleLearner {
		acc, err := s.accountToRead(ctx, actor, actor.ID)
		if err != nil {
			return nil, err
		}
		id, err := s.vault.Open("national-id", acc.PII.NationalIDSealed)
		if err != nil {
			return nil, err
		}
		return []string{id}, nil
	}
	u, err := s.store.GetUser(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	return []string{u.Username}, nil
}

// FindLearner looks an account up by national ID for an admin at the
// centre's front desk (a resident who forgot their password, say).
func (s *Service) FindLearner(ctx context.Context, actor Actor, nationalID string) (*domain.Account, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.ErrForbidden
	}
	id, err := domain.ParseNationalID(nationalID)
	if err != nil {
		return nil, err
	}
	acc, err := s.accountByNationalID(ctx, id)
	if err != nil {
		return nil, err
	}
	if acc, err = s.noteAccess(ctx, actor, acc, nil, domain.AccessLookup, ""); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "learner.lookup", "account", acc.ID.String(), "")
	return acc, nil
}

// ResetLearner returns an account to unclaimed after the centre has checked
// the resident's identity in person; the resident then registers again with
// the same national ID and name and a new password. Banked outcomes stay.
func (s *Service) ResetLearner(ctx context.Context, actor Actor, accountID uuid.UUID) (*domain.Account, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.ErrForbidden
	}
	acc, err := s.updateAudited(ctx, nil, accountID, nil, func(a *domain.Account) error {
		return a.ResetCredentials(s.now())
	}, func(*domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "learner.reset", "account", accountID.String(), "")}
	})
	if err != nil {
		return nil, err
	}
	return acc, nil
}
