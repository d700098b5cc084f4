package api

import (
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
)

// clrTranscript is the 1EdTech export of /learners/me/transcript?format=clr.
func (s *Server) clrTranscript(c *fiber.Ctx, actor service.Actor) error {
	t, err := s.svc.IssueCLR(c.UserContext(), actor)
	if err != nil {
		return err
	}
	return c.JSON(transcriptDTO{Transcript: t.Token, Format: "clr", Achievements: t.AchievementTokens, View: t.Subject,
		Credential: t.Credential, AchievementCredentials: t.Achievements, IssuedAt: t.IssuedAt})
}

type statusDTO struct {
	Status          string    `json:"status"` // the signed list (JWT, typ revocations+jwt)
	Issuer          string    `json:"issuer"`
	IssuedAt        time.Time `json:"issuedAt"`
	ExpiresAt       time.Time `json:"expiresAt"`
	RevokedOutcomes []string  `json:"revokedOutcomes"`
}

// transcriptStatus is the status file offline verifiers download: the
// signed list of revoked outcome IDs. The readable copy beside it is for
// people; verifiers trust only the signed one.
func (s *Server) transcriptStatus(c *fiber.Ctx) error {
	st, err := s.svc.RevocationStatus(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.JSON(statusDTO{Status: st.Token, Issuer: st.Issuer, IssuedAt: st.IssuedAt, ExpiresAt: st.ExpiresAt, RevokedOutcomes: st.Revoked})
}

// transcriptKeys publishes every key that ever signed a transcript, for
// offline verification (/.well-known/jwks.json keeps only the keys access
// tokens may still carry).
func (s *Server) transcriptKeys(c *fiber.Ctx) error {
	keys, err := s.svc.TranscriptKeys(c.UserContext())
	if err != nil {
		return err
	}
	raw, err := json.Marshal(keys.JWKS())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/jwk-set+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(raw)
}
