package api

import (
	"github.com/gofiber/fiber/v2"
)

// myNoticeHistory lists every notice the learner has had, newest first,
// with the reviewer's or issuer's reason: what Alerts stops showing once
// seen can be read again here.
func (s *Server) myNoticeHistory(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	as, err := s.svc.NoticeHistory(c.UserContext(), actor)
	if err != nil {
		return err
	}
	out := struct {
		Items []alertDTO `json:"items"`
	}{Items: make([]alertDTO, 0, len(as))}
	for _, a := range as {
		out.Items = append(out.Items, alertFrom(a))
	}
	return c.JSON(out)
}
