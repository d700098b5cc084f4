package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

type issuedOutcomeDTO struct {
	outcomeDTO
	AccountCreated bool `json:"accountCreated"`
}

func (s *Server) issueOutcome(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[outcomeRequest](s, c)
	if err != nil {
		return err
	}
	in, problems := req.toInput()
	issue := service.IssueInput{NationalID: req.Learner.NationalID, Name: req.Learner.Name, Outcome: in, DecodeProblems: problems}
	if req.CourseID != nil {
		issue.CourseID = *req.CourseID
	}
	res, err := s.svc.IssueOutcome(c.UserContext(), actor, op, issue)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(issuedOutcomeDTO{outcomeFrom(res.Outcome, s.now()), res.AccountCreated})
}

type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) revokeOutcome(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error {
	var req revokeRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.svc.RevokeOutcome(c.UserContext(), actor, op, id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(outcomeFrom(o, s.now()))
}

// issuedOutcomeRow is an outcome in its issuer's list: with the learner's
// name and masked national ID, so that two rows of one course can be told
// apart (the full ID never leaves the server).
type issuedOutcomeRow struct {
	outcomeDTO
	LearnerName     string `json:"learnerName"`
	LearnerIDMasked string `json:"learnerIdMasked"`
}

// issuedOutcomes lists the caller's institution's outcomes newest first,
// narrowed by ?learner= (part of the name), courseCode= (part of the code),
// status= (active, revoked) and from=/to= (completion dates, included).
func (s *Server) issuedOutcomes(c *fiber.Ctx) error {
	actor, p, err := signedInPage(c)
	if err != nil {
		return err
	}
	q := storage.OutcomeQuery{
		LearnerName: strings.TrimSpace(strings.Clone(c.Query("learner"))),
		CourseCode:  strings.TrimSpace(strings.Clone(c.Query("courseCode"))),
		Status:      domain.OutcomeStatus(strings.Clone(c.Query("status"))),
	}
	v := &domain.ValidationError{}
	for _, d := range []struct {
		field string
		into  *time.Time
	}{{"from", &q.CompletedFrom}, {"to", &q.CompletedTo}} {
		if raw := c.Query(d.field); raw != "" {
			t, err := time.Parse(time.DateOnly, raw)
			if err != nil {
				v.Add(d.field, "must be a date like 2024-06-30")
				continue
			}
			*d.into = t
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	items, next, err := s.svc.IssuedOutcomes(c.UserContext(), actor, q, p)
	if err != nil {
		return err
	}
	now := s.now()
	return c.JSON(pageOf(items, next, func(o storage.IssuedOutcome) issuedOutcomeRow {
		return issuedOutcomeRow{outcomeFrom(o.Outcome, now), o.LearnerName, o.LearnerIDMasked}
	}))
}
