package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

type issuedOutcomeDTO struct {
	outcomeDTO
	AccountCreated bool `json:"accountCreated"`
}

func (s *Server) issueOutcome(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	var req outcomeRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	in, problems := req.toInput()
	issue := service.IssueInput{NationalID: req.Learner.NationalID, Name: req.Learner.Name, Outcome: in, DecodeProblems: problems}
	if req.CourseID != nil {
		issue.CourseID = *req.CourseID
	}
	res, err := s.svc.IssueOutcome(c.UserContext(), actor, issue)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(issuedOutcomeDTO{outcomeFrom(res.Outcome, s.now()), res.AccountCreated})
}

type revokeRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) revokeOutcome(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	var req revokeRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.svc.RevokeOutcome(c.UserContext(), actor, id, req.Reason)
	if err != nil {
		return err
	}
	return c.JSON(outcomeFrom(o, s.now()))
}

func (s *Server) issuedOutcomes(c *fiber.Ctx) error {
	now := s.now()
	return listPage(c, s.svc.IssuedOutcomes, func(o domain.Outcome) outcomeDTO { return outcomeFrom(o, now) })
}
