package service

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// NamedAuditEntry is an audit entry with what its IDs stand for, as an
// admin reads the log: who acted, on behalf of which institution, on what,
// and for a revocation the reason given. Learners appear by name and
// masked national ID only.
type NamedAuditEntry struct {
	domain.AuditEntry
	ActorName       string
	InstitutionName string
	ObjectName      string
	Reason          string
}

// ListAuditNamed pages the audit log like ListAudit and names what each
// entry's IDs refer to. Names are looked up once per page; an object gone
// since (or never stored, like a login) keeps only its ID.
func (s *Service) ListAuditNamed(ctx context.Context, actor Actor, f storage.AuditFilter, p storage.Page) ([]NamedAuditEntry, string, error) {
	entries, next, err := s.ListAudit(ctx, actor, f, p)
	if err != nil {
		return nil, "", err
	}
	n := auditNamer{store: s.store, users: map[string]string{}, insts: map[string]string{}, accounts: map[string]string{}}
	out := make([]NamedAuditEntry, len(entries))
	for i, e := range entries {
		row := NamedAuditEntry{AuditEntry: e}
		if row.ActorName, err = n.actor(ctx, e); err != nil {
			return nil, "", err
		}
		if row.InstitutionName, err = n.institution(ctx, e.InstitutionID); err != nil {
			return nil, "", err
		}
		if row.ObjectName, row.Reason, err = n.object(ctx, e); err != nil {
			return nil, "", err
		}
		out[i] = row
	}
	return out, next, nil
}

// auditNamer names what audit entries refer to, remembering the names it
// looked up for the rest of the page.
type auditNamer struct {
	store                  auditNameSource
	users, insts, accounts map[string]string
}

// auditNameSource is what naming reads: who acted, where, and on what.
type auditNameSource interface {
	GetUser(ctx context.Context, id uuid.UUID) (*domain.User, error)
	GetInstitution(ctx context.Context, id uuid.UUID) (*domain.Institution, error)
	GetAccount(ctx context.Context, id uuid.UUID) (*domain.Account, error)
	GetAccountByOutcomeID(ctx context.Context, outcomeID uuid.UUID) (*domain.Account, error)
	GetAccountByConversionID(ctx context.Context, conversionID uuid.UUID) (*domain.Account, error)
	GetRule(ctx context.Context, id uuid.UUID) (*domain.Rule, error)
}

// found turns "not found" (and IDs that are not IDs) into no name.
func found(name string, err error) (string, error) {
	if errors.Is(err, domain.ErrNotFound) || errors.Is(err, domain.ErrInvalid) {
		return "", nil
	}
	return name, err
}

func learnerLabel(a *domain.Account) string {
	if a.PII.NationalIDMasked == "" {
		return a.Name
	}
	return a.Name + "（" + a.PII.NationalIDMasked + "）"
}

func (n *auditNamer) user(ctx context.Context, id string) (string, error) {
	if v, ok := n.users[id]; ok {
		return v, nil
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return "", nil
	}
	u, err := n.store.GetUser(ctx, uid)
	name := ""
	if err == nil {
		name = u.Username
	}
	name, err = found(name, err)
	n.users[id] = name
	return name, err
}

func (n *auditNamer) institution(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	if v, ok := n.insts[id]; ok {
		return v, nil
	}
	iid, err := uuid.Parse(id)
	if err != nil {
		return "", nil
	}
	inst, err := n.store.GetInstitution(ctx, iid)
	name := ""
	if err == nil {
		name = inst.Name
	}
	name, err = found(name, err)
	n.insts[id] = name
	return name, err
}

func (n *auditNamer) account(ctx context.Context, id string) (string, error) {
	if v, ok := n.accounts[id]; ok {
		return v, nil
	}
	aid, err := uuid.Parse(id)
	if err != nil {
		return "", nil
	}
	a, err := n.store.GetAccount(ctx, aid)
	name := ""
	if err == nil {
		name = learnerLabel(a)
	}
	name, err = found(name, err)
	n.accounts[id] = name
	return name, err
}

func (n *auditNamer) actor(ctx context.Context, e domain.AuditEntry) (string, error) {
	switch e.Role {
	case domain.RoleAdmin, domain.RoleStaff:
		return n.user(ctx, e.ActorID)
	case domain.RoleLearner:
		return n.account(ctx, e.ActorID)
	case domain.RoleClient:
		// An API client acts for its institution, named beside it.
		return n.institution(ctx, e.InstitutionID)
	}
	return "", nil
}

// object names the entry's object; for an outcome it is the title and the
// learner, and a revoked outcome's reason comes with it (an outcome is
// revoked once, so the reason on the outcome is the entry's).
func (n *auditNamer) object(ctx context.Context, e domain.AuditEntry) (name, reason string, err error) {
	switch e.ObjectType {
	case "institution":
		name, err = n.institution(ctx, e.ObjectID)
	case "user", string(domain.RoleAdmin), string(domain.RoleStaff):
		name, err = n.user(ctx, e.ObjectID)
	case "account", string(domain.RoleLearner):
		name, err = n.account(ctx, e.ObjectID)
	case "outcome", "conversion":
		id, perr := uuid.Parse(e.ObjectID)
		if perr != nil {
			return "", "", nil
		}
		var a *domain.Account
		if e.ObjectType == "outcome" {
			a, err = n.store.GetAccountByOutcomeID(ctx, id)
		} else {
			a, err = n.store.GetAccountByConversionID(ctx, id)
		}
		if err != nil {
			name, err = found("", err)
			return name, "", err
		}
		name = learnerLabel(a)
		for _, o := range a.Outcomes {
			if o.ID == id {
				name = "「" + o.Title + "」 " + name
				if e.Action == "outcome.revoke" {
					reason = o.RevokedReason
				}
			}
		}
	case "rule":
		id, perr := uuid.Parse(e.ObjectID)
		if perr != nil {
			return "", "", nil
		}
		r, gerr := n.store.GetRule(ctx, id)
		if gerr == nil {
			name = r.Name
		}
		name, err = found(name, gerr)
	case "grant":
		// A grant is named by the institution it shares the record with.
		if f := strings.Fields(e.Detail); len(f) > 0 {
			if inst, ok := strings.CutPrefix(f[0], "institution="); ok {
				name, err = n.institution(ctx, inst)
			}
		}
	}
	return name, reason, err
}
