package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"creditbank/auth"
	"creditbank/domain"
	"creditbank/storage"
)

// RegisterInput is a learner's self-registration, or staff registering one.
type RegisterInput struct {
	NationalID string
	Name       string
	Phone      string
	Password   string
}

// sealIdentity protects a national ID for storage.
// SealIdentity seals a national ID the way every account stores it; the
// bench uses it to seed accounts straight into the store.
func (s *Service) SealIdentity(id domain.NationalID) (domain.PersonalData, error) {
	return s.sealIdentity(id)
}

func (s *Service) sealIdentity(id domain.NationalID) (domain.PersonalData, error) {
	sealed, err := s.vault.Seal("national-id", string(id))
	if err != nil {
		return domain.PersonalData{}, err
	}
	return domain.PersonalData{
		NationalIDSealed: sealed,
		NationalIDHash:   s.vault.LookupHash(string(id)),
		NationalIDMasked: id.Masked(),
	}, nil
}

func (s *Service) sealPhone(pii *domain.PersonalData, phone string) error {
	if phone == "" {
		return nil
	}
	sealed, err := s.vault.Seal("phone", phone)
	if err != nil {
		return err
	}
	pii.PhoneSealed, pii.PhoneMasked = sealed, domain.MaskPhone(phone)
	return nil
}

// RegisterLearner opens an account. A learner registering themselves must set
// a password; if an institution already banked outcomes for their ID, they
// claim that account (the name must match). Staff and admins may register a
// learner without a password.
func (s *Service) RegisterLearner(ctx context.Context, actor Actor, op Op, in RegisterInput) (*domain.Account, bool, error) {
	switch actor.Role {
	case "", domain.RoleAdmin, domain.RoleStaff:
	default:
		return nil, false, domain.ErrForbidden
	}
	v := &domain.ValidationError{}
	id, err := domain.ParseNationalID(in.NationalID)
	collect(v, err)
	name, err := domain.ValidateName(in.Name)
	collect(v, err)
	var phone string
	if in.Phone != "" {
		phone, err = domain.ParsePhone(in.Phone)
		collect(v, err)
	}
	if in.Password != "" || actor.Anonymous() {
		collect(v, auth.CheckNewPassword("password", in.Password, in.NationalID, string(id)))
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	var hash string
	if in.Password != "" {
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return nil, false, err
		}
	}
	pii, err := s.sealIdentity(id)
	if err != nil {
		return nil, false, err
	}
	if err := s.sealPhone(&pii, phone); err != nil {
		return nil, false, err
	}
	existing, err := s.accountByNationalID(ctx, id)
	switch {
	case err == nil:
		if existing.Claimed() || hash == "" {
			return nil, false, fmt.Errorf("%w: %s", domain.ErrConflict, "an account already exists for this national ID")
		}
		if existing.Name != name {
			// The resident never had a password: "already registered, sign
			// in" would send them round in circles.
			return nil, false, domain.ErrNameMismatch
		}
		acc, err := s.updateAudited(ctx, op.Reservation, existing.ID, nil, func(a *domain.Account) error {
			if a.Claimed() {
				return domain.ErrConflict
			}
			// Claiming ends any session of the account: none should exist,
			// but one opened before a front-desk reset must not come back.
			a.SetPassword(hash, s.now())
			if phone != "" {
				a.PII.PhoneSealed, a.PII.PhoneMasked = pii.PhoneSealed, pii.PhoneMasked
			}
			return nil
		}, func(a *domain.Account) []domain.AuditEntry {
			return []domain.AuditEntry{auditEntry(s.now(), actor.withSubject(a.ID), "learner.claim", "account", a.ID.String(), "")}
		})
		if err != nil {
			return nil, false, err
		}
		return acc, false, nil
	case !errors.Is(err, domain.ErrNotFound):
		return nil, false, err
	}
	acc, err := domain.NewAccount(name, pii, id.BirthDate(), s.now())
	if err != nil {
		return nil, false, err
	}
	acc.PasswordHash = hash
	if err := s.store.CreateAccount(ctx, op.Reservation, acc); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return nil, false, fmt.Errorf("%w: %s", domain.ErrConflict, "an account already exists for this national ID")
		}
		return nil, false, err
	}
	s.audit(ctx, actor.withSubject(acc.ID), "learner.register", "account", acc.ID.String(), "")
	return acc, true, nil
}

// withSubject makes an anonymous self-registration auditable as the learner.
func (a Actor) withSubject(id uuid.UUID) Actor {
	if a.Anonymous() {
		a.Role, a.ID = domain.RoleLearner, id
	}
	return a
}

func collect(v *domain.ValidationError, err error) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		v.Problems = append(v.Problems, ve.Problems...)
	}
}

// Record returns an account to someone allowed to see it: the learner
// themselves, a helper they named, an institution holding a live grant, or
// an admin. To anyone else the account does not exist. Every read by
// someone other than the learner lands in the learner's access log first.
//
// The account returned is the caller's to read, not to change.
func (s *Service) Record(ctx context.Context, actor Actor, accountID uuid.UUID) (*domain.Account, error) {
	acc, err := s.accountToRead(ctx, actor, accountID)
	if err != nil {
		return nil, err
	}
	read := func(helper *domain.HelperGrant, detail string) (*domain.Account, error) {
		acc, err := s.noteAccess(ctx, actor, acc, helper, domain.AccessReadRecord, "")
		if err != nil {
			return nil, err
		}
		s.audit(ctx, actor, "record.read", "account", accountID.String(), detail)
		return acc, nil
	}
	switch actor.Role {
	case domain.RoleLearner:
		if actor.ID == accountID {
			return acc, nil
		}
		if g, ok := acc.HelpedBy(actor.ID, s.now()); ok {
			return read(&g, "helper")
		}
	case domain.RoleAdmin:
		return read(nil, "")
	case domain.RoleStaff, domain.RoleClient:
		if acc.SharedWith(actor.InstitutionID, s.now()) {
			return read(nil, "shared")
		}
	}
	return nil, domain.ErrNotFound
}

// Grant shares the learner's record with an institution. A live share with
// the same institution is extended instead (extended reports which).
func (s *Service) Grant(ctx context.Context, actor Actor, op Op, institutionID uuid.UUID, days int) (g domain.Grant, extended bool, err error) {
	if actor.Role != domain.RoleLearner {
		return domain.Grant{}, false, domain.ErrForbidden
	}
	if _, err := s.store.GetInstitution(ctx, institutionID); err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return domain.Grant{}, false, domain.Invalid("institutionId", "no such institution")
		}
		return domain.Grant{}, false, err
	}
	var before time.Time
	_, err = s.updateAudited(ctx, op.Reservation, actor.ID, nil, func(a *domain.Account) error {
		var live domain.Grant
		live, extended = a.LiveGrant(institutionID, s.now())
		before = live.ExpiresAt
		var err error
		g, err = a.GrantAccess(institutionID, days, s.now())
		return err
	}, func(*domain.Account) []domain.AuditEntry {
		if extended {
			return []domain.AuditEntry{auditEntry(s.now(), actor, "grant.extend", "grant", g.ID.String(),
				"institution="+institutionID.String()+" expiresAt="+before.UTC().Format(time.RFC3339)+"->"+g.ExpiresAt.UTC().Format(time.RFC3339))}
		}
		return []domain.AuditEntry{auditEntry(s.now(), actor, "grant.create", "grant", g.ID.String(), "institution="+institutionID.String())}
	})
	if err != nil {
		return domain.Grant{}, false, err
	}
	return g, extended, nil
}

// WithdrawGrant ends a grant early.
func (s *Service) WithdrawGrant(ctx context.Context, actor Actor, grantID uuid.UUID) error {
	if actor.Role != domain.RoleLearner {
		return domain.ErrForbidden
	}
	_, err := s.updateAudited(ctx, nil, actor.ID, nil, func(a *domain.Account) error {
		for _, g := range a.Grants {
			if g.ID == grantID && g.WithdrawnAt != nil {
				return errUnchanged // withdrawing twice is a no-op, not a write
			}
		}
		return a.WithdrawGrant(grantID, s.now())
	}, func(*domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "grant.withdraw", "grant", grantID.String(), "")}
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// errUnchanged stops an update whose change is already in place.
var errUnchanged = errors.New("unchanged")

// PersonalData is everything held about a learner, with identifiers in the
// clear: the learner's own data-access export.
type PersonalData struct {
	Account    *domain.Account
	NationalID string
	Phone      string
}

// MyData opens the learner's own identifiers for their data export.
func (s *Service) MyData(ctx context.Context, actor Actor) (PersonalData, error) {
	if actor.Role != domain.RoleLearner {
		return PersonalData{}, domain.ErrForbidden
	}
	acc, err := s.store.GetAccount(ctx, actor.ID)
	if err != nil {
		return PersonalData{}, err
	}
	out := PersonalData{Account: acc}
	if out.NationalID, err = s.vault.Open("national-id", acc.PII.NationalIDSealed); err != nil {
		return PersonalData{}, err
	}
	if acc.PII.PhoneSealed != "" {
		if out.Phone, err = s.vault.Open("phone", acc.PII.PhoneSealed); err != nil {
			return PersonalData{}, err
		}
	}
	s.audit(ctx, actor, "learner.data_export", "account", acc.ID.String(), "")
	return out, nil
}

// SharedRecord is a learner who shares their record with the caller's
// institution, with the grant that allows it.
type SharedRecord struct {
	Account *domain.Account
	Grant   domain.Grant
}

// SharedWithMe pages the learners whose live grants let the actor's
// institution read their record. Expired grants are left out of a page,
// so a page may hold fewer items than asked while more follow.
func (s *Service) SharedWithMe(ctx context.Context, actor Actor, p storage.Page) ([]SharedRecord, string, error) {
	if actor.Role != domain.RoleStaff && actor.Role != domain.RoleClient {
		return nil, "", domain.ErrForbidden
	}
	accounts, next, err := s.store.ListAccountsSharedWith(ctx, actor.InstitutionID, p.Normalized())
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	out := make([]SharedRecord, 0, len(accounts))
	for _, a := range accounts {
		var best *domain.Grant
		for i, g := range a.Grants {
			if g.InstitutionID == actor.InstitutionID && g.Live(now) && (best == nil || g.ExpiresAt.After(best.ExpiresAt)) {
				best = &a.Grants[i]
			}
		}
		if best != nil {
			out = append(out, SharedRecord{Account: a, Grant: *best})
		}
	}
	return out, next, nil
}
