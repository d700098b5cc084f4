package service

import (
	"context"

	"creditbank/domain"
)

// NoticeHistory lists every notice the learner has had (see
// domain.Account.NoticeHistory), seen or not. Reading it changes nothing.
func (s *Service) NoticeHistory(ctx context.Context, actor Actor) ([]domain.Alert, error) {
	if actor.Role != domain.RoleLearner {
		return nil, domain.ErrForbidden
	}
	acc, err := s.store.GetAccount(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	return acc.NoticeHistory(s.now()), nil
}
