package record

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// IdempotencyDoc remembers the first response to a keyed request.
type IdempotencyDoc struct {
	Key         string    `json:"id" bson:"_id"`
	RequestHash string    `json:"requestHash" bson:"requestHash"`
	Status      int       `json:"status" bson:"status"`
	Body        []byte    `json:"body,omitempty" bson:"body,omitempty"`
	CreatedAt   time.Time `json:"createdAt" bson:"createdAt"`
	Owner       string    `json:"owner,omitempty" bson:"owner,omitempty"`
	ObjectID    string    `json:"objectId,omitempty" bson:"objectId,omitempty"`
}

// FromIdempotency converts an idempotency record.
func FromIdempotency(r *storage.IdempotencyRecord) IdempotencyDoc {
	return IdempotencyDoc{Key: r.Key, RequestHash: r.RequestHash, Status: r.Status, Body: optBytes(r.Body), CreatedAt: r.CreatedAt,
		Owner: r.Owner, ObjectID: optIDString(r.ObjectID)}
}

// ToDomain converts back.
func (d IdempotencyDoc) ToDomain() (*storage.IdempotencyRecord, error) {
	obj, err := parseID("objectId", d.ObjectID)
	if err != nil {
		return nil, err
	}
	return &storage.IdempotencyRecord{Key: d.Key, RequestHash: d.RequestHash, Status: d.Status, Body: optBytes(d.Body), CreatedAt: utc(d.CreatedAt),
		Owner: d.Owner, ObjectID: obj}, nil
}

// EpochDoc is one run of a server process; its random ID is the key.
type EpochDoc struct {
	ID          string    `json:"id" bson:"_id"`
	Instance    string    `json:"instance" bson:"instance"`
	StartedAt   time.Time `json:"startedAt" bson:"startedAt"`
	HeartbeatAt time.Time `json:"heartbeatAt" bson:"heartbeatAt"`
}

// FromEpoch converts an epoch.
func FromEpoch(e *storage.Epoch) EpochDoc {
	return EpochDoc{ID: e.ID, Instance: e.Instance, StartedAt: e.StartedAt, HeartbeatAt: e.HeartbeatAt}
}

// ToDomain converts back.
func (d EpochDoc) ToDomain() (*storage.Epoch, error) {
	return &storage.Epoch{ID: d.ID, Instance: d.Instance, StartedAt: utc(d.StartedAt), HeartbeatAt: utc(d.HeartbeatAt)}, nil
}

// SigningKeyDoc is a token-signing key; the private part is already sealed.
type SigningKeyDoc struct {
	KID           string     `json:"id" bson:"_id"`
	Use           string     `json:"use,omitempty" bson:"use,omitempty"`
	PrivateSealed string     `json:"privateSealed" bson:"privateSealed"`
	Public        []byte     `json:"public,omitempty" bson:"public,omitempty"`
	CreatedAt     time.Time  `json:"createdAt" bson:"createdAt"`
	RetiredAt     *time.Time `json:"retiredAt,omitempty" bson:"retiredAt,omitempty"`
}

// FromSigningKey converts a signing key.
func FromSigningKey(k *storage.SigningKey) SigningKeyDoc {
	return SigningKeyDoc{KID: k.KID, Use: string(k.Use), PrivateSealed: k.PrivateSealed, Public: optBytes(k.Public), CreatedAt: k.CreatedAt, RetiredAt: optTime(k.RetiredAt)}
}

// ToDomain converts back.
func (d SigningKeyDoc) ToDomain() (*storage.SigningKey, error) {
	use := storage.KeyUse(d.Use)
	if !use.Valid() {
		return nil, fmt.Errorf("signing key %s: unknown use %q", d.KID, d.Use)
	}
	return &storage.SigningKey{KID: d.KID, Use: use, PrivateSealed: d.PrivateSealed, Public: optBytes(d.Public), CreatedAt: utc(d.CreatedAt), RetiredAt: optTime(d.RetiredAt)}, nil
}

// AuditDoc is one hash-chained audit entry; its sequence number is the key.
type AuditDoc struct {
	Seq           int64     `json:"id" bson:"_id"`
	At            time.Time `json:"at" bson:"at"`
	ActorID       string    `json:"actorId,omitempty" bson:"actorId,omitempty"`
	Role          string    `json:"role,omitempty" bson:"role,omitempty"`
	InstitutionID string    `json:"institutionId,omitempty" bson:"institutionId,omitempty"`
	Action        string    `json:"action" bson:"action"`
	ObjectType    string    `json:"objectType,omitempty" bson:"objectType,omitempty"`
	ObjectID      string    `json:"objectId,omitempty" bson:"objectId,omitempty"`
	ClientIP      string    `json:"clientIp,omitempty" bson:"clientIp,omitempty"`
	RequestID     string    `json:"requestId,omitempty" bson:"requestId,omitempty"`
	Detail        string    `json:"detail,omitempty" bson:"detail,omitempty"`
	PrevHash      string    `json:"prevHash" bson:"prevHash"`
	Hash          string    `json:"hash" bson:"hash"`
}

// FromAudit converts an audit entry.
func FromAudit(e *domain.AuditEntry) AuditDoc {
	return AuditDoc{
		Seq: e.Seq, At: e.At, ActorID: e.ActorID, Role: string(e.Role), InstitutionID: e.InstitutionID,
		Action: e.Action, ObjectType: e.ObjectType, ObjectID: e.ObjectID, ClientIP: e.ClientIP,
		RequestID: e.RequestID, Detail: e.Detail, PrevHash: e.PrevHash, Hash: e.Hash,
	}
}

// ToDomain converts back.
func (d AuditDoc) ToDomain() (*domain.AuditEntry, error) {
	return &domain.AuditEntry{
		Seq: d.Seq, At: utc(d.At), ActorID: d.ActorID, Role: domain.Role(d.Role), InstitutionID: d.InstitutionID,
		Action: d.Action, ObjectType: d.ObjectType, ObjectID: d.ObjectID, ClientIP: d.ClientIP,
		RequestID: d.RequestID, Detail: d.Detail, PrevHash: d.PrevHash, Hash: d.Hash,
	}, nil
}

// ImportJobDoc tracks a bulk CSV deposit.
type ImportJobDoc struct {
	ID            string              `json:"id" bson:"_id"`
	InstitutionID string              `json:"institutionId" bson:"institutionId"`
	CreatedBy     string              `json:"createdBy,omitempty" bson:"createdBy,omitempty"`
	State         string              `json:"state" bson:"state"`
	Total         int                 `json:"total" bson:"total"`
	Done          int                 `json:"done" bson:"done"`
	OK            int                 `json:"ok" bson:"ok"`
	Failed        int                 `json:"failed" bson:"failed"`
	Created       int                 `json:"created" bson:"created"`
	Duplicates    int                 `json:"duplicates" bson:"duplicates"`
	Skipped       int                 `json:"skipped,omitempty" bson:"skipped,omitempty"`
	Errors        []ImportRowErrorDoc `json:"errors,omitempty" bson:"errors,omitempty"`
	FileName      string              `json:"fileName,omitempty" bson:"fileName,omitempty"`
	Header        []string            `json:"header,omitempty" bson:"header,omitempty"`
	CreatedAt     time.Time           `json:"createdAt" bson:"createdAt"`
	UpdatedAt     time.Time           `json:"updatedAt" bson:"updatedAt"`
	Owner         string              `json:"owner,omitempty" bson:"owner,omitempty"`
}

// ImportRowErrorDoc says why one CSV row was not banked.
type ImportRowErrorDoc struct {
	Line   int      `json:"line" bson:"line"`
	Column string   `json:"column,omitempty" bson:"column,omitempty"`
	Reason string   `json:"reason" bson:"reason"`
	Code   string   `json:"code,omitempty" bson:"code,omitempty"`
	Field  string   `json:"field,omitempty" bson:"field,omitempty"`
	Record []string `json:"record,omitempty" bson:"record,omitempty"`
}

// FromImportJob converts an import job.
func FromImportJob(j *domain.ImportJob) ImportJobDoc {
	return ImportJobDoc{
		ID: idString(j.ID), InstitutionID: idString(j.InstitutionID), CreatedBy: j.CreatedBy,
		State: string(j.State), Total: j.Total, Done: j.Done, OK: j.OK, Failed: j.Failed,
		Created: j.Created, Duplicates: j.Duplicates, Skipped: j.Skipped, FileName: j.FileName, Header: j.Header,
		Errors: mapSlice(j.Errors, func(e domain.ImportRowError) ImportRowErrorDoc {
			return ImportRowErrorDoc{Line: e.Line, Column: e.Column, Reason: e.Reason, Code: string(e.Code), Field: e.Field, Record: e.Record}
		}),
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt, Owner: j.Owner,
	}
}

// ToDomain converts back.
func (d ImportJobDoc) ToDomain() (*domain.ImportJob, error) {
	id, err := parseID("import id", d.ID)
	if err != nil {
		return nil, err
	}
	inst, err := parseID("import institutionId", d.InstitutionID)
	if err != nil {
		return nil, err
	}
	return &domain.ImportJob{
		ID: id, InstitutionID: inst, CreatedBy: d.CreatedBy,
		State: domain.ImportState(d.State), Total: d.Total, Done: d.Done, OK: d.OK, Failed: d.Failed,
		Created: d.Created, Duplicates: d.Duplicates, Skipped: d.Skipped, FileName: d.FileName, Header: d.Header,
		Errors: mapSlice(d.Errors, func(e ImportRowErrorDoc) domain.ImportRowError {
			return domain.ImportRowError{Line: e.Line, Column: e.Column, Reason: e.Reason, Code: domain.ImportProblem(e.Code), Field: e.Field, Record: e.Record}
		}),
		CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), Owner: d.Owner,
	}, nil
}

// CreditPolicyID is the key of the single credit-policy settings document.
const CreditPolicyID = "creditPolicy"

// CreditPolicyDoc is the district credit policy.
type CreditPolicyDoc struct {
	ID             string             `json:"id" bson:"_id"`
	Version        int64              `json:"version" bson:"version"`
	HoursPerCredit map[string]float64 `json:"hoursPerCredit" bson:"hoursPerCredit"`
}

// FromCreditPolicy converts the policy; its ID is always CreditPolicyID.
func FromCreditPolicy(p *domain.CreditPolicy) CreditPolicyDoc {
	m := make(map[string]float64, len(p.HoursPerCredit))
	for c, h := range p.HoursPerCredit {
		m[string(c)] = h
	}
	return CreditPolicyDoc{ID: CreditPolicyID, Version: p.Version, HoursPerCredit: m}
}

// ToDomain converts back; the map is never nil.
func (d CreditPolicyDoc) ToDomain() (*domain.CreditPolicy, error) {
	m := make(map[domain.Category]float64, len(d.HoursPerCredit))
	for c, h := range d.HoursPerCredit {
		m[domain.Category(c)] = h
	}
	return &domain.CreditPolicy{HoursPerCredit: m, Version: d.Version}, nil
}

// ParseID is exported for adapters that keep IDs as strings in their own
// columns or cursors.
func ParseID(s string) (uuid.UUID, error) { return parseID("id", s) }
