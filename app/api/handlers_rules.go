package api

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

func (s *Server) listRules(c *fiber.Ctx) error {
	p, err := pageParams(c)
	if err != nil {
		return err
	}
	f := storage.RuleFilter{Status: domain.RuleStatus(c.Query("status")), Code: strings.ToUpper(strings.Clone(c.Query("code")))}
	switch f.Status {
	case "", domain.RuleDraft, domain.RulePublished, domain.RuleRetired:
	default:
		return badRequest("status must be draft, published or retired", nil)
	}
	if raw := c.Query("institutionId"); raw != "" {
		if f.InstitutionID, err = uuid.Parse(raw); err != nil {
			return badRequest("institutionId must be a UUID", nil)
		}
	}
	items, next, err := s.svc.ListRules(c.UserContext(), actorOf(c), f, p)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(items, next, ruleFrom))
}

func (s *Server) getRule(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := s.svc.GetRule(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(ruleFrom(*r))
}

func (s *Server) decodeRule(c *fiber.Ctx) (domain.Rule, error) {
	var req ruleRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return domain.Rule{}, err
	}
	return req.toDomain(s.now())
}

func (s *Server) createRule(c *fiber.Ctx, op service.Op) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	in, err := s.decodeRule(c)
	if err != nil {
		return err
	}
	r, err := s.svc.CreateRule(c.UserContext(), actor, op, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ruleFrom(r))
}

// editRule answers 200 for a draft changed in place and 201 when editing a
// published rule created its next version.
func (s *Server) editRule(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	in, err := s.decodeRule(c)
	if err != nil {
		return err
	}
	r, created, err := s.svc.EditRule(c.UserContext(), actor, id, in)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(ruleFrom(r))
}

// ruleAction adapts publish and retire, which share their shape.
func (s *Server) ruleAction(action func(ctx context.Context, actor service.Actor, id uuid.UUID) (domain.Rule, error)) fiber.Handler {
	return onObject(func(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
		r, err := action(c.UserContext(), actor, id)
		if err != nil {
			return err
		}
		return c.JSON(ruleFrom(r))
	})
}

// simulationDTO carries aggregates only. A suppressed figure is null with
// "suppressed": true, so a client cannot mistake it for zero.
type simulationDTO struct {
	Evaluated   int                 `json:"evaluated"`
	Eligible    *int                `json:"eligible"`
	Credits     *float64            `json:"credits"`
	Suppressed  bool                `json:"suppressed"`
	MinCellSize int                 `json:"minCellSize"`
	ByCategory  []simulationCellDTO `json:"byCategory"`
	ByRegion    []simulationCellDTO `json:"byRegion"`
	ByAgeBand   []simulationCellDTO `json:"byAgeBand"`
}

type simulationCellDTO struct {
	Key        string   `json:"key"`
	Eligible   *int     `json:"eligible"`
	Credits    *float64 `json:"credits"`
	Suppressed bool     `json:"suppressed"`
}

func simulationCells(cells []domain.SimulationCell) []simulationCellDTO {
	out := make([]simulationCellDTO, 0, len(cells))
	for _, c := range cells {
		d := simulationCellDTO{Key: c.Key, Suppressed: c.Suppressed}
		if !c.Suppressed {
			n, cr := c.Eligible, c.Credits
			d.Eligible, d.Credits = &n, &cr
		}
		out = append(out, d)
	}
	return out
}

func (s *Server) simulateRule(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	sim, err := s.svc.SimulateRule(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	out := simulationDTO{Evaluated: sim.Evaluated, Suppressed: sim.Suppressed, MinCellSize: domain.MinSimulationCell,
		ByCategory: simulationCells(sim.ByCategory), ByRegion: simulationCells(sim.ByRegion), ByAgeBand: simulationCells(sim.ByAgeBand)}
	if !sim.Suppressed {
		n, cr := sim.Eligible, sim.Credits
		out.Eligible, out.Credits = &n, &cr
	}
	return c.JSON(out)
}
