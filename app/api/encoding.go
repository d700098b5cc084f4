package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// plainBodies refuses every request whose body claims a Content-Encoding
// other than identity, before any handler runs. Fiber's c.Body() (and so
// BodyParser) inflates gzip, deflate and brotli, stacked as often as the
// header says, and fasthttp's multipart reader gunzips a form upload, all
// with no bound: the body limits are checked on the compressed bytes, so a
// kilobyte could become gigabytes in memory. No client of this API needs
// to compress what it sends (the largest body, a CSV upload, is at most
// 16 MiB), so refusing is simpler and safer than inflating through a cap.
// An accepted identity header is removed, so that nothing further down can
// see an encoding to undo.
func (s *Server) plainBodies(c *fiber.Ctx) error {
	encoded := false
	c.Request().Header.VisitAll(func(key, value []byte) {
		if !strings.EqualFold(string(key), fiber.HeaderContentEncoding) {
			return
		}
		for _, coding := range strings.Split(string(value), ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				encoded = true
			}
		}
	})
	if encoded {
		return &apiError{status: fiber.StatusUnsupportedMediaType, code: "unsupported_encoding",
			message: "compressed request bodies are not accepted: send the body uncompressed, without Content-Encoding"}
	}
	c.Request().Header.Del(fiber.HeaderContentEncoding)
	return c.Next()
}
