package record

import (
	"time"

	"creditbank/domain"
)

// HelperDoc is a helper grant inside an account document.
type HelperDoc struct {
	ID             string     `json:"id" bson:"id"`
	HelperID       string     `json:"helperId" bson:"helperId"`
	HelperName     string     `json:"helperName" bson:"helperName"`
	HelperIDMasked string     `json:"helperNationalIdMasked,omitempty" bson:"helperNationalIdMasked,omitempty"`
	CreatedAt      time.Time  `json:"createdAt" bson:"createdAt"`
	ExpiresAt      time.Time  `json:"expiresAt" bson:"expiresAt"`
	WithdrawnAt    *time.Time `json:"withdrawnAt,omitempty" bson:"withdrawnAt,omitempty"`
}

// FromHelperGrant converts a helper grant.
func FromHelperGrant(h domain.HelperGrant) HelperDoc {
	return HelperDoc{ID: idString(h.ID), HelperID: idString(h.HelperID), HelperName: h.HelperName, HelperIDMasked: h.HelperIDMasked,
		CreatedAt: h.CreatedAt, ExpiresAt: h.ExpiresAt, WithdrawnAt: optTime(h.WithdrawnAt)}
}

// ToDomain converts back.
func (d HelperDoc) ToDomain() (domain.HelperGrant, error) {
	id, err := parseID("helper grant id", d.ID)
	if err != nil {
		return domain.HelperGrant{}, err
	}
	helper, err := parseID("helper grant helperId", d.HelperID)
	if err != nil {
		return domain.HelperGrant{}, err
	}
	return domain.HelperGrant{ID: id, HelperID: helper, HelperName: d.HelperName, HelperIDMasked: d.HelperIDMasked,
		CreatedAt: utc(d.CreatedAt), ExpiresAt: utc(d.ExpiresAt), WithdrawnAt: optTime(d.WithdrawnAt)}, nil
}

// AccessDoc is one access-log entry inside an account document.
type AccessDoc struct {
	ID            string    `json:"id" bson:"id"`
	At            time.Time `json:"at" bson:"at"`
	Kind          string    `json:"kind" bson:"kind"`
	ActorID       string    `json:"actorId,omitempty" bson:"actorId,omitempty"`
	InstitutionID string    `json:"institutionId,omitempty" bson:"institutionId,omitempty"`
	Name          string    `json:"name,omitempty" bson:"name,omitempty"`
	Action        string    `json:"action" bson:"action"`
	Detail        string    `json:"detail,omitempty" bson:"detail,omitempty"`
}

// FromAccessEntry converts an access-log entry.
func FromAccessEntry(e domain.AccessEntry) AccessDoc {
	return AccessDoc{ID: idString(e.ID), At: e.At, Kind: string(e.Kind), ActorID: optIDString(e.ActorID),
		InstitutionID: optIDString(e.InstitutionID), Name: e.Name, Action: string(e.Action), Detail: e.Detail}
}

// ToDomain converts back.
func (d AccessDoc) ToDomain() (domain.AccessEntry, error) {
	id, err := parseID("access entry id", d.ID)
	if err != nil {
		return domain.AccessEntry{}, err
	}
	actor, err := parseID("access entry actorId", d.ActorID)
	if err != nil {
		return domain.AccessEntry{}, err
	}
	inst, err := parseID("access entry institutionId", d.InstitutionID)
	if err != nil {
		return domain.AccessEntry{}, err
	}
	return domain.AccessEntry{ID: id, At: utc(d.At), Kind: domain.AccessorKind(d.Kind), ActorID: actor, InstitutionID: inst,
		Name: d.Name, Action: domain.AccessAction(d.Action), Detail: d.Detail}, nil
}
