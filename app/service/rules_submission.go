package service

import (
	"context"
	"slices"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// SubmitRule puts a draft in the admin's queue for publication. The
// converting institution's managers submit their own drafts.
func (s *Service) SubmitRule(ctx context.Context, actor Actor, id uuid.UUID) (domain.Rule, error) {
	r, err := s.GetRule(ctx, actor, id)
	if err != nil {
		return domain.Rule{}, err
	}
	if actor.Role != domain.RoleStaff || !canManageRules(actor, r.InstitutionID) {
		return domain.Rule{}, domain.ErrForbidden
	}
	if err := r.Submit(actor.ID.String(), s.now()); err != nil {
		return domain.Rule{}, err
	}
	if err := s.store.UpdateRule(ctx, r); err != nil {
		return domain.Rule{}, err
	}
	s.audit(ctx, actor, "rule.submit", "rule", r.ID.String(), r.Code)
	return *r, nil
}

// ReturnRule sends a submitted draft back to its institution with the
// admin's note; the note is in the audit log too.
func (s *Service) ReturnRule(ctx context.Context, actor Actor, id uuid.UUID, note string) (domain.Rule, error) {
	if actor.Role != domain.RoleAdmin {
		return domain.Rule{}, domain.ErrForbidden
	}
	r, err := s.store.GetRule(ctx, id)
	if err != nil {
		return domain.Rule{}, err
	}
	if err := r.ReturnDraft(actor.ID.String(), note, s.now()); err != nil {
		return domain.Rule{}, err
	}
	if err := s.store.UpdateRule(ctx, r); err != nil {
		return domain.Rule{}, err
	}
	s.audit(ctx, actor, "rule.return", "rule", r.ID.String(), r.Code+": "+r.Submission.Note)
	return *r, nil
}

// SubmittedRules lists the drafts waiting for publication, oldest
// submission first, for the admin's queue. Drafts are few, so they are
// filtered here rather than indexed.
func (s *Service) SubmittedRules(ctx context.Context, actor Actor) ([]domain.Rule, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, domain.ErrForbidden
	}
	var out []domain.Rule
	cursor := ""
	for {
		page, next, err := s.store.ListRules(ctx, storage.RuleFilter{Status: domain.RuleDraft}, storage.Page{Limit: storage.MaxPageSize, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if r.Submitted() {
				out = append(out, r)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.SortStableFunc(out, func(a, b domain.Rule) int { return a.Submission.At.Compare(*b.Submission.At) })
	return out, nil
}
