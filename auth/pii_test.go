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

// sealV1For makes a value as the first releases sealed it: no key id.
func sealV1For(t *testing.T, v *Vault, purpose, plain string) string {
	t.Helper()
	k := &v.current
	buf := make([]byte, 1+k.aead.NonceSize())
	buf[0] = sealV1
	copy(buf[1:], "fixed-nonce!")
	return base64.RawURLEncoding.EncodeToString(k.aead.Seal(buf, buf[1:], []byte(plain), []byte(purpose)))
}

func TestVaultRotationOpensOldValuesAndSealsWithTheNewKey(t *testing.T) {
	oldKey, newKey := testMasterKey(1), testMasterKey(2)
	old := newTestVault(t, 1)
	rotating, err := NewVault(newKey, oldKey, oldKey, newKey) // duplicates are ignored
	if err != nil {
		t.Fatal(err)
	}
	if len(rotating.older) != 1 {
		t.Fatalf("older keys = %d, want 1", len(rotating.older))
	}
	onlyNew := newTestVault(t, 2)
	legacy := sealV1For(t, old, "national-id", "11010519491231002X")
	named, _ := old.Seal("national-id", "11010519491231002X")
	for name, sealed := range map[string]string{"version 1": legacy, "version 2": named} {
		if got, err := old.Open("national-id", sealed); err != nil || got != "11010519491231002X" {
			t.Errorf("%s: the old key opens %q, %v", name, got, err)
		}
		if got, err := rotating.Open("national-id", sealed); err != nil || got != "11010519491231002X" {
			t.Errorf("%s: the rotating vault opens %q, %v", name, got, err)
		}
		if _, err := onlyNew.Open("national-id", sealed); !errors.Is(err, ErrUnseal) {
			t.Errorf("%s: the new key alone opened an old value: %v", name, err)
		}
		if rotating.SealedByCurrent(sealed) {
			t.Errorf("%s: an old value reads as sealed by the new key", name)
		}
		if _, err := rotating.Open("phone", sealed); !errors.Is(err, ErrUnseal) {
			t.Errorf("%s: opened under another purpose", name)
		}
	}
	resealed, err := rotating.Seal("national-id", "11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	if !rotating.SealedByCurrent(resealed) || !onlyNew.SealedByCurrent(resealed) || old.SealedByCurrent(resealed) {
		t.Error("SealedByCurrent does not follow the key that sealed")
	}
	if got, err := onlyNew.Open("national-id", resealed); err != nil || got != "11010519491231002X" {
		t.Errorf("the new key alone opens the re-sealed value: %q, %v", got, err)
	}
	if _, err := old.Open("national-id", resealed); !errors.Is(err, ErrUnseal) {
		t.Error("the old key opened a value sealed by the new one")
	}
	// Hashes: older first, the current last; the current one is the new key's.
	hs := rotating.LookupHashes("11010519491231002X")
	if len(hs) != 2 || hs[0] != old.LookupHash("11010519491231002X") || hs[1] != onlyNew.LookupHash("11010519491231002X") ||
		rotating.LookupHash("11010519491231002X") != hs[1] {
		t.Errorf("LookupHashes = %v", hs)
	}
	if rotating.KeyID() != onlyNew.KeyID() || rotating.KeyID() == old.KeyID() || len(rotating.KeyID()) != 16 {
		t.Errorf("key ids: rotating %s, new %s, old %s", rotating.KeyID(), onlyNew.KeyID(), old.KeyID())
	}
}
