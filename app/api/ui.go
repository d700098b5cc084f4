package api

import (
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// uiRoutes serves the embedded single-page UI. Unknown paths outside /api
// fall back to index.html so that in-app links can be bookmarked.
func (s *Server) uiRoutes(app *fiber.App) {
	app.Get("/*", func(c *fiber.Ctx) error {
		p := strings.TrimPrefix(path.Clean("/"+c.Params("*")), "/")
		if strings.HasPrefix(p, "api/") {
			c.Locals(unmatchedKey, true)
			return fiber.NewError(fiber.StatusNotFound, "no such route")
		}
		if p == "" {
			p = "index.html"
		}
		data, err := fs.ReadFile(s.cfg.UI, p)
		if err != nil {
			p = "index.html"
			if data, err = fs.ReadFile(s.cfg.UI, p); err != nil {
				return fiber.NewError(fiber.StatusNotFound, "no such page")
			}
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		c.Set(fiber.HeaderContentType, ct)
		c.Set(fiber.HeaderCacheControl, "no-cache")
		return c.Send(data)
	})
}
