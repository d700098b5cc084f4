package auth

import (
	"creditbank/storage"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// PublicKeys maps a kid to the Ed25519 key that verifies what it signed.
// It is all an offline verifier needs: no store, no network.
type PublicKeys map[string]ed25519.PublicKey

// StoredPublicKeys takes the public halves of every key the bank ever
// signed with; a stored key whose kid is not its thumbprint is left out.
func StoredPublicKeys(keys []storage.SigningKey) PublicKeys {
	out := PublicKeys{}
	for _, k := range keys {
		if k.Use != storage.KeyUseAccess {
			continue
		}
		if vk, err := toVerifyKey(&k); err == nil {
			out[vk.kid] = vk.public
		}
	}
	return out
}

// JWKS publishes the keys in RFC 8037 form, in kid order so that the
// document is stable between downloads.
func (pk PublicKeys) JWKS() JWKSet {
	kids := make([]string, 0, len(pk))
	for kid := range pk {
		kids = append(kids, kid)
	}
	sort.Strings(kids)
	set := JWKSet{Keys: make([]JWK, 0, len(kids))}
	for _, kid := range kids {
		set.Keys = append(set.Keys, JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pk[kid]), Kid: kid, Use: "sig", Alg: "EdDSA"})
	}
	return set
}

// maxJWKSLen bounds a key file read from disk or a form.
const maxJWKSLen = 256 << 10

// ParseJWKS reads a JWK set such as the bank's /api/v1/transcripts/keys or
// /.well-known/jwks.json. Only Ed25519 signing keys are taken; a kid must
// be the key's RFC 7638 thumbprint, as the bank writes it, so a key file
// cannot bind one key to another key's name.
func ParseJWKS(raw []byte) (PublicKeys, error) {
	if len(raw) > maxJWKSLen {
		return nil, errors.New("key file is too large")
	}
	var set JWKSet
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("key file is not a JWK set: %w", err)
	}
	out := PublicKeys{}
	for i, k := range set.Keys {
		if k.Kty != "OKP" || k.Crv != "Ed25519" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		pub, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("key %d: x is not an Ed25519 public key", i)
		}
		if Thumbprint(pub) != k.Kid {
			return nil, fmt.Errorf("key %d: kid is not the key's thumbprint", i)
		}
		out[k.Kid] = ed25519.PublicKey(pub)
	}
	if len(out) == 0 {
		return nil, errors.New("key file holds no Ed25519 signing key")
	}
	return out, nil
}
