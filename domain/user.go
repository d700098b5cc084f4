package domain

import (
	"regexp"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Role is the closed set of token roles.
type Role string

const (
	RoleLearner Role = "learner"
	RoleStaff   Role = "staff"
	RoleClient  Role = "client"
	RoleAdmin   Role = "admin"
)

// Perm is a staff permission within an institution.
type Perm string

const (
	PermIssue  Perm = "issue"  // deposit and revoke outcomes
	PermReview Perm = "review" // decide conversions
	PermManage Perm = "manage" // manage staff and the institution's rules
)

// ParsePerms validates a permission list.
func ParsePerms(in []string) ([]Perm, error) {
	v := &ValidationError{}
	var out []Perm
	seen := map[string]bool{}
	for i, p := range in {
		switch Perm(p) {
		case PermIssue, PermReview, PermManage:
			if !seen[p] {
				seen[p] = true
				out = append(out, Perm(p))
			}
		default:
			v.Add("perms["+itoa(i)+"]", "must be issue, review or manage")
		}
	}
	if len(in) == 0 {
		v.Add("perms", "at least one permission")
	}
	return out, v.Err()
}

// HasPerm reports whether perms contains p.
func HasPerm(perms []Perm, p Perm) bool {
	for _, x := range perms {
		if x == p {
			return true
		}
	}
	return false
}

// UserStatus is the closed set of staff/admin user states.
type UserStatus string

const (
	UserActive    UserStatus = "active"
	UserSuspended UserStatus = "suspended"
)

// User is an admin or an institution's staff member. Learners are accounts.
type User struct {
	ID            uuid.UUID
	Username      string
	PasswordHash  string
	Role          Role // admin or staff
	InstitutionID uuid.UUID
	Perms         []Perm
	Status        UserStatus
	CreatedAt     time.Time
	// CredentialsChangedAt ends every session opened before it.
	CredentialsChangedAt *time.Time
	// SessionGen is the user's session generation (see Account.SessionGen).
	SessionGen int64
}

// SetPassword stores a new password hash and ends every session.
func (u *User) SetPassword(hash string, now time.Time) {
	t := Now(now)
	u.PasswordHash, u.CredentialsChangedAt = hash, &t
	u.SessionGen++
}

// SetStatus suspends or reactivates the user. Suspending ends every
// session for good: reactivating does not bring old tokens back.
func (u *User) SetStatus(status UserStatus) error {
	if status != UserActive && status != UserSuspended {
		return Invalid("status", "must be active or suspended")
	}
	if status == UserSuspended {
		u.SessionGen++
	}
	u.Status = status
	return nil
}

var usernamePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

// ValidateUsername requires 3–32 lowercase letters, digits, dot, dash or underscore.
func ValidateUsername(u string) error {
	if !usernamePattern.MatchString(u) {
		return Invalid("username", "3–32 characters: lowercase letters, digits, . _ -, starting with a letter")
	}
	return nil
}

// ValidatePassword enforces a minimum length; the hash does the rest.
func ValidatePassword(p string) error {
	if n := utf8.RuneCountInString(p); n < 10 || n > 128 || len(p) > 512 {
		return Invalid("password", "must be 10 to 128 characters")
	}
	return nil
}

// APIClient is an institution's machine credential (client-credentials grant).
type APIClient struct {
	ID            uuid.UUID
	ClientID      string
	SecretHash    string
	InstitutionID uuid.UUID
	Status        UserStatus
	CreatedAt     time.Time
}

// RefreshToken is stored hashed; each is used once. Reuse of a used token
// revokes its whole family.
type RefreshToken struct {
	Hash          string
	FamilyID      uuid.UUID
	Subject       uuid.UUID // user id or account id
	Role          Role
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
