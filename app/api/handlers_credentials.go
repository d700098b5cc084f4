package api

import (
	"errors"

	"creditbank/app/service"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/domain"
)

type passwordChangeRequest struct {
	CurrentPassword string `json:"currentPassword"`
	NewPassword     string `json:"newPassword"`
}

// changePassword is throttled like login: a stolen access token must not be
// a way to guess the current password at speed.
func (s *Server) changePassword(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[passwordChangeRequest](s, c)
	if err != nil {
		return err
	}
	key := "password:" + actor.ID.String()
	if ok, wait := s.limiter.allow(key); !ok {
		c.Locals(retryAfterKey, retryAfterSeconds(wait))
		return domain.ErrRateLimited
	}
	pair, err := s.svc.ChangePassword(c.UserContext(), actor, req.CurrentPassword, req.NewPassword)
	if err != nil {
		if wrongCurrentPassword(err) {
			s.limiter.failure(key)
		}
		return err
	}
	s.limiter.success(key)
	return c.JSON(tokenFrom(pair))
}

func wrongCurrentPassword(err error) bool {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			if p.Field == "currentPassword" {
				return true
			}
		}
	}
	return false
}

type lookupRequest struct {
	NationalID string `json:"nationalId"`
}

// lookupLearner takes the national ID in the body, never the URL, so it
// stays out of access logs and browser history.
func (s *Server) lookupLearner(c *fiber.Ctx) error {
	actor, req, err := signedInRequest[lookupRequest](s, c)
	if err != nil {
		return err
	}
	acc, err := s.svc.FindLearner(c.UserContext(), actor, req.NationalID)
	if err != nil {
		return err
	}
	return c.JSON(accountFrom(acc))
}

func (s *Server) resetLearner(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error {
	acc, err := s.svc.ResetLearner(c.UserContext(), actor, id)
	if err != nil {
		return err
	}
	return c.JSON(accountFrom(acc))
}
