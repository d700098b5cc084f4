package service

import (
	"context"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// Pathways answers "what next?" for the signed-in learner: every published
// rule in effect, ready to apply or with its shortfall and the catalogue
// courses that would close it.
func (s *Service) Pathways(ctx context.Context, actor Actor) ([]domain.Pathway, error) {
	if actor.Role != domain.RoleLearner {
		return nil, domain.ErrForbidden
	}
	acc, err := s.store.GetAccount(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	rules, err := s.publishedRules(ctx)
	if err != nil {
		return nil, err
	}
	policy, err := s.CreditPolicy(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	cat, err := s.preparedCatalogue(ctx, policy, now)
	if err != nil {
		return nil, err
	}
	return domain.PlanPathways(rules, acc, cat, now), nil
}

// publishedRules reads every published rule version, page by page.
func (s *Service) publishedRules(ctx context.Context) ([]domain.Rule, error) {
	var out []domain.Rule
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		batch, next, err := s.store.ListRules(ctx, storage.RuleFilter{Status: domain.RulePublished}, p)
		if err != nil {
			return nil, err
		}
		out = append(out, batch...)
		if next == "" {
			return out, nil
		}
		p.Cursor = next
	}
}

// Alerts lists the learner's notices. Reading them changes nothing; the
// learner's client marks them seen (MarkAlertsSeen) once shown, so that a
// page that fails to render does not swallow news.
func (s *Service) Alerts(ctx context.Context, actor Actor) ([]domain.Alert, error) {
	if actor.Role != domain.RoleLearner {
		return nil, domain.ErrForbidden
	}
	acc, err := s.store.GetAccount(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	return acc.Alerts(s.now()), nil
}

// MarkAlertsSeen records the learner's look at the alerts listed at upTo
// (the asOf of that listing): a decision that arrived after the listing
// stays news even if the learner's client marks the older ones seen later.
func (s *Service) MarkAlertsSeen(ctx context.Context, actor Actor, upTo time.Time) ([]domain.Alert, error) {
	if actor.Role != domain.RoleLearner {
		return nil, domain.ErrForbidden
	}
	acc, err := s.updateAccount(ctx, actor.ID, func(a *domain.Account) error {
		return a.MarkAlertsSeen(upTo, s.now())
	})
	if err != nil {
		return nil, err
	}
	return acc.Alerts(s.now()), nil
}
