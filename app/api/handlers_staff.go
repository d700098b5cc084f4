package api

import (
	"github.com/gofiber/fiber/v2"

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
