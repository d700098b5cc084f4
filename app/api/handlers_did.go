package api

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"
)

// didDocument serves the issuer's did:web document: every key that ever
// signed a credential, so a wallet or verifier can check one without an
// account here.
func (s *Server) didDocument(c *fiber.Ctx) error {
	doc, err := s.svc.DIDDocument()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/did+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(raw)
}
