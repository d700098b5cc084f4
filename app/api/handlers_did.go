package api

import (
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
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

// statusList serves a signed BitstringStatusListCredential. Its short
// max-age lets a revocation reach verifiers within a minute while a busy
// verifier's repeated checks come from its cache.
func (s *Server) statusList(c *fiber.Ctx) error {
	raw, err := s.svc.StatusListCredential(c.UserContext(), c.Params("list"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/vc+ld+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age="+strconv.Itoa(service.StatusListMaxAge))
	return c.Send(raw)
}
