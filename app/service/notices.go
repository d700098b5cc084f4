package service

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// Notice is one conversion in public notice (公示) as anyone may see it:
// the learner's name masked, what was recognised and until when.
type Notice struct {
	Conversion      domain.Conversion
	LearnerMasked   string
	InstitutionName string
}

// MaskName keeps a name's first character: 林静 → 林*, 欧阳明月 → 欧***.
func MaskName(name string) string {
	n := utf8.RuneCountInString(name)
	if n == 0 {
		return ""
	}
	first, _ := utf8.DecodeRuneInString(name)
	out := string(first)
	for range max(n-1, 1) {
		out += "*"
	}
	return out
}

// eachConvertingInstitution calls fn for every institution that converts.
func (s *Service) eachConvertingInstitution(ctx context.Context, fn func(domain.Institution) error) error {
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		insts, next, err := s.store.ListInstitutions(ctx, p)
		if err != nil {
			return err
		}
		for _, inst := range insts {
			if inst.Can(domain.CapabilityConvert) {
				if err := fn(inst); err != nil {
					return err
				}
			}
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}

// eachInNotice calls fn for every conversion of an institution in notice.
func (s *Service) eachInNotice(ctx context.Context, inst uuid.UUID, fn func(domain.Conversion) error) error {
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		convs, next, err := s.store.ListConversionsByInstitution(ctx, inst, domain.ConversionInNotice, p)
		if err != nil {
			return err
		}
		for _, c := range convs {
			if err := fn(c); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}

// FinalizeDueNotices makes final every conversion whose notice period has
// ended (by the service's clock), spending its credits, and tells how many.
// It runs on a timer in the server and before the public list is read, so
// the list never shows an ended notice; running it twice changes nothing.
func (s *Service) FinalizeDueNotices(ctx context.Context) (int, error) {
	now := s.now()
	due := map[uuid.UUID]bool{}
	err := s.eachConvertingInstitution(ctx, func(inst domain.Institution) error {
		return s.eachInNotice(ctx, inst.ID, func(c domain.Conversion) error {
			if c.DueNotice(now) {
				due[c.AccountID] = true
			}
			return nil
		})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for id := range due {
		var done []uuid.UUID
		_, err := s.updateAudited(ctx, nil, id, nil, func(a *domain.Account) error {
			done = a.FinalizeNotices(now)
			if len(done) == 0 {
				return errNothingToDo
			}
			return nil
		}, func(a *domain.Account) []domain.AuditEntry {
			var es []domain.AuditEntry
			for _, cid := range done {
				es = append(es, auditEntry(now, Actor{}, "conversion.final", "conversion", cid.String(), "account="+a.ID.String()+" notice ended"))
			}
			return es
		})
		if errors.Is(err, errNothingToDo) {
			continue
		}
		if err != nil {
			return n, err
		}
		n += len(done)
	}
	return n, nil
}

var errNothingToDo = errors.New("nothing to do")

// RunNoticeSweeps finalises ended notices every interval until ctx ends.
func (s *Service) RunNoticeSweeps(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.FinalizeDueNotices(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("notice sweep failed", "err", err)
			} else if n > 0 {
				s.log.Info("notices ended", "final", n)
			}
		}
	}
}

// Notices lists the conversions in public notice, ended ones finalised
// first. Anyone may read it.
func (s *Service) Notices(ctx context.Context) ([]Notice, error) {
	if _, err := s.FinalizeDueNotices(ctx); err != nil {
		return nil, err
	}
	var out []Notice
	err := s.eachConvertingInstitution(ctx, func(inst domain.Institution) error {
		return s.eachInNotice(ctx, inst.ID, func(c domain.Conversion) error {
			acc, err := s.store.GetAccount(ctx, c.AccountID)
			if err != nil {
				return err
			}
			out = append(out, Notice{Conversion: c, LearnerMasked: MaskName(acc.Name), InstitutionName: inst.Name})
			return nil
		})
	})
	return out, err
}

// ObjectToConversion records an objection to a conversion in notice by any
// signed-in person (API clients are not persons). A conversion that is not
// in notice is not public: to anyone but its learner and reviewers it does
// not exist.
func (s *Service) ObjectToConversion(ctx context.Context, actor Actor, op Op, conversionID uuid.UUID, reason string) (domain.Conversion, error) {
	switch actor.Role {
	case domain.RoleLearner, domain.RoleStaff, domain.RoleAdmin:
	default:
		return domain.Conversion{}, domain.ErrForbidden
	}
	acc, err := s.store.GetAccountByConversionID(ctx, conversionID)
	if err != nil {
		return domain.Conversion{}, err
	}
	c, ok := acc.Conversion(conversionID)
	if !ok {
		return domain.Conversion{}, domain.ErrNotFound
	}
	insider := (actor.Role == domain.RoleLearner && actor.ID == acc.ID) || canReview(actor, c.InstitutionID)
	if c.Status != domain.ConversionInNotice && !insider {
		return domain.Conversion{}, domain.ErrNotFound
	}
	now := s.now()
	var out domain.Conversion
	var finalized []uuid.UUID
	_, err = s.updateAudited(ctx, op.Reservation, acc.ID, acc, func(a *domain.Account) error {
		finalized = a.FinalizeNotices(now)
		c, err := a.Object(conversionID, actor.ID.String(), reason, now)
		if err != nil {
			if len(finalized) > 0 {
				// The notice ended before the objection: record the end,
				// then refuse.
				return errFinalizedFirst{err}
			}
			return err
		}
		out = *c
		return nil
	}, func(a *domain.Account) []domain.AuditEntry {
		var es []domain.AuditEntry
		for _, cid := range finalized {
			es = append(es, auditEntry(now, Actor{}, "conversion.final", "conversion", cid.String(), "account="+a.ID.String()+" notice ended"))
		}
		if out.ID != uuid.Nil {
			es = append(es, auditEntry(now, actor, "conversion.objection", "conversion", conversionID.String(),
				fmt.Sprintf("account=%s objections=%d", a.ID, len(out.Objections))))
		}
		return es
	})
	var ff errFinalizedFirst
	if errors.As(err, &ff) {
		// Save the ending the objection came too late for.
		if _, ferr := s.FinalizeDueNotices(ctx); ferr != nil {
			s.log.Warn("notice end not saved", "conversion", conversionID.String(), "err", ferr)
		}
		return domain.Conversion{}, ff.err
	}
	return out, err
}

type errFinalizedFirst struct{ err error }

func (e errFinalizedFirst) Error() string { return e.err.Error() }
func (e errFinalizedFirst) Unwrap() error { return e.err }

// AppealConversion is the learner's appeal against a rejection.
func (s *Service) AppealConversion(ctx context.Context, actor Actor, op Op, conversionID uuid.UUID, reason string) (domain.Conversion, error) {
	if actor.Role != domain.RoleLearner {
		return domain.Conversion{}, domain.ErrForbidden
	}
	acc, err := s.store.GetAccountByConversionID(ctx, conversionID)
	if err != nil {
		return domain.Conversion{}, err
	}
	if acc.ID != actor.ID {
		return domain.Conversion{}, domain.ErrNotFound
	}
	var out domain.Conversion
	_, err = s.updateAudited(ctx, op.Reservation, acc.ID, acc, func(a *domain.Account) error {
		c, err := a.Appeal(conversionID, reason, s.now())
		if err != nil {
			return err
		}
		out = *c
		return nil
	}, func(a *domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "conversion.appeal", "conversion", conversionID.String(), "account="+a.ID.String())}
	})
	return out, err
}

// decisionAction names a decision in the audit log by what it did.
func decisionAction(c domain.Conversion, decision Decision) string {
	switch {
	case c.Appeal != nil && c.Appeal.Resolution == domain.ResolutionUpheld:
		return "conversion.appeal.uphold"
	case c.Appeal != nil && c.Appeal.Resolution == domain.ResolutionDismissed:
		return "conversion.appeal.dismiss"
	case c.Status == domain.ConversionInNotice:
		return "conversion.notice"
	case decision == Approve:
		return "conversion.approve"
	}
	return "conversion.reject"
}
