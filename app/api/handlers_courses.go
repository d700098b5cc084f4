package api

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// courseQuery reads ?q=&category=&institution= (copied: the strings outlive
// the handler inside the service call's query).
func courseQuery(c *fiber.Ctx) (domain.CourseQuery, error) {
	var inst uuid.UUID
	if raw := c.Query("institution"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return domain.CourseQuery{}, domain.Invalid("institution", "must be an institution id")
		}
		inst = id
	}
	return domain.NewCourseQuery(strings.Clone(c.Query("q")), strings.Clone(c.Query("category")), inst)
}

func (s *Server) searchCourses(c *fiber.Ctx) error {
	p, err := pageParams(c)
	if err != nil {
		return err
	}
	q, err := courseQuery(c)
	if err != nil {
		return err
	}
	items, next, err := s.svc.SearchCourses(c.UserContext(), q, p)
	if err != nil {
		return err
	}
	policy, err := s.svc.CreditPolicy(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageOf(items, next, func(co domain.Course) courseDTO {
		out := courseFrom(co)
		out.BankCredits = co.CreditsUnder(policy)
		return out
	}))
}

func (s *Server) getCourse(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	course, err := s.svc.Course(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(courseFrom(*course))
}

func (s *Server) myCourses(c *fiber.Ctx) error {
	return listPage(c, func(ctx context.Context, actor service.Actor, p storage.Page) ([]domain.Course, string, error) {
		q, err := courseQuery(c)
		if err != nil {
			return nil, "", err
		}
		return s.svc.InstitutionCourses(ctx, actor, q, p)
	}, courseFrom)
}

func (s *Server) createCourse(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[courseRequest](s, c)
	if err != nil {
		return err
	}
	course, err := s.svc.CreateCourse(c.UserContext(), actor, op, req.toInput())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(courseFrom(course))
}

func (s *Server) updateCourse(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	var req courseEditRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	course, err := s.svc.UpdateCourse(c.UserContext(), actor, id, req.Version, req.toInput())
	if err != nil {
		return err
	}
	return c.JSON(courseFrom(course))
}

// deleteCourse takes ?version= like PUT takes "version": optional, and a
// stale one is 409.
func (s *Server) deleteCourse(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	var version int64
	if raw := c.Query("version"); raw != "" {
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v < 1 {
			return badRequest("version must be a positive integer", nil)
		}
		version = v
	}
	if err := s.svc.DeleteCourse(c.UserContext(), actor, id, version); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) myPathways(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	ps, err := s.svc.Pathways(c.UserContext(), actor)
	if err != nil {
		return err
	}
	// Not paged: one entry per rule in effect, a bounded, computed list.
	return c.JSON(pageOf(ps, "", pathwayFrom))
}

func (s *Server) myAlerts(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	asOf := domain.Now(s.now())
	as, err := s.svc.Alerts(c.UserContext(), actor)
	if err != nil {
		return err
	}
	return c.JSON(alertsFrom(as, asOf))
}

func (s *Server) markAlertsSeen(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[alertsSeenRequest](s, c)
	if err != nil {
		return err
	}
	// An unparseable time is passed on as zero, which the domain refuses
	// after the service has checked who is asking.
	at, _ := time.Parse(time.RFC3339Nano, req.SeenAt)
	as, err := s.svc.MarkAlertsSeen(c.UserContext(), actor, at)
	if err != nil {
		return err
	}
	return c.JSON(alertsFrom(as, domain.Now(s.now())))
}
