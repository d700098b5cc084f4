package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
)

// submittedRules is the admin's queue of drafts waiting for publication,
// oldest submission first.
func (s *Server) submittedRules(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	rules, err := s.svc.SubmittedRules(c.UserContext(), actor)
	if err != nil {
		return err
	}
	items := make([]ruleDTO, len(rules))
	for i, r := range rules {
		items[i] = ruleFrom(r)
	}
	return c.JSON(fiber.Map{"items": items})
}

type returnRequest struct {
	Note string `json:"note"`
}

// returnRule sends a submitted draft back with the admin's note.
func (s *Server) returnRule(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	var req returnRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.svc.ReturnRule(c.UserContext(), actor, id, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(ruleFrom(r))
}
