package service

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// accessor says who, other than the learner, is reading a record: the
// party the learner will see in their access log.
func accessor(actor Actor, helper *domain.HelperGrant) (domain.AccessEntry, error) {
	switch {
	case helper != nil:
		return domain.AccessEntry{Kind: domain.AccessorHelper, ActorID: actor.ID, Name: helper.HelperName}, nil
	case actor.Role == domain.RoleAdmin:
		return domain.AccessEntry{Kind: domain.AccessorCentre, ActorID: actor.ID}, nil
	case actor.Role == domain.RoleStaff || actor.Role == domain.RoleClient:
		return domain.AccessEntry{Kind: domain.AccessorInstitution, ActorID: actor.ID, InstitutionID: actor.InstitutionID}, nil
	}
	return domain.AccessEntry{}, domain.ErrForbidden
}

// accessorName looks the display name up once per logged read and keeps it
// on the entry: institutions are renamed, and the log must still say who.
func (s *Service) accessorName(ctx context.Context, e *domain.AccessEntry) error {
	switch e.Kind {
	case domain.AccessorCentre:
		if u, err := s.store.GetUser(ctx, e.ActorID); err == nil {
			e.Name = u.Username
		}
	case domain.AccessorInstitution:
		inst, err := s.store.GetInstitution(ctx, e.InstitutionID)
		if err != nil {
			return err
		}
		e.Name = inst.Name
	}
	return nil
}

// noteAccess records a read on the account before the record is handed
// out: a read the learner cannot see must not happen, so a failed write
// fails the read. A read folded into a recent one (the same reader
// reloading) costs no store call at all. It returns the account as stored
// after the note.
func (s *Service) noteAccess(ctx context.Context, actor Actor, acc *domain.Account, helper *domain.HelperGrant, action domain.AccessAction, detail string) (*domain.Account, error) {
	e, err := accessor(actor, helper)
	if err != nil {
		return nil, err
	}
	e.Action, e.Detail = action, detail
	if acc.AccessedRecently(e, s.now()) {
		return acc, nil
	}
	if err := s.accessorName(ctx, &e); err != nil {
		return nil, err
	}
	updated, err := s.updateAccount(ctx, acc.ID, func(a *domain.Account) error {
		if !a.RecordAccess(e, s.now()) {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return acc, nil
	}
	return updated, err
}

// AccessLog pages the reads of the learner's record by others, newest
// first. Only the learner sees it.
func (s *Service) AccessLog(ctx context.Context, actor Actor, p storage.Page) ([]domain.AccessEntry, string, error) {
	return ownListNewestFirst(ctx, s, actor, p, func(a *domain.Account) []domain.AccessEntry { return a.AccessLog },
		func(e domain.AccessEntry) uuid.UUID { return e.ID })
}

// ownListNewestFirst pages a list the learner's own account document holds
// oldest first (access log, helper grants), newest first; only the learner
// reads it.
func ownListNewestFirst[T any](ctx context.Context, s *Service, actor Actor, p storage.Page, list func(*domain.Account) []T, id func(T) uuid.UUID) ([]T, string, error) {
	if actor.Role != domain.RoleLearner {
		return nil, "", domain.ErrForbidden
	}
	acc, err := s.store.GetAccount(ctx, actor.ID)
	if err != nil {
		return nil, "", err
	}
	items := slices.Clone(list(acc))
	slices.Reverse(items)
	return pageNewestFirst(items, id, p)
}

// pageNewestFirst pages an in-document list held newest first by its
// time-ordered IDs: the cursor is the last ID seen, and the next page holds
// the older ones, so entries appended meanwhile do not shift the pages.
func pageNewestFirst[T any](items []T, id func(T) uuid.UUID, p storage.Page) ([]T, string, error) {
	p = p.Normalized()
	start := 0
	if p.Cursor != "" {
		c, err := uuid.Parse(p.Cursor)
		if err != nil {
			return nil, "", domain.Invalid("cursor", "not a cursor returned by this list")
		}
		start = len(items)
		for i, it := range items {
			if id(it).String() < c.String() {
				start = i
				break
			}
		}
	}
	end := min(start+p.Limit, len(items))
	page := items[start:end]
	next := ""
	if end < len(items) {
		next = id(page[len(page)-1]).String()
	}
	return page, next, nil
}
