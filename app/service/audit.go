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

// auditAll appends entries made by auditEntry, in order, in one wait.
func (s *Service) auditAll(ctx context.Context, es ...domain.AuditEntry) {
	if err := s.appendAudit(ctx, es...); err != nil {
		for _, e := range es {
			s.log.Error("audit append failed", "action", e.Action, "objectType", e.ObjectType, "objectId", e.ObjectID, "err", err)
		}
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

// appendAudit adds the entry to the chain and returns once it is stored.
//
// Every entry links to the one before it, so appends are serialised; one
// store round trip per entry would cap the whole bank at one audited change
// per commit. Instead appenders combine: whoever finds no append in flight
// becomes the leader and writes everything queued meanwhile as one batch,
// sealed in queue order on the head it remembers; the others wait for their
// entry's outcome.
func (s *Service) appendAudit(ctx context.Context, es ...domain.AuditEntry) error {
	// The change being audited has happened; finish recording it even if the
	// client has gone away.
	ctx = context.WithoutCancel(ctx)
	reqs := make([]*auditRequest, len(es))
	s.auditLock.Lock()
	for i, e := range es {
		reqs[i] = &auditRequest{entry: e, done: make(chan error, 1)}
		s.auditQueue = append(s.auditQueue, reqs[i])
	}
	lead := !s.auditLeading
	s.auditLeading = true
	s.auditLock.Unlock()
	if lead {
		s.leadAudit(ctx)
	}
	var errs []error
	for _, r := range reqs {
		errs = append(errs, <-r.done)
	}
	return errors.Join(errs...)
}

type auditRequest struct {
	entry domain.AuditEntry
	done  chan error
}

// maxAuditBatch bounds one batch (one store transaction).
const maxAuditBatch = 512

// leadAudit writes queued entries until the queue is empty.
func (s *Service) leadAudit(ctx context.Context) {
	for {
		s.auditLock.Lock()
		n := min(len(s.auditQueue), maxAuditBatch)
		batch := s.auditQueue[:n:n]
		s.auditQueue = s.auditQueue[n:]
		if n == 0 {
			s.auditLeading = false
			s.auditQueue = nil
			s.auditLock.Unlock()
			return
		}
		s.auditLock.Unlock()
		err := s.writeAuditBatch(ctx, batch)
		for _, r := range batch {
			r.done <- err
		}
	}
}

// writeAuditBatch seals the batch on the chain head and stores it. The head
// is remembered between batches; another instance appending to the same
// store makes our Seq collide, and then the head is read again and the rest
// of the batch re-sealed on it.
func (s *Service) writeAuditBatch(ctx context.Context, batch []*auditRequest) error {
	entries := make([]*domain.AuditEntry, len(batch))
	for attempt := 0; attempt < maxCASAttempts; attempt++ {
		if s.auditHead == nil || attempt > 0 {
			head, err := s.store.LastAudit(ctx)
			if errors.Is(err, domain.ErrNotFound) {
				head = nil
			} else if err != nil {
				return err
			}
			s.auditHead = head
		}
		prev := s.auditHead
		for i, r := range batch {
			e := r.entry
			e.Seal(prev)
			entries[i] = &e
			prev = &e
		}
		stored, err := s.store.AppendAudits(ctx, entries)
		if stored > 0 {
			s.auditHead = entries[stored-1]
			batch = batch[stored:]
			entries = entries[:len(batch)]
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, domain.ErrConflict) {
			s.auditHead = nil
			return err
		}
		if err := sleepJitter(ctx, attempt); err != nil {
			return err
		}
	}
	return domain.ErrStale
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
