package service

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// PreviewConversion evaluates a published rule for the learner without
// storing anything.
func (s *Service) PreviewConversion(ctx context.Context, actor Actor, ruleID uuid.UUID) (domain.Evaluation, *domain.Rule, error) {
	return s.PreviewConversionFor(ctx, actor, actor.ID, ruleID)
}

// PreviewConversionFor evaluates a rule for the learner's own account or
// one they assist; a helper's preview is a read of the record, logged and
// audited like one.
func (s *Service) PreviewConversionFor(ctx context.Context, actor Actor, accountID, ruleID uuid.UUID) (domain.Evaluation, *domain.Rule, error) {
	acc, helper, err := s.actingFor(ctx, actor, accountID)
	if err != nil {
		return domain.Evaluation{}, nil, err
	}
	rule, err := s.publishedRule(ctx, ruleID)
	if err != nil {
		return domain.Evaluation{}, nil, err
	}
	if helper != nil {
		if acc, err = s.noteAccess(ctx, actor, acc, helper, domain.AccessPreviewConversion, rule.Code); err != nil {
			return domain.Evaluation{}, nil, err
		}
		s.audit(ctx, actor, "conversion.preview", "account", acc.ID.String(), "helper rule="+rule.Code)
	}
	return domain.Evaluate(*rule, acc, s.now()), rule, nil
}

// publishedRule reads a rule a learner may apply under; drafts do not exist
// for learners.
func (s *Service) publishedRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error) {
	r, err := s.store.GetRule(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Status == domain.RuleDraft {
		return nil, domain.ErrNotFound
	}
	return r, nil
}

// ApplyConversion is a learner's application. Concurrent applications of the
// same rule race on the account's version; the loser re-evaluates and finds
// the winner's live conversion (409) or its outcomes used (422).
func (s *Service) ApplyConversion(ctx context.Context, actor Actor, op Op, ruleID uuid.UUID) (domain.Conversion, error) {
	return s.ApplyConversionFor(ctx, actor, op, actor.ID, ruleID)
}

// ApplyConversionFor applies for the learner's own account or, as a helper,
// for one they assist. The helper's grant is checked again inside the
// compare-and-swap, so an application racing a withdrawal cannot land
// after it; the access-log entry is written in the same save.
func (s *Service) ApplyConversionFor(ctx context.Context, actor Actor, op Op, accountID, ruleID uuid.UUID) (domain.Conversion, error) {
	acc, _, err := s.actingFor(ctx, actor, accountID)
	if err != nil {
		return domain.Conversion{}, err
	}
	rule, err := s.publishedRule(ctx, ruleID)
	if err != nil {
		return domain.Conversion{}, err
	}
	var entry *domain.AccessEntry
	if accountID != actor.ID {
		e := domain.AccessEntry{Kind: domain.AccessorHelper, ActorID: actor.ID, Action: domain.AccessApplyConversion, Detail: rule.Code}
		entry = &e
	}
	id, _ := op.objectID()
	var conv domain.Conversion
	applied := func(retry bool) domain.AuditEntry {
		detail := "rule=" + rule.Code
		if retry {
			detail += " retry=interrupted"
		}
		detail += " status=" + string(conv.Status)
		if entry != nil {
			detail += " onBehalfOf=" + accountID.String()
		}
		return auditEntry(s.now(), actor, "conversion.apply", "conversion", conv.ID.String(), detail)
	}
	_, err = s.updateAudited(ctx, op.Reservation, accountID, acc, func(a *domain.Account) error {
		if entry != nil {
			g, ok := a.HelpedBy(actor.ID, s.now())
			if !ok {
				return domain.ErrNotFound
			}
			entry.Name = g.HelperName
		}
		if c, ok := a.Conversion(id); ok {
			// An interrupted earlier attempt of this request applied.
			conv = *c
			return errAlreadyDone
		}
		c, err := a.ApplyWithID(id, *rule, s.now())
		if err != nil {
			return err
		}
		conv = *c
		if entry != nil {
			a.RecordAccess(*entry, s.now())
		}
		return nil
	}, func(*domain.Account) []domain.AuditEntry { return []domain.AuditEntry{applied(false)} })
	if errors.Is(err, errAlreadyDone) {
		s.auditAll(ctx, applied(true))
		err = nil
	}
	if err != nil {
		return domain.Conversion{}, err
	}
	return conv, nil
}

// canReview reports whether the actor reviews conversions for institutionID.
func canReview(actor Actor, institutionID uuid.UUID) bool {
	return (actor.Role == domain.RoleStaff || actor.Role == domain.RoleClient) &&
		actor.InstitutionID == institutionID && actor.Can(domain.PermReview)
}

// ReviewItem is a conversion in a review queue with the applicant's name:
// by applying, the learner presents themselves to the institution, which
// needs to know whom it admits or exempts. The ID stays masked.
type ReviewItem struct {
	Conversion       domain.Conversion
	LearnerName      string
	NationalIDMasked string
	// Evidence is every outcome the evaluation used, as the account holds
	// it now (a revoked one says when and why), so that a reviewer
	// decides on the outcomes themselves and not on their titles.
	Evidence []Evidence
}

// Evidence is one used outcome and the name of the institution that issued
// (and, if it did, revoked) it.
type Evidence struct {
	Outcome    domain.Outcome
	IssuerName string
}

// ReviewQueue pages the conversions addressed to the actor's institution.
func (s *Service) ReviewQueue(ctx context.Context, actor Actor, status domain.ConversionStatus, p storage.Page) ([]ReviewItem, string, error) {
	if !canReview(actor, actor.InstitutionID) {
		return nil, "", domain.ErrForbidden
	}
	switch status {
	case "", domain.ConversionPending, domain.ConversionApproved, domain.ConversionRejected, domain.ConversionNeedsReview,
		domain.ConversionInNotice, domain.ConversionFinal, domain.ConversionAppealed:
	default:
		return nil, "", domain.Invalid("status", "must be pending, approved, rejected, needs_review, in_notice, final or appealed")
	}
	convs, next, err := s.store.ListConversionsByInstitution(ctx, actor.InstitutionID, status, p.Normalized())
	if err != nil {
		return nil, "", err
	}
	accounts := map[uuid.UUID]*domain.Account{}
	issuers := map[uuid.UUID]string{}
	items := make([]ReviewItem, 0, len(convs))
	for _, c := range convs {
		acc, ok := accounts[c.AccountID]
		if !ok {
			if acc, err = s.store.GetAccount(ctx, c.AccountID); err != nil {
				return nil, "", err
			}
			accounts[c.AccountID] = acc
		}
		evidence, err := s.evidence(ctx, acc, c, issuers)
		if err != nil {
			return nil, "", err
		}
		items = append(items, ReviewItem{Conversion: c, LearnerName: acc.Name, NationalIDMasked: acc.PII.NationalIDMasked, Evidence: evidence})
	}
	return items, next, nil
}

// evidence looks up the outcomes a conversion used; issuers caches
// institution names across one page.
func (s *Service) evidence(ctx context.Context, acc *domain.Account, c domain.Conversion, issuers map[uuid.UUID]string) ([]Evidence, error) {
	out := make([]Evidence, 0, len(c.Evaluation.Used))
	for _, u := range c.Evaluation.Used {
		o, ok := acc.Outcome(u.OutcomeID)
		if !ok {
			continue
		}
		name, ok := issuers[o.IssuerID]
		if !ok {
			inst, err := s.store.GetInstitution(ctx, o.IssuerID)
			switch {
			case err == nil:
				name = inst.Name
			case !errors.Is(err, domain.ErrNotFound):
				return nil, err
			}
			issuers[o.IssuerID] = name
		}
		out = append(out, Evidence{Outcome: *o, IssuerName: name})
	}
	return out, nil
}

// Decision is approve or reject.
type Decision bool

const (
	Approve Decision = true
	Reject  Decision = false
)

// DecideConversion approves or rejects a conversion. Only reviewers of the
// rule's institution may; to anyone else the conversion does not exist.
func (s *Service) DecideConversion(ctx context.Context, actor Actor, op Op, conversionID uuid.UUID, decision Decision, note string) (domain.Conversion, error) {
	if (actor.Role != domain.RoleStaff && actor.Role != domain.RoleClient) || !actor.Can(domain.PermReview) {
		return domain.Conversion{}, domain.ErrForbidden
	}
	acc, err := s.store.GetAccountByConversionID(ctx, conversionID)
	if err != nil {
		return domain.Conversion{}, err
	}
	c, ok := acc.Conversion(conversionID)
	if !ok || !canReview(actor, c.InstitutionID) {
		return domain.Conversion{}, domain.ErrNotFound
	}
	var rule *domain.Rule
	if decision == Approve {
		if rule, err = s.store.GetRule(ctx, c.RuleID); err != nil {
			return domain.Conversion{}, err
		}
	}
	reviewer := actor.ID.String()
	var decided domain.Conversion
	var ruleV domain.Rule
	if rule != nil {
		ruleV = *rule
	}
	_, err = s.updateAudited(ctx, op.Reservation, acc.ID, nil, func(a *domain.Account) error {
		c, err := a.Decide(conversionID, reviewer, note, decision == Approve, ruleV, s.now())
		if err != nil {
			return err
		}
		decided = *c
		return nil
	}, func(a *domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, decisionAction(decided, decision), "conversion", conversionID.String(), "account="+a.ID.String())}
	})
	if err != nil {
		return domain.Conversion{}, err
	}
	return decided, nil
}
