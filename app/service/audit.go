package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// audit appends one hash-chained entry for a state change. The change itself
// has already been saved, so a failure here is logged loudly rather than
// returned: the caller's data is safe, and `audit verify` will show the gap.
func (s *Service) audit(ctx context.Context, actor Actor, action, objectType, objectID, detail string) {
	s.auditAll(ctx, auditEntry(s.now(), actor, action, objectType, objectID, detail))
}

// auditAll appends entries made by auditEntry, in order, in one wait. The
// store seals them on its chain head (SQLite inside its grouped
// transaction, MongoDB through storage.AuditChain). The change being
// audited has happened, so recording it goes on even if the client has
// gone away. Changes to an account pass their entries to the save instead
// (updateAudited).
func (s *Service) auditAll(ctx context.Context, es ...domain.AuditEntry) {
	if err := s.store.RecordAudits(context.WithoutCancel(ctx), es); err != nil {
		s.logAuditGap(es, err)
	}
}

// logAuditGap reports entries of a change that happened but could not be
// recorded; `audit verify` cannot see a missing entry, so the log must.
func (s *Service) logAuditGap(es []domain.AuditEntry, err error) {
	for _, e := range es {
		s.log.Error("audit append failed", "action", e.Action, "objectType", e.ObjectType, "objectId", e.ObjectID, "err", err)
	}
}

// auditEntry describes one state change for the audit log.
func auditEntry(at time.Time, actor Actor, action, objectType, objectID, detail string) domain.AuditEntry {
	e := domain.AuditEntry{
		At:         at,
		ActorID:    actor.ID.String(),
		Role:       actor.Role,
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID,
		ClientIP:   actor.ClientIP,
		RequestID:  actor.RequestID,
		Detail:     detail,
	}
	if actor.InstitutionID != [16]byte{} {
		e.InstitutionID = actor.InstitutionID.String()
	}
	return e
}

// ListAudit pages the audit log for admins.
func (s *Service) ListAudit(ctx context.Context, actor Actor, f storage.AuditFilter, p storage.Page) ([]domain.AuditEntry, string, error) {
	if actor.Role != domain.RoleAdmin {
		return nil, "", domain.ErrForbidden
	}
	return s.store.ListAudit(ctx, f, p.Normalized())
}

// AuditReport is the result of checking the audit chain. HeadSeq and
// HeadHash identify the last entry: recorded outside the store (an
// operations log, a printed report), they let a later check detect that the
// newest entries were removed, which the chain alone cannot show.
type AuditReport struct {
	Valid    bool
	Entries  int64
	Problem  string
	HeadSeq  int64
	HeadHash string
}

// AuditAnchor is a chain head recorded earlier.
type AuditAnchor struct {
	Seq  int64
	Hash string
}

// VerifyAudit replays the whole chain, streaming. With an anchor it also
// checks that the recorded entry is still there, unchanged.
func (s *Service) VerifyAudit(ctx context.Context, anchor *AuditAnchor) (AuditReport, error) {
	var v domain.AuditChainVerifier
	var problem error
	err := s.store.ScanAuditIndexed(ctx, func(e domain.AuditEntry, idx storage.AuditIndex) error {
		if err := v.Next(e); err != nil {
			problem = err
			return errStopScan
		}
		if err := checkAuditIndex(e, idx); err != nil {
			problem = err
			return errStopScan
		}
		if anchor != nil && e.Seq == anchor.Seq && e.Hash != anchor.Hash {
			problem = fmt.Errorf("audit entry %d: hash differs from the recorded anchor (log rewritten)", e.Seq)
			return errStopScan
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopScan) {
		return AuditReport{}, err
	}
	if problem == nil && anchor != nil && v.Count() < anchor.Seq {
		problem = fmt.Errorf("audit entry %d: missing, the log ends at entry %d (newest entries removed)", anchor.Seq, v.Count())
	}
	report := AuditReport{Valid: problem == nil, Entries: v.Count(), HeadSeq: v.Count(), HeadHash: v.Head()}
	if problem != nil {
		report.Problem = problem.Error()
	}
	return report, nil
}

var errStopScan = errors.New("stop scan")

// checkAuditIndex compares what filtered audit searches see with the hashed
// entry. An edited search value leaves the chain intact but hides the entry
// from (or plants it in) `GET /audit?actor=…`, so it is tampering too. The
// message names the fields, not their values: the entry number finds the
// row, and the report should not repeat whatever a tamperer wrote there.
func checkAuditIndex(e domain.AuditEntry, idx storage.AuditIndex) error {
	var bad []string
	if idx.ActorID != e.ActorID {
		bad = append(bad, "actor")
	}
	if idx.InstitutionID != e.InstitutionID {
		bad = append(bad, "institution")
	}
	if idx.Action != e.Action {
		bad = append(bad, "action")
	}
	if idx.At.UnixMilli() != e.At.UnixMilli() {
		bad = append(bad, "time")
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("audit entry %d: search index (%s) disagrees with the hashed entry (index edited to hide or misfile it)", e.Seq, strings.Join(bad, ", "))
}
