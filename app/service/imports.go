package service

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// importProgressEvery is how many rows pass between progress saves.
const importProgressEvery = 25

// maxReportedRowErrors bounds the errors kept on a job.
const maxReportedRowErrors = 1000

// StartImport validates a CSV upload and banks its rows in the background,
// reporting progress on the job. Rows are independent: a bad row is reported
// with its line and column and the others still land. Re-sending a file is
// safe: rows already banked count as duplicates.
func (s *Service) StartImport(ctx context.Context, actor Actor, data []byte) (*domain.ImportJob, error) {
	inst, err := s.checkIssuer(ctx, actor)
	if err != nil {
		return nil, err
	}
	rows, err := parseOutcomeCSV(data)
	if err != nil {
		return nil, err
	}
	now := domain.Now(s.now())
	job := &domain.ImportJob{ID: domain.NewID(), InstitutionID: inst.ID, CreatedBy: actor.ID.String(),
		State: domain.ImportQueued, Total: len(rows), CreatedAt: now, UpdatedAt: now}
	if err := s.store.SaveImportJob(ctx, job); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "import.start", "import", job.ID.String(), "")
	queued := *job
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		s.runImport(context.WithoutCancel(ctx), actor, inst, job, rows)
	}()
	return &queued, nil
}

// WaitForImports blocks until background imports finish (graceful shutdown).
func (s *Service) WaitForImports() { s.jobs.Wait() }

func (s *Service) runImport(ctx context.Context, actor Actor, inst *domain.Institution, job *domain.ImportJob, rows []csvRow) {
	job.State = domain.ImportRunning
	s.saveJob(ctx, job)
	for i, row := range rows {
		s.importRow(ctx, actor, inst, job, row)
		job.Done++
		if (i+1)%importProgressEvery == 0 {
			s.saveJob(ctx, job)
		}
	}
	job.State = domain.ImportDone
	s.saveJob(ctx, job)
	s.audit(ctx, actor, "import.done", "import", job.ID.String(), "")
}

func (s *Service) importRow(ctx context.Context, actor Actor, inst *domain.Institution, job *domain.ImportJob, row csvRow) {
	if row.err != nil {
		s.rowFailed(job, *row.err)
		return
	}
	res, err := s.issueFor(ctx, actor, inst, row.input)
	var ve *domain.ValidationError
	switch {
	case err == nil:
		job.OK++
		if res.AccountCreated {
			job.Created++
		}
	case errors.Is(err, domain.ErrDuplicate):
		job.Duplicates++
	case errors.As(err, &ve):
		problems := make([]domain.ImportRowError, 0, len(ve.Problems))
		for _, p := range ve.Problems {
			problems = append(problems, domain.ImportRowError{Line: row.line, Column: row.columnOf(p.Field), Reason: p.Reason})
		}
		s.rowFailed(job, problems...)
	case errors.Is(err, domain.ErrForbidden):
		s.rowFailed(job, domain.ImportRowError{Line: row.line, Reason: "institution may not issue this outcome"})
	default:
		s.log.Error("import row failed", "job", job.ID.String(), "line", row.line, "err", err)
		s.rowFailed(job, domain.ImportRowError{Line: row.line, Reason: "internal error; re-send the file to retry this row"})
	}
}

// rowFailed counts one failed row and keeps its problems, up to a bound.
func (s *Service) rowFailed(job *domain.ImportJob, problems ...domain.ImportRowError) {
	job.Failed++
	for _, p := range problems {
		if len(job.Errors) < maxReportedRowErrors {
			job.Errors = append(job.Errors, p)
		}
	}
}

// saveJob persists progress; the import continues even if a save fails, and
// the next save catches up.
func (s *Service) saveJob(ctx context.Context, job *domain.ImportJob) {
	job.UpdatedAt = domain.Now(s.now())
	if err := s.store.SaveImportJob(ctx, job); err != nil {
		s.log.Error("import progress not saved", "job", job.ID.String(), "err", err)
	}
}

// staleImportAfter is how long a running job may go without progress before
// it is reported as interrupted (the server stopped mid-import).
const staleImportAfter = 5 * time.Minute

// ImportJob reports a job to its institution; to others it does not exist.
func (s *Service) ImportJob(ctx context.Context, actor Actor, id uuid.UUID) (*domain.ImportJob, error) {
	if actor.Role != domain.RoleStaff && actor.Role != domain.RoleClient {
		return nil, domain.ErrForbidden
	}
	job, err := s.store.GetImportJob(ctx, id)
	if err != nil {
		return nil, err
	}
	if job.InstitutionID != actor.InstitutionID {
		return nil, domain.ErrNotFound
	}
	if (job.State == domain.ImportRunning || job.State == domain.ImportQueued) && s.now().Sub(job.UpdatedAt) > staleImportAfter {
		job.State = domain.ImportFailed
		job.Errors = append(job.Errors, domain.ImportRowError{Line: job.Done + 1,
			Reason: "import interrupted (server stopped); send the file again — rows already banked count as duplicates"})
	}
	return job, nil
}
