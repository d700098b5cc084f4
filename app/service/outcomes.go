package service

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// IssueInput is one outcome deposited for a learner identified by national ID.
type IssueInput struct {
	NationalID string
	Name       string
	Outcome    domain.OutcomeInput
	// CourseID, or else CatalogueCode, names a course of the issuing
	// institution's catalogue the outcome is for: its title, category and
	// hours fill the outcome, which must not contradict them.
	CourseID      uuid.UUID
	CatalogueCode string
	// DecodeProblems are fields the caller could not even parse (a date
	// in the wrong form); they are reported together with every other
	// problem, so the sender fixes everything in one round.
	DecodeProblems []domain.FieldProblem
}

// IssueResult tells whether the learner's account had to be created.
type IssueResult struct {
	Outcome        domain.Outcome
	AccountCreated bool
}

// checkIssuer resolves the acting institution for issuing.
func (s *Service) checkIssuer(ctx context.Context, actor Actor) (*domain.Institution, error) {
	if (actor.Role != domain.RoleStaff && actor.Role != domain.RoleClient) || !actor.Can(domain.PermIssue) {
		return nil, domain.ErrForbidden
	}
	inst := actor.institution
	if inst == nil || inst.ID != actor.InstitutionID {
		var err error
		if inst, err = s.store.GetInstitution(ctx, actor.InstitutionID); err != nil {
			return nil, err
		}
	}
	if !inst.Can(domain.CapabilityIssue) {
		return nil, domain.ErrForbidden
	}
	return inst, nil
}

// IssueOutcome validates and banks one outcome. An unknown learner gets an
// account (unclaimed, no password) so that nothing an institution reports is
// lost; the learner claims it by registering with the same ID and name.
func (s *Service) IssueOutcome(ctx context.Context, actor Actor, op Op, in IssueInput) (IssueResult, error) {
	inst, err := s.checkIssuer(ctx, actor)
	if err != nil {
		return IssueResult{}, err
	}
	policy, err := s.CreditPolicy(ctx)
	if err != nil {
		return IssueResult{}, err
	}
	return s.issueFor(ctx, actor, op, inst, policy, in)
}

// issueFor banks one outcome under op's object ID, crediting it by policy
// (an import reads the policy once per window of rows, not once per row).
func (s *Service) issueFor(ctx context.Context, actor Actor, op Op, inst *domain.Institution, policy domain.CreditPolicy, in IssueInput) (IssueResult, error) {
	v := &domain.ValidationError{}
	id, err := domain.ParseNationalID(in.NationalID)
	prefixed(v, "learner.", err)
	name, err := domain.ValidateName(in.Name)
	prefixed(v, "learner.", err)
	if err := s.applyCatalogue(ctx, inst, &in); err != nil {
		return IssueResult{}, err
	}
	if err := s.applyUnit(ctx, &in.Outcome); err != nil {
		return IssueResult{}, err
	}
	outcome, err := domain.NewOutcome(in.Outcome, inst.ID, uuid.Nil, policy, s.now())
	collect(v, err)
	if err == nil && id != "" {
		// Reported with the row's other problems; Deposit checks it again
		// against the account's own birth date.
		collect(v, outcome.CheckCompletedAfterBirth(id.BirthDate()))
	}
	v = mergeDecodeProblems(v, in.DecodeProblems)
	if err := v.Err(); err != nil {
		return IssueResult{}, err
	}
	if err := inst.CheckIssue(outcome.Category); err != nil {
		return IssueResult{}, err
	}
	outcome.IssuedBy = actor.ID.String()
	outcome.ID, _ = op.objectID()
	deposit := func(a *domain.Account) error {
		if _, ok := a.Outcome(outcome.ID); ok {
			return errAlreadyDone
		}
		return a.Deposit(outcome, s.now())
	}
	// A learner new to the bank gets an account holding the outcome in one
	// write; an existing one is updated. Either way the audit entries go
	// with the write.
	issued := func(a *domain.Account) domain.AuditEntry {
		return auditEntry(s.now(), actor, "outcome.issue", "outcome", outcome.ID.String(), "account="+a.ID.String())
	}
	acc, created, err := s.accountFor(ctx, op.Reservation, id, name, deposit, func(a *domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "learner.create_on_issue", "account", a.ID.String(), ""), issued(a)}
	})
	if err != nil {
		return IssueResult{}, err
	}
	saved := acc
	if !created {
		saved, err = s.updateAudited(ctx, op.Reservation, acc.ID, acc, deposit, func(a *domain.Account) []domain.AuditEntry {
			return []domain.AuditEntry{issued(a)}
		})
	}
	if errors.Is(err, errAlreadyDone) {
		// A retry of a request that banked the outcome and then died:
		// answer as the first attempt would have, and say so in the log.
		if saved, err = s.store.GetAccount(ctx, acc.ID); err == nil {
			retry := issued(saved)
			retry.Detail += " retry=interrupted"
			s.auditAll(ctx, retry)
		}
	}
	if err != nil {
		return IssueResult{}, err
	}
	o, _ := saved.Outcome(outcome.ID)
	return IssueResult{Outcome: *o, AccountCreated: created}, nil
}

// accountFor finds the learner's account or opens an unclaimed one. The name
// must match the one on file: a typo in a national ID must not bank an
// outcome on a stranger's record. A new account's creation carries key (see
// updateAudited).
func (s *Service) accountFor(ctx context.Context, key *storage.PendingReservation, id domain.NationalID, name string, prepare func(*domain.Account) error, audit func(*domain.Account) []domain.AuditEntry) (*domain.Account, bool, error) {
	// Sealing (encrypting) the national ID is only needed to open an
	// account; most deposits are for learners the bank knows.
	var pii *domain.PersonalData
	for attempt := 0; attempt < 3; attempt++ {
		acc, err := s.accountByNationalID(ctx, id)
		if err == nil {
			if acc.Name != name {
				return nil, false, domain.Invalid("learner.name", "does not match the name registered for this national ID")
			}
			return acc, false, nil
		}
		if !errors.Is(err, domain.ErrNotFound) {
			return nil, false, err
		}
		if pii == nil {
			sealed, err := s.sealIdentity(id)
			if err != nil {
				return nil, false, err
			}
			pii = &sealed
		}
		acc, err = domain.NewAccount(name, *pii, id.BirthDate(), s.now())
		if err != nil {
			return nil, false, err
		}
		if err := prepare(acc); err != nil {
			return nil, false, err
		}
		entries := audit(acc)
		err = s.store.CreateAccount(ctx, key, acc, entries...)
		if errors.Is(err, storage.ErrAuditNotRecorded) {
			s.logAuditGap(entries, err)
			err = nil
		}
		if err == nil {
			return acc, true, nil
		}
		// Another request created it first; read theirs.
		if !errors.Is(err, domain.ErrConflict) {
			return nil, false, err
		}
	}
	return nil, false, domain.ErrStale
}

// mergeDecodeProblems puts unparseable fields first and drops the domain's
// own complaint about the same field (an unparsed date reads as missing).
func mergeDecodeProblems(v *domain.ValidationError, decode []domain.FieldProblem) *domain.ValidationError {
	if len(decode) == 0 {
		return v
	}
	bad := map[string]bool{}
	out := &domain.ValidationError{Problems: append([]domain.FieldProblem(nil), decode...)}
	for _, p := range decode {
		bad[p.Field] = true
	}
	for _, p := range v.Problems {
		if !bad[p.Field] {
			out.Problems = append(out.Problems, p)
		}
	}
	return out
}

func prefixed(v *domain.ValidationError, prefix string, err error) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			v.Add(prefix+p.Field, p.Reason)
		}
	}
}

// RevokeOutcome withdraws an outcome. Only its issuer can; to other
// institutions the outcome does not exist.
func (s *Service) RevokeOutcome(ctx context.Context, actor Actor, op Op, outcomeID uuid.UUID, reason string) (domain.Outcome, error) {
	if (actor.Role != domain.RoleStaff && actor.Role != domain.RoleClient) || !actor.Can(domain.PermIssue) {
		return domain.Outcome{}, domain.ErrForbidden
	}
	acc, err := s.store.GetAccountByOutcomeID(ctx, outcomeID)
	if err != nil {
		return domain.Outcome{}, err
	}
	if o, ok := acc.Outcome(outcomeID); !ok || o.IssuerID != actor.InstitutionID {
		return domain.Outcome{}, domain.ErrNotFound
	}
	var revoked domain.Outcome
	_, err = s.updateAudited(ctx, op.Reservation, acc.ID, nil, func(a *domain.Account) error {
		o, err := a.Revoke(outcomeID, actor.InstitutionID, reason, s.now())
		if err != nil {
			return err
		}
		revoked = *o
		return nil
	}, func(a *domain.Account) []domain.AuditEntry {
		return []domain.AuditEntry{auditEntry(s.now(), actor, "outcome.revoke", "outcome", outcomeID.String(), "account="+a.ID.String())}
	})
	if err != nil {
		return domain.Outcome{}, err
	}
	// The next status list download shows the bit flipped, and the next
	// signed revocation file lists the outcome.
	s.statusLists.invalidate()
	s.status.invalidate()
	return revoked, nil
}

// IssuedOutcomes pages the outcomes the actor's institution issued that
// match q, newest first, each with its learner's name and masked ID.
func (s *Service) IssuedOutcomes(ctx context.Context, actor Actor, q storage.OutcomeQuery, p storage.Page) ([]storage.IssuedOutcome, string, error) {
	if actor.Role != domain.RoleStaff && actor.Role != domain.RoleClient {
		return nil, "", domain.ErrForbidden
	}
	v := &domain.ValidationError{}
	if q.Status != "" && q.Status != domain.OutcomeActive && q.Status != domain.OutcomeRevoked {
		v.Add("status", "must be active or revoked")
	}
	if !q.CompletedFrom.IsZero() && !q.CompletedTo.IsZero() && q.CompletedTo.Before(q.CompletedFrom) {
		v.Add("to", "must not be before from")
	}
	if utf8.RuneCountInString(q.LearnerName) > 50 {
		v.Add("learner", "at most 50 characters")
	}
	if utf8.RuneCountInString(q.CourseCode) > 64 {
		v.Add("courseCode", "at most 64 characters")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return s.store.SearchIssuedOutcomes(ctx, actor.InstitutionID, q, p.Normalized())
}
