// Package auth holds the credit bank's credentials machinery: argon2id
// password hashes, the personal-data vault, Ed25519 signing keys with their
// JWKS, access tokens, and opaque refresh tokens and client secrets.
//
// It knows nothing of HTTP or of any particular store; the API layer calls it
// and the stores satisfy its small KeyStore interface. SECURITY.md at the
// repository root says what each of these controls defends against and how
// the keys are rotated; ARCHITECTURE.md shows where the package sits.
package auth

import "time"

// Clock supplies the current time. Everything here takes one instead of
// calling time.Now so that tests can move time across expiry boundaries.
type Clock func() time.Time

const (
	// AccessTokenLifetime is how long an access token lives (SECURITY.md,
	// "Controls and what each one defends").
	AccessTokenLifetime = 15 * time.Minute
	// Leeway absorbs clock skew between servers when checking exp, nbf and iat.
	Leeway = 30 * time.Second
	// KeyRetention is how long a retired signing key keeps verifying: the
	// last token it signed may still be alive that long after retirement.
	KeyRetention = AccessTokenLifetime + Leeway
)

func orNow(c Clock) Clock {
	if c == nil {
		return time.Now
	}
	return c
}
