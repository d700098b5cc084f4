package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

type ctxKey string

const (
	actorKey      ctxKey = "actor"
	requestIDKey  ctxKey = "requestId"
	retryAfterKey ctxKey = "retryAfter"
	errorCodeKey  ctxKey = "errorCode"
	unmatchedKey  ctxKey = "unmatched"
)

// requestContext gives every request an id, echoed in the response, its
// error body and its log line, and written to the audit log. A caller's
// X-Request-ID (a proxy's or a client's trace id) is kept only if it is
// short and made of letters, digits and . _ : - alone, so that it cannot
// forge log or audit fields; any other is replaced.
func (s *Server) requestContext(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, unsafeInRequestID) {
		id = uuid.NewString()
	} else {
		id = strings.Clone(id)
	}
	c.Locals(requestIDKey, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

func unsafeInRequestID(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == ':' || r == '-')
}

func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// accessLog records each request: answered with an error at info level (with
// the error code, so the request id in the error body a clerk reports finds
// its line), otherwise at debug level. It names the route pattern, never the
// raw path, query, headers or body, so identifiers a caller puts in a URL (or
// a token) cannot reach the log. Errors are written here so the logged
// status is the one the client got.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if werr := s.writeError(c, err); werr != nil {
			return werr
		}
	}
	status := c.Response().StatusCode()
	route := s.routeLabel(c)
	s.metrics.Request(route, methodLabel(c.Method()), status, time.Since(start))
	level := slog.LevelDebug
	if status >= fiber.StatusBadRequest {
		level = slog.LevelInfo
	}
	// Asked first: the arguments alone cost a few allocations per request,
	// and the product logs successes only when told to.
	if s.log.Enabled(context.Background(), level) {
		attrs := []any{"method", c.Method(), "route", route, "status", status,
			"ms", time.Since(start).Milliseconds(), "requestId", requestID(c)}
		if code, ok := c.Locals(errorCodeKey).(string); ok {
			attrs = append(attrs, "code", code)
		}
		s.log.Log(context.Background(), level, "request", attrs...)
	}
	return nil
}

// routeLabel names a request's route for metrics: its template, never the
// path (which may hold IDs); "unmatched" for every path no route matched,
// and "unrouted" for requests answered by the middleware before routing (a
// forged token, a shed request, a compressed body), which Fiber reports
// under the middleware's own path "/" (no route is registered at "/" itself:
// the UI's is "/*").
// Only registered templates are used: should Fiber ever report a request's
// own path, it is not a label.
func (s *Server) routeLabel(c *fiber.Ctx) string {
	p := c.Route().Path
	switch {
	case c.Locals(unmatchedKey) != nil:
		return "unmatched"
	case p == "/":
		return "unrouted"
	case s.templates[p]:
		return p
	}
	return "unmatched"
}

// methodLabel keeps the methods a client may invent out of metric labels.
// It returns constants: the method Fiber hands over lives in a buffer the
// next request reuses, and a label outlives the request.
func methodLabel(m string) string {
	for _, known := range []string{fiber.MethodGet, fiber.MethodPost, fiber.MethodPut, fiber.MethodDelete,
		fiber.MethodHead, fiber.MethodOptions, fiber.MethodPatch} {
		if m == known {
			return known
		}
	}
	return "OTHER"
}

// securityHeaders sets a strict policy fit for the embedded UI, which loads
// only its own scripts and styles.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	if s.overTLS(c) {
		c.Set(fiber.HeaderStrictTransportSecurity, "max-age=31536000; includeSubDomains")
	}
	if strings.HasPrefix(c.Path(), "/api/") {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Next()
}

// cors answers only configured origins; anything else gets no CORS headers,
// so browsers keep other sites out.
func (s *Server) cors(c *fiber.Ctx) error {
	origin := c.Get(fiber.HeaderOrigin)
	allowed := false
	for _, o := range s.cfg.CORSOrigins {
		if o == origin {
			allowed = true
			break
		}
	}
	if origin == "" || !allowed {
		if c.Method() == fiber.MethodOptions && origin != "" {
			return c.SendStatus(fiber.StatusForbidden)
		}
		return c.Next()
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, origin)
	c.Set(fiber.HeaderVary, fiber.HeaderOrigin)
	if c.Method() == fiber.MethodOptions {
		c.Set(fiber.HeaderAccessControlAllowMethods, "GET,POST,PUT,DELETE")
		c.Set(fiber.HeaderAccessControlAllowHeaders, "Authorization,Content-Type,Idempotency-Key,X-Request-ID")
		c.Set(fiber.HeaderAccessControlMaxAge, "600")
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}

// authenticate turns a bearer token into an actor. No header means an
// anonymous caller; a bad token is always 401, even on public routes.
func (s *Server) authenticate(c *fiber.Ctx) error {
	base := service.Actor{ClientIP: s.clientIP(c), RequestID: requestID(c)}
	header := c.Get(fiber.HeaderAuthorization)
	if header == "" {
		c.Locals(actorKey, base)
		return c.Next()
	}
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return domain.ErrUnauthenticated
	}
	p, err := s.tokens.Verify(token)
	if err != nil {
		s.metrics.TokenVerified("invalid")
		return domain.ErrUnauthenticated
	}
	actor, err := s.svc.Authenticate(c.UserContext(), p)
	if err != nil {
		if errors.Is(err, domain.ErrUnauthenticated) || errors.Is(err, domain.ErrForbidden) {
			s.metrics.TokenVerified("rejected")
		}
		return err
	}
	s.metrics.TokenVerified("valid")
	actor.ClientIP, actor.RequestID = base.ClientIP, base.RequestID
	c.Locals(actorKey, actor)
	return c.Next()
}

func actorOf(c *fiber.Ctx) service.Actor {
	a, _ := c.Locals(actorKey).(service.Actor)
	return a
}

// signedIn rejects anonymous callers with 401 before any role check.
func signedIn(c *fiber.Ctx) (service.Actor, error) {
	a := actorOf(c)
	if a.Anonymous() {
		return a, domain.ErrUnauthenticated
	}
	return a, nil
}

// signedInRequest is the opening of every signed-in handler with a body:
// the caller (401 when anonymous) and the body decoded as decodeJSON does.
func signedInRequest[T any](s *Server, c *fiber.Ctx) (service.Actor, T, error) {
	var req T
	actor, err := signedIn(c)
	if err != nil {
		return actor, req, err
	}
	return actor, req, s.decodeJSON(c, &req)
}

// signedInPage is the opening of every signed-in list: the caller and the
// page asked for.
func signedInPage(c *fiber.Ctx) (service.Actor, storage.Page, error) {
	actor, err := signedIn(c)
	if err != nil {
		return actor, storage.Page{}, err
	}
	p, err := pageParams(c)
	return actor, p, err
}

// decodeJSON reads a request body strictly: JSON only, bounded, no unknown
// fields, nothing after the value.
func (s *Server) decodeJSON(c *fiber.Ctx, dst any) error {
	body := c.Body()
	if len(body) > s.cfg.JSONLimit {
		return fiber.NewError(fiber.StatusRequestEntityTooLarge, "request body is larger than "+strconv.Itoa(s.cfg.JSONLimit)+" bytes")
	}
	if ct := c.Get(fiber.HeaderContentType); ct != "" && !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return badRequest("Content-Type must be application/json", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if fields := idFieldProblems(body, dst); fields != nil {
			return fields
		}
		return badRequest("malformed JSON: "+jsonProblem(err), nil)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("malformed JSON: unexpected data after the object", nil)
	}
	return nil
}

// jsonProblem words a decoding error without echoing the body.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return "field " + typeErr.Field + " must be " + typeErr.Type.String()
	case errors.As(err, &syntaxErr):
		return "syntax error at byte " + strconv.FormatInt(syntaxErr.Offset, 10)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	return "cannot parse body"
}

// pageParams reads ?limit=&cursor=; the limit is capped at 200.
func pageParams(c *fiber.Ctx) (storage.Page, error) {
	p := storage.Page{Cursor: strings.Clone(c.Query("cursor"))}
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			return p, badRequest("limit must be a positive integer", nil)
		}
		p.Limit = n
	}
	if len(p.Cursor) > 128 {
		return p, badRequest("cursor is malformed", nil)
	}
	return p.Normalized(), nil
}

// listPage is the handler every signed-in list shares: the caller's page
// parameters in, one page of DTOs out.
func listPage[S, T any](c *fiber.Ctx, list func(context.Context, service.Actor, storage.Page) ([]S, string, error), conv func(S) T) error {
	actor, p, err := signedInPage(c)
	if err != nil {
		return err
	}
	items, next, err := list(c.UserContext(), actor, p)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(items, next, conv))
}

// onObject adapts a handler of a route that names an object by :id, with the
// prologue they all share: a signed-in caller (401 first), then the id
// (a malformed one is 404 like an unknown one).
func onObject(fn func(c *fiber.Ctx, actor service.Actor, id uuid.UUID) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		actor, id, err := objectRoute(c)
		if err != nil {
			return err
		}
		return fn(c, actor, id)
	}
}

// onKeyedObject is onObject for a write that may carry an Idempotency-Key
// (see idempotent).
func onKeyedObject(fn func(c *fiber.Ctx, op service.Op, actor service.Actor, id uuid.UUID) error) keyedHandler {
	return func(c *fiber.Ctx, op service.Op) error {
		actor, id, err := objectRoute(c)
		if err != nil {
			return err
		}
		return fn(c, op, actor, id)
	}
}

func objectRoute(c *fiber.Ctx) (service.Actor, uuid.UUID, error) {
	actor, err := signedIn(c)
	if err != nil {
		return actor, uuid.Nil, err
	}
	id, err := idParam(c, "id")
	return actor, id, err
}

// idParam parses a UUID path parameter; a malformed one cannot name any
// object, so it is 404 like an unknown one.
func idParam(c *fiber.Ctx, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Params(name))
	if err != nil {
		return uuid.Nil, domain.ErrNotFound
	}
	return id, nil
}
