package api

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
	"creditbank/domain"
)

type frameworkLevelDTO struct {
	Level      int    `json:"level"`
	NameZH     string `json:"nameZh"`
	NameEN     string `json:"nameEn"`
	Knowledge  string `json:"knowledge"`
	Skills     string `json:"skills"`
	Competence string `json:"competence"`
	EQF        int    `json:"eqf,omitempty"`
}

type frameworkDTO struct {
	NameZH    string              `json:"nameZh"`
	NameEN    string              `json:"nameEn"`
	Note      string              `json:"note,omitempty"`
	Levels    []frameworkLevelDTO `json:"levels"`
	Version   int64               `json:"version"`
	UpdatedAt *time.Time          `json:"updatedAt,omitempty"`
}

func frameworkFrom(f domain.Framework) frameworkDTO {
	out := frameworkDTO{NameZH: f.NameZH, NameEN: f.NameEN, Note: f.Note, Version: f.Version, Levels: []frameworkLevelDTO{}}
	if !f.UpdatedAt.IsZero() {
		t := f.UpdatedAt
		out.UpdatedAt = &t
	}
	for _, l := range f.Levels {
		out.Levels = append(out.Levels, frameworkLevelDTO(l))
	}
	return out
}

// frameworkRequest is the whole framework as the admin wants it; version,
// when given, is the one edited (a newer stored one is 409).
type frameworkRequest struct {
	NameZH  string              `json:"nameZh"`
	NameEN  string              `json:"nameEn"`
	Note    string              `json:"note"`
	Levels  []frameworkLevelDTO `json:"levels"`
	Version *int64              `json:"version"`
}

func (s *Server) getFramework(c *fiber.Ctx) error {
	f, err := s.svc.Framework(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(frameworkFrom(f))
}

func (s *Server) setFramework(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[frameworkRequest](s, c)
	if err != nil {
		return err
	}
	f := domain.Framework{NameZH: req.NameZH, NameEN: req.NameEN, Note: req.Note}
	for _, l := range req.Levels {
		f.Levels = append(f.Levels, domain.FrameworkLevel(l))
	}
	saved, err := s.svc.SetFramework(c.UserContext(), actor, f, req.Version)
	if err != nil {
		return err
	}
	return c.JSON(frameworkFrom(saved))
}

type unitDTO struct {
	Code             string    `json:"code"`
	TitleZH          string    `json:"titleZh"`
	TitleEN          string    `json:"titleEn"`
	Level            int       `json:"level"`
	Credits          float64   `json:"credits"`
	Hours            float64   `json:"hours"`
	Category         string    `json:"category"`
	LearningOutcomes string    `json:"learningOutcomes"`
	Assessment       string    `json:"assessment"`
	QANote           string    `json:"qaNote,omitempty"`
	Status           string    `json:"status"`
	Version          int64     `json:"version"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

func unitFrom(u domain.Unit) unitDTO {
	return unitDTO{
		Code: u.Code, TitleZH: u.TitleZH, TitleEN: u.TitleEN, Level: u.Level, Credits: u.Credits, Hours: u.Hours,
		Category: string(u.Category), LearningOutcomes: u.LearningOutcomes, Assessment: string(u.Assessment),
		QANote: u.QANote, Status: string(u.Status), Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

type unitRequest struct {
	Code             string  `json:"code"`
	TitleZH          string  `json:"titleZh"`
	TitleEN          string  `json:"titleEn"`
	Level            int     `json:"level"`
	Credits          float64 `json:"credits"`
	Hours            float64 `json:"hours"`
	Category         string  `json:"category"`
	LearningOutcomes string  `json:"learningOutcomes"`
	Assessment       string  `json:"assessment"`
	QANote           string  `json:"qaNote"`
	Status           string  `json:"status"`
	Version          *int64  `json:"version"`
}

func (r unitRequest) toInput() domain.UnitInput {
	return domain.UnitInput{
		Code: r.Code, TitleZH: r.TitleZH, TitleEN: r.TitleEN, Level: r.Level, Credits: r.Credits, Hours: r.Hours,
		Category: r.Category, LearningOutcomes: r.LearningOutcomes, Assessment: r.Assessment, QANote: r.QANote, Status: r.Status,
	}
}

// listUnits is public: ?category=&status=&level= narrow it.
func (s *Server) listUnits(c *fiber.Ctx) error {
	p, err := pageParams(c)
	if err != nil {
		return err
	}
	var q domain.UnitQuery
	if raw := c.Query("category"); raw != "" {
		cat, err := domain.ParseCategory(raw)
		if err != nil {
			return err
		}
		q.Category = cat
	}
	if raw := c.Query("status"); raw != "" {
		switch st := domain.UnitStatus(raw); st {
		case domain.UnitDraft, domain.UnitActive, domain.UnitRetired:
			q.Status = st
		default:
			return domain.Invalid("status", "must be draft, active or retired")
		}
	}
	if raw := c.Query("level"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > domain.MaxFrameworkLevels {
			return domain.Invalid("level", "must be between 1 and 10")
		}
		q.Level = n
	}
	items, next, err := s.svc.Units(c.UserContext(), q, p)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(items, next, unitFrom))
}

func (s *Server) getUnit(c *fiber.Ctx) error {
	u, err := s.svc.Unit(c.UserContext(), strings.Clone(c.Params("code")))
	if err != nil {
		return err
	}
	return c.JSON(unitFrom(u))
}

func (s *Server) createUnit(c *fiber.Ctx, op service.Op) error {
	actor, req, err := signedInRequest[unitRequest](s, c)
	if err != nil {
		return err
	}
	u, err := s.svc.CreateUnit(c.UserContext(), actor, op, req.toInput())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(unitFrom(u))
}

func (s *Server) updateUnit(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[unitRequest](s, c)
	if err != nil {
		return err
	}
	u, err := s.svc.UpdateUnit(c.UserContext(), actor, strings.Clone(c.Params("code")), req.toInput(), req.Version)
	if err != nil {
		return err
	}
	return c.JSON(unitFrom(u))
}
