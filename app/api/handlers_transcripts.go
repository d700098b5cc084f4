package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
)

type transcriptDTO struct {
	Transcript string                    `json:"transcript"`
	View       service.TranscriptSubject `json:"view"`
	IssuedAt   time.Time                 `json:"issuedAt"`
	ExpiresAt  time.Time                 `json:"expiresAt"`
}

func (s *Server) transcript(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	t, err := s.svc.IssueTranscript(c.UserContext(), actor)
	if err != nil {
		return err
	}
	return c.JSON(transcriptDTO{Transcript: t.Token, View: t.Subject, IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt})
}

type verifyRequest struct {
	Transcript string `json:"transcript"`
}

type checkDTO struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Message string `json:"message"`
}

type verifyDTO struct {
	Valid           bool                        `json:"valid"`
	Checks          []checkDTO                  `json:"checks"`
	RevokedOutcomes []service.TranscriptOutcome `json:"revokedOutcomes"`
	Subject         *service.TranscriptSubject  `json:"subject,omitempty"`
	IssuedAt        *time.Time                  `json:"issuedAt,omitempty"`
	ExpiresAt       *time.Time                  `json:"expiresAt,omitempty"`
}

// verifyTranscript lets anyone (an admissions office, an employer) check a
// transcript a learner handed them.
func (s *Server) verifyTranscript(c *fiber.Ctx) error {
	var req verifyRequest
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := s.svc.VerifyTranscript(c.UserContext(), strings.TrimSpace(req.Transcript))
	if err != nil {
		return err
	}
	out := verifyDTO{Valid: v.Valid, Checks: []checkDTO{}, RevokedOutcomes: v.RevokedOutcomes, Subject: v.Subject}
	if out.RevokedOutcomes == nil {
		out.RevokedOutcomes = []service.TranscriptOutcome{}
	}
	for _, ch := range v.Checks {
		out.Checks = append(out.Checks, checkDTO{Name: ch.Name, OK: ch.OK, Message: ch.Message})
	}
	if !v.IssuedAt.IsZero() {
		out.IssuedAt, out.ExpiresAt = &v.IssuedAt, &v.ExpiresAt
	}
	return c.JSON(out)
}
