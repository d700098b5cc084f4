package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// MasterKeySize is the length of the master key in bytes (AES-256).
const MasterKeySize = 32

// sealVersion prefixes every sealed value so that a future master-key
// rotation can tell old ciphertexts from new ones.
const sealVersion byte = 1

// ErrUnseal is returned for any sealed value that does not open: wrong master
// key, wrong purpose, truncation or tampering. The causes are deliberately
// not distinguished.
var ErrUnseal = errors.New("auth: sealed value cannot be opened")

// Vault encrypts personal data (national IDs, phones, signing keys) at rest
// and computes keyed lookup hashes, with sub-keys derived from one master key.
type Vault struct {
	aead      cipher.AEAD
	lookupKey []byte
}

// NewVault derives the vault's sub-keys from a 32-byte master key. Separate
// sub-keys mean a lookup hash never reveals anything about the cipher key.
func NewVault(master []byte) (*Vault, error) {
	if len(master) != MasterKeySize {
		return nil, fmt.Errorf("auth: master key must be %d bytes, got %d", MasterKeySize, len(master))
	}
	block, err := aes.NewCipher(deriveKey(master, "creditbank/v1/pii-encryption"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Vault{aead: aead, lookupKey: deriveKey(master, "creditbank/v1/lookup-hash")}, nil
}

func deriveKey(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Seal encrypts plaintext with AES-256-GCM under a fresh random nonce. The
// purpose (e.g. "national-id", "phone") is authenticated as associated data,
// so a ciphertext copied into another field fails to open.
func (v *Vault) Seal(purpose, plaintext string) (string, error) {
	buf := make([]byte, 1+v.aead.NonceSize(), 1+v.aead.NonceSize()+len(plaintext)+v.aead.Overhead())
	buf[0] = sealVersion
	if _, err := rand.Read(buf[1:]); err != nil {
		return "", fmt.Errorf("auth: nonce: %w", err)
	}
	out := v.aead.Seal(buf, buf[1:], []byte(plaintext), []byte(purpose))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open reverses Seal for the same purpose.
func (v *Vault) Open(purpose, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(sealed)
	ns := v.aead.NonceSize()
	if err != nil || len(raw) < 1+ns+v.aead.Overhead() || raw[0] != sealVersion {
		return "", ErrUnseal
	}
	plain, err := v.aead.Open(nil, raw[1:1+ns], raw[1+ns:], []byte(purpose))
	if err != nil {
		return "", ErrUnseal
	}
	return string(plain), nil
}

// LookupHash is a deterministic keyed hash of a national ID for the unique
// index. Pass the normalised form from domain.ParseNationalID so that "x" and
// "X" find the same account. Being keyed, a stolen database cannot be
// reversed by hashing all 18-digit IDs without the master key.
func (v *Vault) LookupHash(nationalID string) string {
	m := hmac.New(sha256.New, v.lookupKey)
	m.Write([]byte(nationalID))
	return hex.EncodeToString(m.Sum(nil))
}
