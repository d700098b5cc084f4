package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

type ruleRef struct {
	RuleID uuid.UUID `json:"ruleId"`
}

type previewDTO struct {
	evaluationJSON
	RuleID      uuid.UUID `json:"ruleId"`
	RuleVersion int       `json:"ruleVersion"`
}

func (s *Server) previewConversion(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[ruleRef](s, c)
	if err != nil {
		return err
	}
	ev, rule, err := s.svc.PreviewConversion(c.UserContext(), actor, req.RuleID)
	if err != nil {
		return err
	}
	return c.JSON(previewDTO{evaluationDTO(ev), rule.ID, rule.Version})
}

func (s *Server) applyConversion(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[ruleRef](s, c)
	if err != nil {
		return err
	}
	conv, err := s.svc.ApplyConversion(c.UserContext(), actor, op, req.RuleID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(conversionFrom(conv))
}

func (s *Server) reviewQueue(c *fiber.Ctx) error {
	actor, p, err := signedInPage(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.ReviewQueue(c.UserContext(), actor, domain.ConversionStatus(c.Query("status")), p)
	if err != nil {
		return err
	}
	now := s.svc.Now()
	return c.JSON(pageOf(items, next, func(it service.ReviewItem) reviewItemDTO {
		evidence := make([]evidenceDTO, len(it.Evidence))
		for i, e := range it.Evidence {
			evidence[i] = evidenceDTO{outcomeFrom(e.Outcome, now), e.IssuerName}
		}
		return reviewItemDTO{conversionFrom(it.Conversion), it.LearnerName, it.NationalIDMasked, evidence}
	}))
}

type reviewItemDTO struct {
	conversionDTO
	LearnerName       string        `json:"learnerName"`
	LearnerNationalID string        `json:"learnerNationalId"`
	Evidence          []evidenceDTO `json:"evidence"`
}

// evidenceDTO is a used outcome in full, with its issuer's name.
type evidenceDTO struct {
	outcomeDTO
	IssuerName string `json:"issuerName"`
}

type decisionRequest struct {
	Note string `json:"note"`
}

func (s *Server) decideConversion(decision service.Decision) keyedHandler {
	return onKeyedObject(func(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error {
		var req decisionRequest
		if len(c.Body()) > 0 {
			if err := s.decodeJSON(c, &req); err != nil {
				return err
			}
		}
		conv, err := s.svc.DecideConversion(c.UserContext(), actor, op, id, decision, req.Note)
		if err != nil {
			return err
		}
		return c.JSON(conversionFrom(conv))
	})
}
