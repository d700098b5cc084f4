package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

type accessEntryDTO struct {
	ID            uuid.UUID  `json:"id"`
	At            time.Time  `json:"at"`
	Kind          string     `json:"kind"` // institution, centre, helper
	Name          string     `json:"name"`
	InstitutionID *uuid.UUID `json:"institutionId,omitempty"`
	Action        string     `json:"action"`
	Detail        string     `json:"detail,omitempty"`
}

func accessEntryFrom(e domain.AccessEntry) accessEntryDTO {
	out := accessEntryDTO{ID: e.ID, At: e.At, Kind: string(e.Kind), Name: e.Name, Action: string(e.Action), Detail: e.Detail}
	if e.InstitutionID != uuid.Nil {
		id := e.InstitutionID
		out.InstitutionID = &id
	}
	return out
}

// myAccessLog shows the learner who other than themselves read their record.
func (s *Server) myAccessLog(c *fiber.Ctx) error {
	return listPage(c, s.svc.AccessLog, accessEntryFrom)
}

type helperRequest struct {
	NationalID string `json:"nationalId"`
	Name       string `json:"name"`
	Days       int    `json:"days"`
}

// helperDTO shows a helper grant to the learner who made it; the helper's
// national ID only ever appears masked.
type helperDTO struct {
	ID          uuid.UUID  `json:"id"`
	HelperID    uuid.UUID  `json:"helperId"`
	HelperName  string     `json:"helperName"`
	NationalID  string     `json:"nationalId"`
	CreatedAt   time.Time  `json:"createdAt"`
	ExpiresAt   time.Time  `json:"expiresAt"`
	WithdrawnAt *time.Time `json:"withdrawnAt,omitempty"`
	Live        bool       `json:"live"`
}

func helperFrom(h domain.HelperGrant, now time.Time) helperDTO {
	return helperDTO{ID: h.ID, HelperID: h.HelperID, HelperName: h.HelperName, NationalID: h.HelperIDMasked,
		CreatedAt: h.CreatedAt, ExpiresAt: h.ExpiresAt, WithdrawnAt: h.WithdrawnAt, Live: h.Live(now)}
}

// nameHelper is throttled per learner on misses: the form answers whether
// an ID and name belong to a registered learner.
func (s *Server) nameHelper(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[helperRequest](s, c)
	if err != nil {
		return err
	}
	key := "helper:" + actor.ID.String()
	if ok, wait := s.limiter.allow(key); !ok {
		c.Locals(retryAfterKey, retryAfterSeconds(wait))
		return domain.ErrRateLimited
	}
	g, err := s.svc.NameHelper(c.UserContext(), actor, op, req.NationalID, req.Name, req.Days)
	if err != nil {
		if service.IsHelperLookupMiss(err) {
			s.limiter.failure(key)
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(helperFrom(g, s.now()))
}

func (s *Server) listHelpers(c *fiber.Ctx) error {
	now := s.now()
	return listPage(c, s.svc.Helpers, func(h domain.HelperGrant) helperDTO { return helperFrom(h, now) })
}

func (s *Server) withdrawHelper(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	if err := s.svc.WithdrawHelper(c.UserContext(), actor, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type assistedDTO struct {
	AccountID  uuid.UUID `json:"accountId"`
	Name       string    `json:"name"`
	NationalID string    `json:"nationalId"` // masked
	GrantID    uuid.UUID `json:"grantId"`
	Since      time.Time `json:"since"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// assisting lists the learners who named the caller as their helper; each
// record is then read at /learners/{id}/record.
func (s *Server) assisting(c *fiber.Ctx) error {
	return listPage(c, s.svc.Assisting, func(a service.Assisted) assistedDTO {
		return assistedDTO{AccountID: a.Account.ID, Name: a.Account.Name, NationalID: a.Account.PII.NationalIDMasked,
			GrantID: a.Grant.ID, Since: a.Grant.CreatedAt, ExpiresAt: a.Grant.ExpiresAt}
	})
}

// previewFor and applyFor are the conversion routes under an account: a
// helper acting for the learner who named them (or the learner themselves).
func (s *Server) previewFor(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	var req ruleRef
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	ev, rule, err := s.svc.PreviewConversionFor(c.UserContext(), actor, id, req.RuleID)
	if err != nil {
		return err
	}
	return c.JSON(previewDTO{evaluationDTO(ev), rule.ID, rule.Version})
}

func (s *Server) applyFor(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error {
	var req ruleRef
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	conv, err := s.svc.ApplyConversionFor(c.UserContext(), actor, op, id, req.RuleID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(conversionFrom(conv))
}
