package storage

// The records of this file are the server's own bookkeeping, not the
// district's: sessions, retried requests, running processes and keys. No
// domain rule reads them, so they are declared with the port that stores
// them rather than in domain.

import (
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// RefreshToken is stored hashed; each is used once. Reuse of a used token
// revokes its whole family.
type RefreshToken struct {
	Hash          string
	FamilyID      uuid.UUID
	Subject       uuid.UUID // user id or account id
	Role          domain.Role
	InstitutionID uuid.UUID
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        *time.Time
	Revoked       bool
	// SessionGen is the session generation the family was opened at; the
	// token is refused once its subject's generation has moved on.
	SessionGen int64
}

// IdempotencyRecord remembers the first response to a keyed request.
type IdempotencyRecord struct {
	Key         string // scope (caller) + client key
	RequestHash string
	Status      int // 0 while the first request is still running
	Body        []byte
	CreatedAt   time.Time
	// Owner is the epoch of the server process running the request while
	// Status is 0: when that process is gone, a retry may take over.
	Owner string
	// ObjectID is the ID the request gives to what it creates. A retry that
	// takes over keeps it, so it finds the effect of an attempt that died
	// after committing instead of creating the object a second time.
	ObjectID uuid.UUID
}

// Epoch is one run of a server process, from start to exit. Work a process
// leaves half-done (an unfinished idempotency reservation, a running
// import) names its epoch, so that others can tell whether it is still
// being done.
type Epoch struct {
	ID string
	// Instance names the slot a process serves in (host and listen
	// address): at most one live process holds it, so a new epoch of the
	// same instance means the earlier ones are over.
	Instance    string
	StartedAt   time.Time
	HeartbeatAt time.Time
}

// EpochHeartbeat is how often a live process renews its epoch, and
// EpochLease how long an epoch without a heartbeat still counts as live.
// The lease is several heartbeats long so that a slow store or a GC pause
// does not declare a working process dead.
const (
	EpochHeartbeat = 10 * time.Second
	EpochLease     = 60 * time.Second
)

// Live reports whether the process of the epoch may still be running.
func (e Epoch) Live(now time.Time) bool {
	return now.Sub(e.HeartbeatAt) < EpochLease
}

// SigningKey is a signing key. The private part is sealed with the master
// key before it reaches a store.
type SigningKey struct {
	KID           string
	Use           KeyUse
	PrivateSealed string
	Public        []byte
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

// KeyUse says what a signing key signs. A key of one use never verifies
// anything of another: an access token cannot pass as a credential, nor a
// credential as an access token.
type KeyUse string

const (
	// KeyUseAccess keys (Ed25519) sign access tokens; the zero value, so
	// keys stored before uses existed keep theirs.
	KeyUseAccess KeyUse = ""
	// KeyUseCredentialProof keys (Ed25519) sign the Data Integrity proofs
	// of the credentials the bank issues.
	KeyUseCredentialProof KeyUse = "credential-eddsa"
	// KeyUseCredentialJWT keys (P-256) sign the VC-JWT form of credentials.
	KeyUseCredentialJWT KeyUse = "credential-es256"
)

// Valid reports whether u is a known use.
func (u KeyUse) Valid() bool {
	switch u {
	case KeyUseAccess, KeyUseCredentialProof, KeyUseCredentialJWT:
		return true
	}
	return false
}
