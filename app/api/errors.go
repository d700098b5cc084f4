package api

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// errorBody is the one error shape of the API.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details any    `json:"details,omitempty"`
	// RequestID is also in the X-Request-ID header and the request's log
	// line, so a screenshot of an error leads an operator to the log.
	RequestID string `json:"requestId,omitempty"`
}

// apiError is an error raised by the HTTP layer itself (malformed JSON, bad
// query parameters) that is not part of the domain vocabulary.
type apiError struct {
	status  int
	code    string
	message string
	details any
}

func (e *apiError) Error() string { return e.message }

func badRequest(message string, details any) error {
	return &apiError{status: fiber.StatusBadRequest, code: "bad_request", message: message, details: details}
}

// statusTable maps the domain's error vocabulary to HTTP. Order matters:
// more specific errors come first (ErrStale and ErrDuplicate are conflicts).
var statusTable = []struct {
	err    error
	status int
	code   string
}{
	{domain.ErrNotEligible, fiber.StatusUnprocessableEntity, "not_eligible"},
	{domain.ErrInvalid, fiber.StatusUnprocessableEntity, "invalid"},
	{domain.ErrNotFound, fiber.StatusNotFound, "not_found"},
	{domain.ErrDuplicate, fiber.StatusConflict, "duplicate"},
	{domain.ErrNameMismatch, fiber.StatusConflict, "name_mismatch"},
	{domain.ErrConflict, fiber.StatusConflict, "conflict"},
	{storage.ErrKeyTaken, fiber.StatusConflict, "idempotency_in_progress"},
	{domain.ErrForbidden, fiber.StatusForbidden, "forbidden"},
	{domain.ErrUnauthenticated, fiber.StatusUnauthorized, "unauthenticated"},
	{domain.ErrRateLimited, fiber.StatusTooManyRequests, "rate_limited"},
	{domain.ErrUnavailable, fiber.StatusServiceUnavailable, "store_unavailable"},
}

// errorResponse turns any error into a status and body. Unknown errors are
// internal: logged once here with the request id, shown generically.
func errorResponse(c *fiber.Ctx, log *slog.Logger, err error) (int, errorBody) {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status, errorBody{errorDetail{Code: ae.code, Message: ae.message, Details: ae.details}}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code := "http_error"
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			code = "payload_too_large"
		case fiber.StatusRequestHeaderFieldsTooLarge:
			code = "headers_too_large"
		case fiber.StatusNotFound:
			code = "not_found"
		case fiber.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case fiber.StatusBadRequest:
			code = "bad_request"
		}
		return fe.Code, errorBody{errorDetail{Code: code, Message: fe.Message}}
	}
	for _, row := range statusTable {
		if errors.Is(err, row.err) {
			body := errorBody{errorDetail{Code: row.code, Message: err.Error()}}
			if row.err == domain.ErrUnavailable {
				// The cause names files, hosts or driver internals: the
				// operator reads it in the log, the client gets advice.
				log.Warn("store unavailable", "method", c.Method(), "path", c.Route().Path, "requestId", requestID(c), "err", err)
				body.Error.Message = unavailableMessage
			}
			var ve *domain.ValidationError
			if errors.As(err, &ve) {
				body.Error.Details = ve.Problems
			}
			var ne *domain.NotEligibleError
			if errors.As(err, &ne) {
				body.Error.Details = evaluationDTO(ne.Evaluation)
			}
			return row.status, body
		}
	}
	log.Error("internal error", "method", c.Method(), "path", c.Route().Path, "requestId", requestID(c), "err", err)
	return fiber.StatusInternalServerError, errorBody{errorDetail{Code: "internal", Message: "internal error; quote the request id to support"}}
}

// storeErrorKind classifies the errors that come from the store rather than
// from the request: an unreachable store, a write that lost a race (a stale
// version, an idempotency key taken meanwhile), and unexplained faults.
func storeErrorKind(err error, status int) string {
	switch {
	case errors.Is(err, domain.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, domain.ErrStale), errors.Is(err, storage.ErrKeyTaken):
		return "conflict"
	case status == fiber.StatusInternalServerError:
		return "internal"
	}
	return ""
}

const unavailableMessage = "the data store is temporarily unavailable; try again shortly (a request with an Idempotency-Key may be repeated safely)"

// storeRetryAfter is a guess at how long a store outage lasts: long enough
// that clients do not hammer a recovering store, short enough for a
// primary election or an operator freeing disk space.
const storeRetryAfter = "5"

func (s *Server) writeError(c *fiber.Ctx, err error) error {
	if requestID(c) == "" {
		// Errors raised before any middleware ran (an oversized body is
		// refused while it is read) still get an id to quote.
		id := uuid.NewString()
		c.Locals(requestIDKey, id)
		c.Set(fiber.HeaderXRequestID, id)
	}
	status, body := errorResponse(c, s.log, err)
	body.Error.RequestID = requestID(c)
	if kind := storeErrorKind(err, status); kind != "" {
		s.metrics.StoreError(kind)
	}
	c.Locals(errorCodeKey, body.Error.Code)
	switch status {
	case fiber.StatusTooManyRequests, fiber.StatusServiceUnavailable:
		if ra, ok := c.Locals(retryAfterKey).(string); ok {
			c.Set(fiber.HeaderRetryAfter, ra)
		} else if status == fiber.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, storeRetryAfter)
		}
	}
	if status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="creditbank"`)
	}
	return c.Status(status).JSON(body)
}
