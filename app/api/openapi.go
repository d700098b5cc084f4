package api

import (
	"embed"
	"mime"
	"path"

	"github.com/gofiber/fiber/v2"

	"creditbank/domain"
)

// The HTTP contract is written once, in docs/openapi.json (OpenAPI 3.1),
// and served as written; docs/ also holds the reference page that renders
// it. The tests keep it true: every route is in it, every path in it is
// routed, and every request and response of the API tests is validated
// against it (openapi_test.go).
//
//go:embed docs/openapi.json docs/index.html docs/docs.js docs/docs.css
var apiDocs embed.FS

var openAPIJSON = mustRead("docs/openapi.json")

func mustRead(name string) []byte {
	b, err := apiDocs.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}

func (s *Server) openAPIDocument(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIJSON)
}

// docsPage serves the reference page and its script and style sheet, all
// from the binary: no CDN, nothing the Content-Security-Policy would block.
func (s *Server) docsPage(c *fiber.Ctx) error {
	name := c.Params("asset", "index.html")
	if name != "index.html" && name != "docs.js" && name != "docs.css" {
		return domain.ErrNotFound
	}
	data, err := apiDocs.ReadFile(path.Join("docs", name))
	if err != nil {
		return domain.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	return c.Send(data)
}
