package auth

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestVaultRoundTrip(t *testing.T) {
	v := newTestVault(t, 1)
	for _, plain := range []string{"11010519491231002X", "13800138000", "", "长文本 unicode ✓"} {
		sealed, err := v.Seal("national-id", plain)
		if err != nil {
			t.Fatal(err)
		}
		if plain != "" && strings.Contains(sealed, plain) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := v.Open("national-id", sealed)
		if err != nil || got != plain {
			t.Fatalf("Open = %q, %v; want %q", got, err, plain)
		}
	}
	a, _ := v.Seal("phone", "13800138000")
	b, _ := v.Seal("phone", "13800138000")
	if a == b {
		t.Fatal("two seals of one value must differ (random nonce)")
	}
}

func TestVaultOpenFailures(t *testing.T) {
	v := newTestVault(t, 1)
	other := newTestVault(t, 2)
	sealed, err := v.Seal("national-id", "11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(sealed)
	tamper := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x01
		return base64.RawURLEncoding.EncodeToString(b)
	}
	tests := []struct {
		name    string
		vault   *Vault
		purpose string
		sealed  string
	}{
		{"wrong master key", other, "national-id", sealed},
		{"purpose mismatch", v, "phone", sealed},
		{"tampered ciphertext", v, "national-id", tamper(len(raw) - 20)},
		{"tampered tag", v, "national-id", tamper(len(raw) - 1)},
		{"tampered nonce", v, "national-id", tamper(2)},
		{"unknown version", v, "national-id", tamper(0)},
		{"truncated", v, "national-id", sealed[:20]},
		{"empty", v, "national-id", ""},
		{"not base64", v, "national-id", "***"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.vault.Open(tc.purpose, tc.sealed)
			if !errors.Is(err, ErrUnseal) || got != "" {
				t.Fatalf("Open = %q, %v; want ErrUnseal", got, err)
			}
		})
	}
}

func TestLookupHash(t *testing.T) {
	v := newTestVault(t, 1)
	same := newTestVault(t, 1)
	other := newTestVault(t, 2)
	id := "11010519491231002X"
	h := v.LookupHash(id)
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("not hex SHA-256: %q", h)
	}
	if v.LookupHash(id) != h || same.LookupHash(id) != h {
		t.Fatal("lookup hash must be deterministic for one master key")
	}
	if other.LookupHash(id) == h {
		t.Fatal("lookup hash must depend on the master key")
	}
	if v.LookupHash("110105194912310029") == h {
		t.Fatal("different IDs must hash differently")
	}
}

func TestNewVaultRejectsWrongKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := NewVault(make([]byte, n)); err == nil {
			t.Errorf("NewVault(%d bytes) succeeded", n)
		}
	}
}
