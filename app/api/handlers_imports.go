package api

import (
	"io"
	"strings"
	"time"

	"creditbank/app/service"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/domain"
)

type rowErrorDTO struct {
	Line   int    `json:"line"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

type importJobDTO struct {
	ID            uuid.UUID     `json:"id"`
	InstitutionID uuid.UUID     `json:"institutionId"`
	State         string        `json:"state"`
	Total         int           `json:"total"`
	Done          int           `json:"done"`
	OK            int           `json:"ok"`
	Failed        int           `json:"failed"`
	Created       int           `json:"created"`
	Duplicates    int           `json:"duplicates"`
	Errors        []rowErrorDTO `json:"errors"`
	CreatedAt     time.Time     `json:"createdAt"`
	UpdatedAt     time.Time     `json:"updatedAt"`
}

func importJobFrom(j domain.ImportJob) importJobDTO {
	out := importJobDTO{ID: j.ID, InstitutionID: j.InstitutionID, State: string(j.State), Total: j.Total, Done: j.Done,
		OK: j.OK, Failed: j.Failed, Created: j.Created, Duplicates: j.Duplicates, Errors: []rowErrorDTO{},
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
	for _, e := range j.Errors {
		out.Errors = append(out.Errors, rowErrorDTO{Line: e.Line, Column: e.Column, Reason: e.Reason})
	}
	return out
}

// importOutcomes takes a CSV as the raw body (text/csv) or as the "file"
// field of a form upload, and answers 202 with the job to poll.
func (s *Server) importOutcomes(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	var data []byte
	if strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return badRequest("form upload needs a \"file\" field", nil)
		}
		f, err := fh.Open()
		if err != nil {
			return badRequest("cannot read the uploaded file", nil)
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, int64(s.cfg.BodyLimit)+1)); err != nil {
			return badRequest("cannot read the uploaded file", nil)
		}
	} else {
		data = append([]byte(nil), c.Body()...) // the job outlives Fiber's buffer
	}
	if len(data) == 0 {
		return badRequest("empty upload: send a CSV file", nil)
	}
	job, err := s.svc.StartImport(c.UserContext(), actor, data)
	if err != nil {
		return err
	}
	c.Location("/api/v1/imports/" + job.ID.String())
	return c.Status(fiber.StatusAccepted).JSON(importJobFrom(*job))
}

func (s *Server) getImport(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	job, err := s.svc.ImportJob(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	return c.JSON(importJobFrom(*job))
}
