package api

import (
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

// setStaffStatus suspends or reactivates a staff member of the institution
// in the path.
func (s *Server) setStaffStatus(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	instID, err := idParam(c, "id")
	if err != nil {
		return err
	}
	userID, err := idParam(c, "userId")
	if err != nil {
		return err
	}
	var req statusRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.svc.SetStaffStatus(c.UserContext(), actor, instID, userID, domain.UserStatus(req.Status))
	if err != nil {
		return err
	}
	return c.JSON(userFrom(*u))
}

func (s *Server) listStaff(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	users, err := s.svc.Staff(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	out := make([]userDTO, len(users))
	for i, u := range users {
		out[i] = userFrom(u)
	}
	return c.JSON(fiber.Map{"items": out})
}
