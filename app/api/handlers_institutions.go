package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

func (s *Server) listInstitutions(c *fiber.Ctx) error {
	p, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.ListInstitutions(c.UserContext(), p)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(items, next, institutionFrom))
}

func (s *Server) getInstitution(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	inst, err := s.svc.GetInstitution(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(institutionFrom(*inst))
}

func (s *Server) createInstitution(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[institutionRequest](s, c)
	if err != nil {
		return err
	}
	created, err := s.svc.CreateInstitution(c.UserContext(), actor, op, domain.InstitutionInput{
		Name: req.Name, Kind: req.Kind, Region: req.Region, Capabilities: req.Capabilities, Categories: req.Categories,
		Contact: domain.Contact{Address: req.Address, Phone: req.Phone, Website: req.Website},
	})
	if err != nil {
		return err
	}
	out := institutionFrom(created.Institution)
	out.ClientID, out.ClientSecret = created.ClientID, created.ClientSecret
	return c.Status(fiber.StatusCreated).JSON(out)
}

type statusRequest struct {
	Status string `json:"status"`
}

func (s *Server) setInstitutionStatus(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	var req statusRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	inst, err := s.svc.SetInstitutionStatus(c.UserContext(), actor, id, domain.InstitutionStatus(req.Status))
	if err != nil {
		return err
	}
	return c.JSON(institutionFrom(*inst))
}

type staffRequest struct {
	Username string   `json:"username"`
	Password string   `json:"password"`
	Perms    []string `json:"perms"`
}

func (s *Server) createStaff(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error {
	var req staffRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.svc.CreateStaff(c.UserContext(), actor, op, id, service.StaffInput{Username: req.Username, Password: req.Password, Perms: req.Perms})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(userFrom(*u))
}

type policyDTO struct {
	HoursPerCredit map[string]float64 `json:"hoursPerCredit"`
	Version        int64              `json:"version"`
}

func policyFrom(p domain.CreditPolicy) policyDTO {
	out := policyDTO{HoursPerCredit: map[string]float64{}, Version: p.Version}
	for c, h := range p.HoursPerCredit {
		out.HoursPerCredit[string(c)] = h
	}
	return out
}

func (s *Server) getPolicy(c *fiber.Ctx) error {
	p, err := s.svc.CreditPolicy(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(policyFrom(p))
}

type policyRequest struct {
	HoursPerCredit map[string]float64 `json:"hoursPerCredit"`
}

func (s *Server) setPolicy(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[policyRequest](s, c)
	if err != nil {
		return err
	}
	in := map[domain.Category]float64{}
	for k, v := range req.HoursPerCredit {
		in[domain.Category(k)] = v
	}
	p, err := s.svc.SetCreditPolicy(c.UserContext(), actor, in)
	if err != nil {
		return err
	}
	return c.JSON(policyFrom(p))
}
