package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// Refresh tokens and client secrets are 256-bit random values. Guessing one
// is infeasible, so a fast SHA-256 is enough to keep a stolen database from
// yielding usable credentials; a slow hash would only cost every request.

func randomB64(n int) string {
	b := make([]byte, n)
	// crypto/rand.Read never fails on supported platforms (it aborts instead).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewRefreshToken returns an opaque refresh token for the client and the
// hash to store.
func NewRefreshToken() (token, hash string) {
	token = randomB64(32)
	return token, HashToken(token)
}

// HashToken is the stored form of a refresh token (hex SHA-256).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewClientCredentials returns a new API client id and secret. The id is not
// secret; the secret is shown once and stored as HashSecret(secret).
func NewClientCredentials() (clientID, secret string) {
	id := make([]byte, 10)
	_, _ = rand.Read(id)
	return "cb_" + hex.EncodeToString(id), randomB64(32)
}

// HashSecret is the stored form of a client secret.
func HashSecret(secret string) string { return HashToken(secret) }

// CompareSecret reports whether secret matches the stored hash, in time
// independent of where they differ.
func CompareSecret(storedHash, secret string) bool {
	got := HashSecret(secret)
	return subtle.ConstantTimeCompare([]byte(got), []byte(storedHash)) == 1
}

// RandomPassword returns a 26-character password with 128 bits of entropy,
// for the admin account printed once at first start.
func RandomPassword() string {
	return rand.Text()
}
