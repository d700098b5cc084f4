package service

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// NameHelper lets the signed-in learner give another registered learner
// assisted access. The learner identifies the helper by national ID and
// name together, so that the form is not a way to find out who is
// registered from an ID alone; both misses read the same.
func (s *Service) NameHelper(ctx context.Context, actor Actor, op Op, nationalID, name string, days int) (domain.HelperGrant, error) {
	if actor.Role != domain.RoleLearner {
		return domain.HelperGrant{}, domain.ErrForbidden
	}
	id, err := domain.ParseNationalID(nationalID)
	if err != nil {
		return domain.HelperGrant{}, err
	}
	noSuch := domain.Invalid("nationalId", "no registered learner with this national ID and name")
	helper, err := s.accountByNationalID(ctx, id)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.HelperGrant{}, noSuch
	}
	if err != nil {
		return domain.HelperGrant{}, err
	}
	// An account nobody has claimed, or one suspended, is not a registered
	// learner either: answering it differently would tell who holds banked
	// outcomes without having signed up.
	if n, _ := domain.ValidateName(name); n != helper.Name || helper.ID != actor.ID && (!helper.Claimed() || helper.Status != domain.AccountActive) {
		return domain.HelperGrant{}, noSuch
	}
	var g domain.HelperGrant
	_, err = s.updateAudited(ctx, op.Reservation, actor.ID, nil, func(a *domain.Account) error {
		var err error
		g, err = a.NameHelper(helper, days, s.now())
		return err
	}, func(*domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "helper.create", "helper", g.ID.String(), "helper="+helper.ID.String())}
	})
	if err != nil {
		return domain.HelperGrant{}, err
	}
	return g, nil
}

// IsHelperLookupMiss reports whether NameHelper refused because no learner
// matched: the API throttles repeated misses.
func IsHelperLookupMiss(err error) bool {
	var ve *domain.ValidationError
	return errors.As(err, &ve) && len(ve.Problems) == 1 && ve.Problems[0].Field == "nationalId"
}

// WithdrawHelper ends assisted access at once; withdrawing twice is a no-op.
func (s *Service) WithdrawHelper(ctx context.Context, actor Actor, grantID uuid.UUID) error {
	if actor.Role != domain.RoleLearner {
		return domain.ErrForbidden
	}
	_, err := s.updateAudited(ctx, nil, actor.ID, nil, func(a *domain.Account) error {
		changed, err := a.WithdrawHelper(grantID, s.now())
		if err == nil && !changed {
			return errUnchanged
		}
		return err
	}, func(*domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "helper.withdraw", "helper", grantID.String(), "")}
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// Helpers pages the helper grants the learner has made, newest first.
func (s *Service) Helpers(ctx context.Context, actor Actor, p storage.Page) ([]domain.HelperGrant, string, error) {
	return ownListNewestFirst(ctx, s, actor, p, func(a *domain.Account) []domain.HelperGrant { return a.Helpers },
		func(h domain.HelperGrant) uuid.UUID { return h.ID })
}

// Assisted is an account the caller may help, with the grant that allows it.
type Assisted struct {
	Account *domain.Account
	Grant   domain.HelperGrant
}

// Assisting pages the accounts whose live helper grants name the caller.
// Expired grants are left out of a page, so a page may hold fewer items
// than asked while more follow.
func (s *Service) Assisting(ctx context.Context, actor Actor, p storage.Page) ([]Assisted, string, error) {
	if actor.Role != domain.RoleLearner {
		return nil, "", domain.ErrForbidden
	}
	accounts, next, err := s.store.ListAccountsHelpedBy(ctx, actor.ID, p.Normalized())
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	out := make([]Assisted, 0, len(accounts))
	for _, a := range accounts {
		if g, ok := a.HelpedBy(actor.ID, now); ok {
			out = append(out, Assisted{Account: a, Grant: g})
		}
	}
	return out, next, nil
}

// actingFor loads the account a learner acts on: their own, or one whose
// live helper grant names them (returned). To anyone else it does not exist.
func (s *Service) actingFor(ctx context.Context, actor Actor, accountID uuid.UUID) (*domain.Account, *domain.HelperGrant, error) {
	if actor.Role != domain.RoleLearner {
		return nil, nil, domain.ErrForbidden
	}
	acc, err := s.accountOf(ctx, actor, accountID)
	if err != nil {
		return nil, nil, err
	}
	if acc.ID == actor.ID {
		return acc, nil, nil
	}
	if g, ok := acc.HelpedBy(actor.ID, s.now()); ok {
		return acc, &g, nil
	}
	return nil, nil, domain.ErrNotFound
}
