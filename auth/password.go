package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"creditbank/domain"
)

// argonParams are the tunable argon2id costs recorded in every PHC string.
type argonParams struct {
	memoryKiB uint32
	time      uint32
	threads   uint8
	saltLen   int
	keyLen    int
}

// defaultParams follow the OWASP interactive-login recommendation
// (m=19 MiB, t=2, p=1), which keeps one login well under 100 ms on a small
// two-core server while making offline guessing expensive.
var defaultParams = argonParams{memoryKiB: 19456, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// loweredParams, when set (only ever by a test binary, see
// UseCheapPasswordHashing), replace defaultParams for new hashes, for the
// dummy verification and as what NeedsRehash compares with.
var loweredParams atomic.Pointer[argonParams]

// currentParams are the costs new hashes are made with.
func currentParams() argonParams {
	if p := loweredParams.Load(); p != nil {
		return *p
	}
	return defaultParams
}

// Bounds on parameters read back from a stored hash. A hash is data from the
// store; refusing absurd costs stops a corrupted or planted row from pinning
// the CPU or exhausting memory on every login attempt.
const (
	minMemoryKiB = 8 * 1024
	maxMemoryKiB = 256 * 1024
	maxTime      = 10
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	// maxPasswordBytes bounds attacker-supplied input before hashing.
	maxPasswordBytes = 1024
)

// hashSlots bounds concurrent argon2 computations: each one holds ~19 MiB,
// so a burst of logins must queue rather than exhaust memory.
var hashSlots = make(chan struct{}, 4)

func argonKey(pw string, salt []byte, p argonParams) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(pw), salt, p.time, p.memoryKiB, p.threads, uint32(p.keyLen))
}

var b64 = base64.RawStdEncoding

// HashPassword returns an argon2id hash of pw in PHC string format.
func HashPassword(pw string) (string, error) {
	return hashWithParams(pw, currentParams())
}

func hashWithParams(pw string, p argonParams) (string, error) {
	if pw == "" {
		return "", domain.Invalid("password", "must not be empty")
	}
	if len(pw) > maxPasswordBytes {
		return "", domain.Invalid("password", "too long")
	}
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argonKey(pw, salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memoryKiB, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// errBadHash is returned for a stored hash that cannot be used. It is not a
// domain error: a broken hash in the store is an internal fault, not bad input.
var errBadHash = errors.New("auth: malformed password hash")

// VerifyPassword reports whether pw matches the encoded hash. A wrong password
// is (false, nil). An empty hash (an account created by an issuer and not yet
// claimed) is (false, nil) too; an unusable hash is an error. Every path costs
// about one default hash, so timing does not tell these cases apart.
func VerifyPassword(encoded, pw string) (bool, error) {
	if encoded == "" {
		DummyVerify(pw)
		return false, nil
	}
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		DummyVerify(pw)
		return false, err
	}
	if len(pw) > maxPasswordBytes {
		// Still spend the usual time so the length check is not an oracle.
		DummyVerify(pw[:maxPasswordBytes])
		return false, nil
	}
	got := argonKey(pw, salt, p)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyVerify spends as long as verifying a default-cost hash, and always
// fails. Call it when the username is unknown so that response time does not
// reveal which usernames exist.
func DummyVerify(pw string) {
	if len(pw) > maxPasswordBytes {
		pw = pw[:maxPasswordBytes]
	}
	p := currentParams()
	salt := make([]byte, p.saltLen)
	_, _ = rand.Read(salt)
	_ = argonKey(pw, salt, p)
}

// NeedsRehash reports whether a stored hash uses other than the current
// default parameters, so the login path can upgrade it after a success.
func NeedsRehash(encoded string) bool {
	p, _, _, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	want := currentParams()
	return p.memoryKiB != want.memoryKiB || p.time != want.time ||
		p.threads != want.threads || p.keyLen != want.keyLen
}

func parsePHC(encoded string) (argonParams, []byte, []byte, error) {
	var p argonParams
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version", errBadHash)
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || seen[name] {
			return p, nil, nil, errBadHash
		}
		seen[name] = true
		n, err := strconv.ParseUint(val, 10, 32)
		if err != nil {
			return p, nil, nil, errBadHash
		}
		switch name {
		case "m":
			p.memoryKiB = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > maxThreads {
				return p, nil, nil, fmt.Errorf("%w: parameters out of range", errBadHash)
			}
			p.threads = uint8(n)
		default:
			return p, nil, nil, errBadHash
		}
	}
	if len(seen) != 3 {
		return p, nil, nil, errBadHash
	}
	if p.memoryKiB < minMemoryKiB || p.memoryKiB > maxMemoryKiB || p.time < 1 || p.time > maxTime ||
		p.threads < 1 || p.memoryKiB < 8*uint32(p.threads) {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range", errBadHash)
	}
	salt, err := b64.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, errBadHash
	}
	key, err := b64.Strict().DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, errBadHash
	}
	p.saltLen, p.keyLen = len(salt), len(key)
	return p, salt, key, nil
}
