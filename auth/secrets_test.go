package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestNewRefreshToken(t *testing.T) {
	tok, hash := NewRefreshToken()
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not base64url of 32 bytes: %v", tok, err)
	}
	sum := sha256.Sum256([]byte(tok))
	if hash != hex.EncodeToString(sum[:]) || HashToken(tok) != hash {
		t.Fatal("stored hash is not hex SHA-256 of the token")
	}
	if strings.Contains(hash, tok) {
		t.Fatal("hash contains the token")
	}
	tok2, hash2 := NewRefreshToken()
	if tok2 == tok || hash2 == hash {
		t.Fatal("two refresh tokens are equal")
	}
}

func TestClientCredentials(t *testing.T) {
	id, secret := NewClientCredentials()
	id2, secret2 := NewClientCredentials()
	if id == id2 || secret == secret2 {
		t.Fatal("credentials repeat")
	}
	if !strings.HasPrefix(id, "cb_") || strings.Contains(id, secret) {
		t.Fatalf("client id %q", id)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(raw) != 32 {
		t.Fatalf("secret is not 256-bit base64url: %v", err)
	}
	stored := HashSecret(secret)
	tests := []struct {
		name   string
		hash   string
		secret string
		want   bool
	}{
		{"right secret", stored, secret, true},
		{"other client's secret", stored, secret2, false},
		{"empty secret", stored, "", false},
		{"secret with extra byte", stored, secret + "x", false},
		{"empty stored hash", "", secret, false},
		{"secret compared with itself as hash", secret, secret, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := CompareSecret(tc.hash, tc.secret); got != tc.want {
				t.Fatalf("CompareSecret = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRandomPassword(t *testing.T) {
	a, b := RandomPassword(), RandomPassword()
	if a == b {
		t.Fatal("random passwords repeat")
	}
	if len(a) < 20 || len(a) > 128 {
		t.Fatalf("length %d outside the accepted password range", len(a))
	}
}
