package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// keyedRequest is a POST carrying an Idempotency-Key: the key's scope (the
// caller, the route and the key), the hash of the body and the record
// that reserves it.
type keyedRequest struct {
	scope, reqHash string
	rec            *storage.IdempotencyRecord
}

// keyedHandler handles a POST that may carry an Idempotency-Key. It hands
// op to the use case it calls, which makes the write safe to retry; a
// request without a key gets the zero Op.
type keyedHandler func(c *fiber.Ctx, op service.Op) error

// idempotent makes a POST safe to retry: the first response to an
// Idempotency-Key is stored and replayed for the same body; the same key
// with a different body is a conflict.
//
// On a store that carries reservations, a key seen for the first time is
// reserved by the request's own first write (in its transaction: the Op
// carries the reservation), so the request waits for one commit instead of
// two; a key already on record goes the reserving way, which deals with
// replays, requests in flight and reservations of dead processes.
func (s *Server) idempotent(h keyedHandler) fiber.Handler {
	return func(c *fiber.Ctx) error { return s.runKeyed(c, h) }
}

func (s *Server) runKeyed(c *fiber.Ctx, h keyedHandler) error {
	key := c.Get("Idempotency-Key")
	if key == "" {
		return h(c, service.Op{})
	}
	if len(key) > 200 {
		return badRequest("Idempotency-Key is longer than 200 characters", nil)
	}
	actor := actorOf(c)
	owner := actor.ID.String()
	if actor.Anonymous() {
		owner = actor.ClientIP
	}
	sum := sha256.Sum256(c.Body())
	k := &keyedRequest{
		scope:   string(actor.Role) + ":" + owner + ":" + c.Method() + ":" + c.Path() + ":" + key,
		reqHash: hex.EncodeToString(sum[:]),
	}
	k.rec = &storage.IdempotencyRecord{Key: k.scope, RequestHash: k.reqHash, CreatedAt: domain.Now(s.now()),
		Owner: s.svc.Epoch(), ObjectID: domain.NewID()}
	ctx := context.WithoutCancel(c.UserContext())
	if s.svc.CarriesReservations() {
		_, err := s.svc.KeyRecord(ctx, k.scope)
		if errors.Is(err, domain.ErrNotFound) {
			return s.runCarried(c, ctx, k, h)
		}
		if err != nil {
			return err
		}
	}
	return s.runReserved(c, ctx, k, h)
}

// runCarried runs the handler with the reservation riding on its first
// write. If another request took the key meanwhile, that write applied
// nothing, and this one is answered as a retry of the other.
func (s *Server) runCarried(c *fiber.Ctx, ctx context.Context, k *keyedRequest, h keyedHandler) error {
	pending := &storage.PendingReservation{Record: k.rec}
	op := service.Op{Key: k.scope, ObjectID: k.rec.ObjectID, Reservation: pending}
	settled := false
	defer func() {
		// A panic below must not leave the key reserved for ever.
		if _, maybe := pending.State(); !settled && maybe {
			s.release(c, ctx, k)
		}
	}()
	err := h(c, op)
	settled = true
	if errors.Is(err, storage.ErrKeyTaken) {
		return s.answerHeld(c, ctx, k)
	}
	placed, maybe := pending.State()
	if failed := err != nil || c.Response().StatusCode() >= 300; failed && !maybe {
		// It failed before writing anything: if a copy of it took the key
		// meanwhile, its failure is likely that copy's doing (the outcome
		// is already banked), and the client is owed the copy's answer.
		if _, getErr := s.svc.KeyRecord(ctx, k.scope); getErr == nil {
			return s.answerHeld(c, ctx, k)
		}
	}
	if err != nil {
		_ = s.writeError(c, err)
	}
	s.settle(c, ctx, k, placed, maybe)
	return nil
}

// answerHeld answers a request whose key another request holds: with that
// request's stored response, or a conflict.
func (s *Server) answerHeld(c *fiber.Ctx, ctx context.Context, k *keyedRequest) error {
	s.completions.wait(ctx, k.scope)
	prev, err := s.svc.KeyRecord(ctx, k.scope)
	if errors.Is(err, domain.ErrNotFound) {
		return errInProgress // released again: the other request failed
	}
	if err != nil {
		return err
	}
	if answered, err := answerFromRecord(c, k, prev); answered {
		return err
	}
	return errInProgress
}

// answerFromRecord answers a request from the record of its key held by
// another request: a conflict if that one had another body, its stored
// response if it finished. Otherwise (still unfinished) it answers nothing.
func answerFromRecord(c *fiber.Ctx, k *keyedRequest, prev *storage.IdempotencyRecord) (answered bool, err error) {
	if prev.RequestHash != k.reqHash {
		return true, errKeyMismatch
	}
	if prev.Status == 0 {
		return false, nil
	}
	c.Set("Idempotent-Replayed", "true")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return true, c.Status(prev.Status).Send(prev.Body)
}

var (
	errKeyMismatch = &apiError{status: fiber.StatusConflict, code: "idempotency_mismatch", message: "this Idempotency-Key was used with a different request body"}
	errInProgress  = &apiError{status: fiber.StatusConflict, code: "idempotency_in_progress", message: "a request with this Idempotency-Key is still being processed"}
)

// runReserved reserves the key in a write of its own, then runs the handler.
func (s *Server) runReserved(c *fiber.Ctx, ctx context.Context, k *keyedRequest, h keyedHandler) error {
	rec := k.rec
	for attempt := 0; ; attempt++ {
		err := s.svc.ReserveKey(ctx, rec)
		if err == nil {
			break
		}
		if !errors.Is(err, domain.ErrConflict) {
			return err
		}
		s.completions.wait(ctx, k.scope) // our own first response may still be being stored
		prev, err := s.svc.KeyRecord(ctx, k.scope)
		if errors.Is(err, domain.ErrNotFound) && attempt < maxReserveAttempts {
			continue // released between our insert and read
		}
		if err != nil {
			return err
		}
		if answered, err := answerFromRecord(c, k, prev); answered {
			return err
		}
		live, err := s.svc.EpochLive(ctx, prev.Owner)
		if err != nil {
			return err
		}
		if live || attempt >= maxReserveAttempts {
			return errInProgress
		}
		// The first attempt died with its process. Take its reservation
		// over, keeping the ID it gave its object, so that the handler
		// finds whatever that attempt committed.
		if prev.ObjectID != uuid.Nil {
			rec.ObjectID = prev.ObjectID
		}
		err = s.svc.TakeOverKey(ctx, rec, prev.Owner)
		if err == nil {
			s.log.Info("idempotency reservation taken over", "requestId", requestID(c), "from", prev.Owner)
			break
		}
		if !errors.Is(err, domain.ErrStale) && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		// Another retry took it, or it was released: look again.
	}
	settled := false
	defer func() {
		// A panic below must not leave the key reserved for ever.
		if !settled {
			s.release(c, ctx, k)
		}
	}()
	if err := h(c, service.Op{Key: k.scope, ObjectID: rec.ObjectID}); err != nil {
		_ = s.writeError(c, err)
	}
	s.settle(c, ctx, k, true, true)
	settled = true
	return nil
}

// settle stores a successful response for retries, or releases the key of
// a failed request so that the client may fix it and retry with the same
// key. placed and maybe say whether the reservation is known to be, or
// may be, stored.
func (s *Server) settle(c *fiber.Ctx, ctx context.Context, k *keyedRequest, placed, maybe bool) {
	status := c.Response().StatusCode()
	if status < 200 || status >= 300 {
		if maybe {
			s.release(c, ctx, k)
		}
		return
	}
	body := bytes.Clone(c.Response().Body())
	reqID := requestID(c)
	s.completions.start(k.scope, func() {
		var err error
		if !placed {
			// Never stored, or not known to be: store the answer whole.
			done := *k.rec
			done.Status, done.Body = status, body
			err = s.svc.ReserveKey(ctx, &done)
			if errors.Is(err, domain.ErrConflict) && maybe {
				err = s.svc.CompleteKey(ctx, k.scope, status, body)
			}
		} else {
			err = s.svc.CompleteKey(ctx, k.scope, status, body)
		}
		if err != nil {
			s.log.Error("idempotency record not saved", "requestId", reqID, "err", err)
		}
	})
}

func (s *Server) release(c *fiber.Ctx, ctx context.Context, k *keyedRequest) {
	if err := s.svc.ReleaseKey(ctx, k.scope); err != nil {
		s.log.Error("idempotency reservation not released", "requestId", requestID(c), "err", err)
	}
}

// maxReserveAttempts bounds the reserve → read → take-over loop when other
// requests keep changing the same key under it.
const maxReserveAttempts = 3
