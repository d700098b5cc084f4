package vc

import (
	"bytes"
	"crypto/ed25519"
	"errors"
)

// Multicodec prefixes (varint-encoded) of Ed25519 keys in Multikey form.
var (
	ed25519PubPrefix  = []byte{0xed, 0x01}
	ed25519PrivPrefix = []byte{0x80, 0x26}
)

// EncodeMultikey is an Ed25519 public key as a Multikey publicKeyMultibase:
// base58btc ("z") of the multicodec prefix 0xed01 and the 32 key bytes.
func EncodeMultikey(pub ed25519.PublicKey) string {
	return "z" + base58Encode(append(append([]byte{}, ed25519PubPrefix...), pub...))
}

// DecodeMultikey reads an Ed25519 publicKeyMultibase.
func DecodeMultikey(s string) (ed25519.PublicKey, error) {
	raw, err := decodeMultibase58(s)
	if err != nil {
		return nil, err
	}
	if len(raw) != 2+ed25519.PublicKeySize || !bytes.HasPrefix(raw, ed25519PubPrefix) {
		return nil, errors.New("not an Ed25519 Multikey")
	}
	return ed25519.PublicKey(raw[2:]), nil
}

// DecodeMultikeySecret reads an Ed25519 secretKeyMultibase (prefix 0x8026,
// the 32-byte seed), as published test key pairs carry it.
func DecodeMultikeySecret(s string) (ed25519.PrivateKey, error) {
	raw, err := decodeMultibase58(s)
	if err != nil {
		return nil, err
	}
	if len(raw) != 2+ed25519.SeedSize || !bytes.HasPrefix(raw, ed25519PrivPrefix) {
		return nil, errors.New("not an Ed25519 secret Multikey")
	}
	return ed25519.NewKeyFromSeed(raw[2:]), nil
}

func decodeMultibase58(s string) ([]byte, error) {
	if len(s) < 2 || s[0] != 'z' {
		return nil, errors.New("not multibase base58btc (must start with z)")
	}
	return base58Decode(s[1:])
}
