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
	"slices"
)

// MasterKeySize is the length of the master key in bytes (AES-256).
const MasterKeySize = 32

// Sealed values start with a format byte. Version 1 (the first releases)
// does not say which master key sealed it; version 2 names the key by a
// short fingerprint, so that during a master-key rotation every value can be
// told to be done or not without trying keys.
const (
	sealV1 byte = 1 // 1 ‖ nonce ‖ ciphertext+tag
	sealV2 byte = 2 // 2 ‖ key id (8 bytes) ‖ nonce ‖ ciphertext+tag
)

// keyIDSize is the length of a master key's fingerprint in a sealed value.
const keyIDSize = 8

// ErrUnseal is returned for any sealed value that does not open: wrong master
// key, wrong purpose, truncation or tampering. The causes are deliberately
// not distinguished.
var ErrUnseal = errors.New("auth: sealed value cannot be opened")

// vaultKey is everything derived from one master key.
type vaultKey struct {
	id        [keyIDSize]byte
	aead      cipher.AEAD
	lookupKey []byte
}

// Vault encrypts personal data (national IDs, phones, signing keys) at rest
// and computes keyed lookup hashes, with sub-keys derived from one master key.
// During a master-key rotation it also holds the older keys: it seals and
// hashes with the current key only, and opens and looks up with any.
type Vault struct {
	current vaultKey
	older   []vaultKey
}

// NewVault derives the vault's sub-keys from a 32-byte master key. Separate
// sub-keys mean a lookup hash never reveals anything about the cipher key.
// Older master keys, while a rotation away from them is under way, still
// open what they sealed.
func NewVault(master []byte, older ...[]byte) (*Vault, error) {
	cur, err := newVaultKey(master)
	if err != nil {
		return nil, err
	}
	v := &Vault{current: cur}
	for _, m := range older {
		k, err := newVaultKey(m)
		if err != nil {
			return nil, err
		}
		if k.id == cur.id || slices.ContainsFunc(v.older, func(o vaultKey) bool { return o.id == k.id }) {
			continue
		}
		v.older = append(v.older, k)
	}
	return v, nil
}

func newVaultKey(master []byte) (vaultKey, error) {
	if len(master) != MasterKeySize {
		return vaultKey{}, fmt.Errorf("auth: master key must be %d bytes, got %d", MasterKeySize, len(master))
	}
	block, err := aes.NewCipher(deriveKey(master, "creditbank/v1/pii-encryption"))
	if err != nil {
		return vaultKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return vaultKey{}, err
	}
	k := vaultKey{aead: aead, lookupKey: deriveKey(master, "creditbank/v1/lookup-hash")}
	copy(k.id[:], deriveKey(master, "creditbank/v1/key-id"))
	return k, nil
}

func deriveKey(master []byte, label string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// KeyID names the current master key (a fingerprint that reveals nothing
// of it), for operators comparing keys.
func (v *Vault) KeyID() string { return hex.EncodeToString(v.current.id[:]) }

// Seal encrypts plaintext with AES-256-GCM under a fresh random nonce and the
// current master key. The purpose (e.g. "national-id", "phone") is
// authenticated as associated data, so a ciphertext copied into another
// field fails to open.
func (v *Vault) Seal(purpose, plaintext string) (string, error) {
	k := &v.current
	head := 1 + keyIDSize
	buf := make([]byte, head+k.aead.NonceSize(), head+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	buf[0] = sealV2
	copy(buf[1:head], k.id[:])
	if _, err := rand.Read(buf[head:]); err != nil {
		return "", fmt.Errorf("auth: nonce: %w", err)
	}
	out := k.aead.Seal(buf, buf[head:], []byte(plaintext), []byte(purpose))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open reverses Seal for the same purpose, with whichever of the vault's
// keys sealed the value.
func (v *Vault) Open(purpose, sealed string) (string, error) {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(sealed)
	if err != nil || len(raw) == 0 {
		return "", ErrUnseal
	}
	switch raw[0] {
	case sealV2:
		if len(raw) < 1+keyIDSize {
			return "", ErrUnseal
		}
		k := v.key(raw[1 : 1+keyIDSize])
		if k == nil {
			return "", ErrUnseal
		}
		return k.open(purpose, raw[1+keyIDSize:])
	case sealV1:
		// The key is not named: the current one is the likelier.
		for _, k := range v.keys() {
			if plain, err := k.open(purpose, raw[1:]); err == nil {
				return plain, nil
			}
		}
	}
	return "", ErrUnseal
}

func (k *vaultKey) open(purpose string, body []byte) (string, error) {
	ns := k.aead.NonceSize()
	if len(body) < ns+k.aead.Overhead() {
		return "", ErrUnseal
	}
	plain, err := k.aead.Open(nil, body[:ns], body[ns:], []byte(purpose))
	if err != nil {
		return "", ErrUnseal
	}
	return string(plain), nil
}

func (v *Vault) keys() []*vaultKey {
	out := []*vaultKey{&v.current}
	for i := range v.older {
		out = append(out, &v.older[i])
	}
	return out
}

func (v *Vault) key(id []byte) *vaultKey {
	for _, k := range v.keys() {
		if hmac.Equal(k.id[:], id) {
			return k
		}
	}
	return nil
}

// SealedByCurrent reports whether a sealed value names the current master
// key, i.e. needs nothing from a rotation to it. It does not authenticate
// the value; Open does.
func (v *Vault) SealedByCurrent(sealed string) bool {
	raw, err := base64.RawURLEncoding.Strict().DecodeString(sealed)
	return err == nil && len(raw) > 1+keyIDSize && raw[0] == sealV2 && hmac.Equal(raw[1:1+keyIDSize], v.current.id[:])
}

// LookupHash is a deterministic keyed hash of a national ID for the unique
// index. Pass the normalised form from domain.ParseNationalID so that "x" and
// "X" find the same account. Being keyed, a stolen database cannot be
// reversed by hashing all 18-digit IDs without the master key.
func (v *Vault) LookupHash(nationalID string) string {
	return lookupHash(v.current.lookupKey, nationalID)
}

// LookupHashes are the hashes an account may be filed under while a
// rotation is under way: the older keys' first, the current key's last. A
// rotation only ever moves an account from an older hash to the current
// one, so a reader trying them in this order cannot miss an account that
// moves between two of its reads.
func (v *Vault) LookupHashes(nationalID string) []string {
	out := make([]string, 0, 1+len(v.older))
	for _, k := range v.older {
		out = append(out, lookupHash(k.lookupKey, nationalID))
	}
	return append(out, v.LookupHash(nationalID))
}

func lookupHash(key []byte, nationalID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(nationalID))
	return hex.EncodeToString(m.Sum(nil))
}
