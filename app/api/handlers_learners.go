package api

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

type registerRequest struct {
	NationalID string `json:"nationalId"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Password   string `json:"password"`
}

// registerLearner is throttled per client IP like the credential endpoints:
// its 409 for an existing account would otherwise let anyone test national
// IDs at speed.
func (s *Server) registerLearner(c *fiber.Ctx, op service.Op) error {
	var req registerRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	actor := actorOf(c)
	key := "register:" + actor.ClientIP
	if actor.Anonymous() {
		if ok, wait := s.limiter.allow(key); !ok {
			c.Locals(retryAfterKey, retryAfterSeconds(wait))
			return domain.ErrRateLimited
		}
	}
	acc, created, err := s.svc.RegisterLearner(c.UserContext(), actor, op, service.RegisterInput{
		NationalID: req.NationalID, Name: req.Name, Phone: req.Phone, Password: req.Password,
	})
	if err != nil {
		if actor.Anonymous() && errors.Is(err, domain.ErrConflict) {
			s.limiter.failure(key)
		}
		return err
	}
	status := fiber.StatusOK // claimed an account an institution opened
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(accountFrom(acc))
}

func (s *Server) myRecord(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	if actor.Role != domain.RoleLearner {
		return domain.ErrForbidden
	}
	// The service is asked every time, cached or not: it is what checks
	// the account and tells which version is current.
	acc, err := s.svc.Record(c.UserContext(), actor, actor.ID)
	if err != nil {
		return err
	}
	now := s.now()
	body := s.records.get(acc.ID, acc.Version, now)
	if body == nil {
		if body, err = s.encodeRecord(recordFrom(acc, now, true)); err != nil {
			return err
		}
		from, until := ownRecordValidity(acc, now)
		s.records.put(acc.ID, &renderedRecord{version: acc.Version, from: from, until: until, body: body})
	}
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	return c.Send(body)
}

func (s *Server) sharedRecord(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	acc, err := s.svc.Record(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	now := s.now()
	out := recordFrom(acc, now, actor.ID == acc.ID) // a helper does not see the learner's grants
	if actor.Role == domain.RoleStaff || actor.Role == domain.RoleClient {
		for _, g := range acc.Grants {
			if g.InstitutionID == actor.InstitutionID && g.Live(now) && (out.SharedUntil == nil || g.ExpiresAt.After(*out.SharedUntil)) {
				until := g.ExpiresAt
				out.SharedUntil = &until
			}
		}
	}
	body, err := s.encodeRecord(out)
	if err != nil {
		return err
	}
	c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	return c.Send(body)
}

// encodeRecord encodes a record as s.encode (encoding/json, Fiber's
// default) would, through the reflection-free recordJSON when it can.
func (s *Server) encodeRecord(r recordDTO) ([]byte, error) {
	if body, err := recordJSON(&r); err == nil {
		return body, nil
	}
	return s.encode(r)
}

type myDataResponse struct {
	Record     recordDTO `json:"record"`
	NationalID string    `json:"nationalId"`
	Phone      string    `json:"phone,omitempty"`
}

// myData is the learner's right of access: everything held about them,
// identifiers included, as a download.
func (s *Server) myData(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	data, err := s.svc.MyData(c.UserContext(), actor)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="my-credit-bank-data.json"`)
	return c.JSON(myDataResponse{Record: recordFrom(data.Account, s.now(), true), NationalID: data.NationalID, Phone: data.Phone})
}

type grantRequest struct {
	InstitutionID uuid.UUID `json:"institutionId"`
	Days          int       `json:"days"`
}

func (s *Server) createGrant(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[grantRequest](s, c)
	if err != nil {
		return err
	}
	g, extended, err := s.svc.Grant(c.UserContext(), actor, op, req.InstitutionID, req.Days)
	if err != nil {
		return err
	}
	if extended {
		// The live share was extended: nothing new was created.
		return c.JSON(grantResult{grantFrom(g, s.now()), true})
	}
	return c.Status(fiber.StatusCreated).JSON(grantResult{grantFrom(g, s.now()), false})
}

// grantResult is a share as created or extended.
type grantResult struct {
	grantDTO
	Extended bool `json:"extended"`
}

func (s *Server) withdrawGrant(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	if err := s.svc.WithdrawGrant(c.UserContext(), actor, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type sharedRecordDTO struct {
	AccountID  uuid.UUID `json:"accountId"`
	Name       string    `json:"name"`
	NationalID string    `json:"nationalId"`
	GrantedAt  time.Time `json:"grantedAt"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// sharedWithMe lists the learners who share their record with the caller's
// institution; each record is then read at /learners/{id}/record.
func (s *Server) sharedWithMe(c *fiber.Ctx) error {
	return listPage(c, s.svc.SharedWithMe, func(r service.SharedRecord) sharedRecordDTO {
		return sharedRecordDTO{AccountID: r.Account.ID, Name: r.Account.Name, NationalID: r.Account.PII.NationalIDMasked,
			GrantedAt: r.Grant.CreatedAt, ExpiresAt: r.Grant.ExpiresAt}
	})
}
