package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// canManageRules reports whether the actor may write rules of an institution:
// admins anywhere, staff with the manage permission at their own.
func canManageRules(actor Actor, institutionID uuid.UUID) bool {
	switch actor.Role {
	case domain.RoleAdmin:
		return true
	case domain.RoleStaff:
		return actor.InstitutionID == institutionID && actor.Can(domain.PermManage)
	}
	return false
}

// canSeeDrafts reports whether the actor may read unpublished rules of an
// institution: its own staff and clients, and admins.
func canSeeDrafts(actor Actor, institutionID uuid.UUID) bool {
	switch actor.Role {
	case domain.RoleAdmin:
		return true
	case domain.RoleStaff, domain.RoleClient:
		return actor.InstitutionID == institutionID
	}
	return false
}

// CreateRule stores a new rule as a draft (version 1). Staff may only write
// rules their own institution honours; the institution must be able to convert.
func (s *Service) CreateRule(ctx context.Context, actor Actor, op Op, in domain.Rule) (domain.Rule, error) {
	if actor.Role == domain.RoleStaff && in.InstitutionID == uuid.Nil {
		in.InstitutionID = actor.InstitutionID
	}
	if !canManageRules(actor, in.InstitutionID) {
		return domain.Rule{}, domain.ErrForbidden
	}
	if err := s.checkConverter(ctx, in.InstitutionID); err != nil {
		return domain.Rule{}, err
	}
	r, err := domain.NewRuleDraft(in, actor.ID.String(), s.now())
	if err != nil {
		return domain.Rule{}, err
	}
	if err := s.store.CreateRule(ctx, op.Reservation, &r); err != nil {
		if errors.Is(err, domain.ErrConflict) {
			return domain.Rule{}, fmt.Errorf("%w: %s", domain.ErrConflict, "a rule with code "+r.Code+" already exists; edit it to make a new version")
		}
		return domain.Rule{}, err
	}
	s.audit(ctx, actor, "rule.create", "rule", r.ID.String(), r.Code)
	return r, nil
}

func (s *Service) checkConverter(ctx context.Context, institutionID uuid.UUID) error {
	inst, err := s.store.GetInstitution(ctx, institutionID)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("institutionId", "no such institution")
	}
	if err != nil {
		return err
	}
	if !inst.Can(domain.CapabilityConvert) {
		return domain.Invalid("institutionId", "institution is not registered to convert credits")
	}
	return nil
}

// GetRule returns a rule the actor may see: published and retired versions
// are public (conversions refer to them); drafts only to their institution.
func (s *Service) GetRule(ctx context.Context, actor Actor, id uuid.UUID) (*domain.Rule, error) {
	r, err := s.store.GetRule(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == domain.RuleDraft && !canSeeDrafts(actor, r.InstitutionID) {
		return nil, domain.ErrNotFound
	}
	return r, nil
}

// ListRules pages rules. Callers who may not see drafts see published and
// retired versions only.
func (s *Service) ListRules(ctx context.Context, actor Actor, f storage.RuleFilter, p storage.Page) ([]domain.Rule, string, error) {
	if f.Status == domain.RuleDraft && !(f.InstitutionID != uuid.Nil && canSeeDrafts(actor, f.InstitutionID)) && actor.Role != domain.RoleAdmin {
		return nil, "", domain.ErrForbidden
	}
	if f.Status == "" && actor.Role != domain.RoleAdmin && !(f.InstitutionID != uuid.Nil && canSeeDrafts(actor, f.InstitutionID)) {
		f.Status = domain.RulePublished
	}
	return s.store.ListRules(ctx, f, p.Normalized())
}

// EditRule changes a draft in place, or, for a published rule, creates the
// next version as a new draft: published rules are immutable.
func (s *Service) EditRule(ctx context.Context, actor Actor, id uuid.UUID, in domain.Rule) (domain.Rule, bool, error) {
	current, err := s.GetRule(ctx, actor, id)
	if err != nil {
		return domain.Rule{}, false, err
	}
	if !canManageRules(actor, current.InstitutionID) {
		return domain.Rule{}, false, domain.ErrForbidden
	}
	if in.InstitutionID != uuid.Nil && in.InstitutionID != current.InstitutionID {
		return domain.Rule{}, false, domain.Invalid("institutionId", "a rule cannot move to another institution")
	}
	if current.Status == domain.RuleDraft {
		if err := current.UpdateDraft(in); err != nil {
			return domain.Rule{}, false, err
		}
		if err := s.store.UpdateRule(ctx, current); err != nil {
			return domain.Rule{}, false, err
		}
		s.audit(ctx, actor, "rule.edit", "rule", current.ID.String(), current.Code)
		return *current, false, nil
	}
	if current.Status != domain.RulePublished {
		return domain.Rule{}, false, fmt.Errorf("%w: %s", domain.ErrConflict, "a retired rule cannot be edited")
	}
	if err := s.noNewerVersion(ctx, current); err != nil {
		return domain.Rule{}, false, err
	}
	next := current.NextVersion(s.now())
	next.CreatedBy = actor.ID.String()
	if err := next.UpdateDraft(in); err != nil {
		return domain.Rule{}, false, err
	}
	if err := s.store.CreateRule(ctx, nil, &next); err != nil {
		return domain.Rule{}, false, err
	}
	s.audit(ctx, actor, "rule.new_version", "rule", next.ID.String(), current.Code)
	return next, true, nil
}

// noNewerVersion refuses to fork a second draft from an old version.
func (s *Service) noNewerVersion(ctx context.Context, r *domain.Rule) error {
	versions, _, err := s.store.ListRules(ctx, storage.RuleFilter{Code: r.Code}, storage.Page{Limit: storage.MaxPageSize})
	if err != nil {
		return err
	}
	for _, v := range versions {
		if v.Version > r.Version {
			return fmt.Errorf("%w: %s", domain.ErrConflict, "a newer version of this rule exists; edit that one")
		}
	}
	return nil
}

// PublishRule makes a draft binding (admins approve rules). The previously
// published version of the same code is retired, so learners always apply
// under exactly one version.
func (s *Service) PublishRule(ctx context.Context, actor Actor, id uuid.UUID) (domain.Rule, error) {
	if actor.Role != domain.RoleAdmin {
		return domain.Rule{}, domain.ErrForbidden
	}
	r, err := s.store.GetRule(ctx, id)
	if err != nil {
		return domain.Rule{}, err
	}
	if err := r.Publish(s.now()); err != nil {
		return domain.Rule{}, err
	}
	if err := s.store.UpdateRule(ctx, r); err != nil {
		return domain.Rule{}, err
	}
	older, _, err := s.store.ListRules(ctx, storage.RuleFilter{Code: r.Code, Status: domain.RulePublished}, storage.Page{Limit: storage.MaxPageSize})
	if err != nil {
		return domain.Rule{}, err
	}
	for i := range older {
		if older[i].ID == r.ID {
			continue
		}
		if err := older[i].Retire(s.now()); err == nil {
			if err := s.store.UpdateRule(ctx, &older[i]); err != nil {
				return domain.Rule{}, err
			}
		}
	}
	s.audit(ctx, actor, "rule.publish", "rule", r.ID.String(), r.Code)
	return *r, nil
}

// RetireRule withdraws a rule version.
func (s *Service) RetireRule(ctx context.Context, actor Actor, id uuid.UUID) (domain.Rule, error) {
	r, err := s.GetRule(ctx, actor, id)
	if err != nil {
		return domain.Rule{}, err
	}
	if !canManageRules(actor, r.InstitutionID) {
		return domain.Rule{}, domain.ErrForbidden
	}
	if err := r.Retire(s.now()); err != nil {
		return domain.Rule{}, err
	}
	if err := s.store.UpdateRule(ctx, r); err != nil {
		return domain.Rule{}, err
	}
	s.audit(ctx, actor, "rule.retire", "rule", r.ID.String(), r.Code)
	return *r, nil
}

// SimulateRule evaluates a rule over every account, streaming the store, and
// returns aggregates only. An institution may write a rule that matches a
// single learner's course, so no outcome, account or trace leaves this
// function, and every figure about fewer than domain.MinSimulationCell
// learners is suppressed (admins get the same shape).
func (s *Service) SimulateRule(ctx context.Context, actor Actor, id uuid.UUID) (domain.Simulation, error) {
	r, err := s.GetRule(ctx, actor, id)
	if err != nil {
		return domain.Simulation{}, err
	}
	if actor.Role != domain.RoleAdmin && !(actor.Role == domain.RoleStaff && actor.InstitutionID == r.InstitutionID &&
		(actor.Can(domain.PermManage) || actor.Can(domain.PermReview))) {
		return domain.Simulation{}, domain.ErrForbidden
	}
	// Evaluate as if the rule were in force, so drafts can be tried out.
	trial := *r
	trial.Status = domain.RulePublished
	now := s.now()
	tally := domain.NewSimulationTally(now)
	err = s.store.ScanAccounts(ctx, func(a *domain.Account) error {
		tally.Add(a, domain.Evaluate(trial, a, now))
		return nil
	})
	if err != nil {
		return domain.Simulation{}, err
	}
	return tally.Result(), nil
}
