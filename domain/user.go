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
