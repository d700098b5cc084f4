package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

// objectionDTO never names who objected: the learner sees the reason only.
type objectionDTO struct {
	At         time.Time  `json:"at"`
	Reason     string     `json:"reason"`
	Resolution string     `json:"resolution,omitempty"`
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
}

type appealDTO struct {
	At         time.Time  `json:"at"`
	Reason     string     `json:"reason"`
	Resolution string     `json:"resolution,omitempty"`
	DecidedAt  *time.Time `json:"decidedAt,omitempty"`
	Note       string     `json:"note,omitempty"`
}

func objectionsFrom(os []domain.Objection) []objectionDTO {
	if len(os) == 0 {
		return nil
	}
	out := make([]objectionDTO, len(os))
	for i, o := range os {
		out[i] = objectionDTO{At: o.At, Reason: o.Reason, Resolution: string(o.Resolution), ResolvedAt: o.ResolvedAt}
	}
	return out
}

func appealFrom(a *domain.Appeal) *appealDTO {
	if a == nil {
		return nil
	}
	return &appealDTO{At: a.At, Reason: a.Reason, Resolution: string(a.Resolution), DecidedAt: a.DecidedAt, Note: a.Note}
}

// noticeDTO is one public notice: no ID number, the name masked, what was
// recognised and until when objections are heard.
type noticeDTO struct {
	ConversionID    uuid.UUID    `json:"conversionId"`
	Learner         string       `json:"learner"`
	RuleCode        string       `json:"ruleCode"`
	RuleName        string       `json:"ruleName"`
	Purpose         string       `json:"purpose"`
	InstitutionID   uuid.UUID    `json:"institutionId"`
	InstitutionName string       `json:"institutionName"`
	Recognised      []noticeUsed `json:"recognised"`
	AwardedCredits  float64      `json:"awardedCredits"`
	DecidedAt       *time.Time   `json:"decidedAt,omitempty"`
	NoticeEndsAt    *time.Time   `json:"noticeEndsAt"`
}

type noticeUsed struct {
	Title    string  `json:"title"`
	Category string  `json:"category"`
	Credits  float64 `json:"credits"`
}

func noticeFrom(n service.Notice) noticeDTO {
	c := n.Conversion
	out := noticeDTO{ConversionID: c.ID, Learner: n.LearnerMasked, RuleCode: c.RuleCode, RuleName: c.RuleName,
		Purpose: string(c.Purpose), InstitutionID: c.InstitutionID, InstitutionName: n.InstitutionName,
		Recognised: []noticeUsed{}, AwardedCredits: c.Evaluation.AwardedCredits, DecidedAt: c.DecidedAt, NoticeEndsAt: c.NoticeEndsAt}
	for _, u := range c.Evaluation.Used {
		out.Recognised = append(out.Recognised, noticeUsed{Title: u.Title, Category: string(u.Category), Credits: u.Credits})
	}
	return out
}

func (s *Server) listNotices(c *fiber.Ctx) error {
	ns, err := s.svc.Notices(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]noticeDTO, 0, len(ns))
	for _, n := range ns {
		items = append(items, noticeFrom(n))
	}
	return c.JSON(fiber.Map{"items": items})
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) objectToConversion(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error {
	var req reasonRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	conv, err := s.svc.ObjectToConversion(c.UserContext(), actor, op, id, req.Reason)
	if err != nil {
		return err
	}
	// The objector may be anyone: answer with what the public sees.
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"conversionId": conv.ID, "status": string(conv.Status)})
}

func (s *Server) appealConversion(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error {
	var req reasonRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	conv, err := s.svc.AppealConversion(c.UserContext(), actor, op, id, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(conversionFrom(conv))
}
