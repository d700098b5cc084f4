package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

type auditDTO struct {
	Seq           int64     `json:"seq"`
	At            time.Time `json:"at"`
	ActorID       string    `json:"actorId"`
	Role          string    `json:"role"`
	InstitutionID string    `json:"institutionId,omitempty"`
	Action        string    `json:"action"`
	ObjectType    string    `json:"objectType"`
	ObjectID      string    `json:"objectId"`
	ClientIP      string    `json:"clientIp"`
	RequestID     string    `json:"requestId"`
	Detail        string    `json:"detail,omitempty"`
	PrevHash      string    `json:"prevHash"`
	Hash          string    `json:"hash"`
	// What the IDs stand for (see service.NamedAuditEntry), the reason of a
	// revocation, and the before/after of changes the detail records as
	// key=before->after.
	ActorName       string        `json:"actorName,omitempty"`
	InstitutionName string        `json:"institutionName,omitempty"`
	ObjectName      string        `json:"objectName,omitempty"`
	Reason          string        `json:"reason,omitempty"`
	Changes         []auditChange `json:"changes,omitempty"`
}

type auditChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// auditChanges reads the key=before->after pairs of a detail.
func auditChanges(detail string) []auditChange {
	var out []auditChange
	for _, f := range strings.Fields(detail) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		if before, after, ok := strings.Cut(v, "->"); ok {
			out = append(out, auditChange{Field: k, Before: before, After: after})
		}
	}
	return out
}

func namedAuditFrom(e service.NamedAuditEntry) auditDTO {
	d := auditFrom(e.AuditEntry)
	d.ActorName, d.InstitutionName, d.ObjectName, d.Reason = e.ActorName, e.InstitutionName, e.ObjectName, e.Reason
	d.Changes = auditChanges(e.Detail)
	return d
}

func auditFrom(e domain.AuditEntry) auditDTO {
	return auditDTO{Seq: e.Seq, At: e.At, ActorID: e.ActorID, Role: string(e.Role), InstitutionID: e.InstitutionID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, ClientIP: e.ClientIP,
		RequestID: e.RequestID, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash}
}

func (s *Server) listAudit(c *fiber.Ctx) error {
	actor, p, err := signedInPage(c)
	if err != nil {
		return err
	}
	f := storage.AuditFilter{
		ActorID:       strings.Clone(c.Query("actor")),
		InstitutionID: strings.Clone(c.Query("institution")),
		Action:        strings.Clone(c.Query("action")),
	}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if raw := c.Query(name); raw != "" {
			t, err := time.Parse(time.RFC3339, raw)
			if err != nil {
				return badRequest(name+" must be an RFC 3339 time", nil)
			}
			*dst = t
		}
	}
	switch c.Query("order") {
	case "", "oldest":
	case "newest":
		f.NewestFirst = true
	default:
		return domain.Invalid("order", "must be newest or oldest")
	}
	items, next, err := s.svc.ListAuditNamed(c.UserContext(), actor, f, p)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(items, next, namedAuditFrom))
}

func (s *Server) verifyAudit(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	if actor.Role != domain.RoleAdmin {
		return domain.ErrForbidden
	}
	r, err := s.svc.VerifyAudit(c.UserContext(), nil)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"valid": r.Valid, "entries": r.Entries, "problem": r.Problem, "headSeq": r.HeadSeq, "headHash": r.HeadHash})
}
