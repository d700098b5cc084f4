package auth

import (
	"errors"
	"strings"
	"testing"
)

// cheapParams keep tests fast; the parsing tests prove non-default
// parameters are honoured, so nothing depends on the defaults here.
var cheapParams = argonParams{memoryKiB: minMemoryKiB, time: 1, threads: 2, saltLen: 16, keyLen: 32}

func mustHash(t *testing.T, pw string, p argonParams) string {
	t.Helper()
	h, err := hashWithParams(pw, p)
	if err != nil {
		t.Fatalf("hash: %v", err)
	}
	return h
}

func TestHashPasswordDefaultFormat(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected PHC prefix: %s", h)
	}
	ok, err := VerifyPassword(h, "correct horse battery")
	if err != nil || !ok {
		t.Fatalf("verify own hash = %v, %v", ok, err)
	}
	if NeedsRehash(h) {
		t.Fatal("a default hash should not need rehashing")
	}
	h2, _ := HashPassword("correct horse battery")
	if h2 == h {
		t.Fatal("two hashes of one password must differ (random salt)")
	}
}

func TestVerifyPassword(t *testing.T) {
	h := mustHash(t, "s3cret-passw0rd", cheapParams)
	parts := strings.Split(h, "$")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	tamperedHash := strings.Join(append(append([]string{}, parts[:5]...), flip(parts[5])), "$")
	tamperedSalt := strings.Join(append(append(append([]string{}, parts[:4]...), flip(parts[4])), parts[5]), "$")

	tests := []struct {
		name    string
		encoded string
		pw      string
		want    bool
		wantErr bool
	}{
		{"right password", h, "s3cret-passw0rd", true, false},
		{"wrong password", h, "s3cret-passw0rD", false, false},
		{"empty password", h, "", false, false},
		{"tampered hash bytes", tamperedHash, "s3cret-passw0rd", false, false},
		{"tampered salt", tamperedSalt, "s3cret-passw0rd", false, false},
		{"unclaimed account (no hash)", "", "anything-at-all", false, false},
		{"overlong password", h, strings.Repeat("x", maxPasswordBytes+1), false, false},
		{"garbage hash", "not-a-hash", "s3cret-passw0rd", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VerifyPassword(tc.encoded, tc.pw)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("VerifyPassword = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHashPasswordRejectsBadInput(t *testing.T) {
	for _, pw := range []string{"", strings.Repeat("a", maxPasswordBytes+1)} {
		if _, err := HashPassword(pw); err == nil {
			t.Errorf("HashPassword(len %d) succeeded", len(pw))
		}
	}
}

func TestParametersAreReadFromTheHash(t *testing.T) {
	p := argonParams{memoryKiB: 9000, time: 3, threads: 2, saltLen: 12, keyLen: 24}
	h := mustHash(t, "another-password", p)
	if !strings.Contains(h, "$m=9000,t=3,p=2$") {
		t.Fatalf("params not encoded: %s", h)
	}
	got, salt, key, err := parsePHC(h)
	if err != nil {
		t.Fatal(err)
	}
	if got.memoryKiB != 9000 || got.time != 3 || got.threads != 2 || len(salt) != 12 || len(key) != 24 {
		t.Fatalf("parsed %+v salt %d key %d", got, len(salt), len(key))
	}
	ok, err := VerifyPassword(h, "another-password")
	if err != nil || !ok {
		t.Fatalf("verify with non-default params = %v, %v", ok, err)
	}
	if !NeedsRehash(h) {
		t.Fatal("non-default params should need a rehash")
	}
}

func TestParsePHCRefusesAbsurdOrMalformed(t *testing.T) {
	salt, key := "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := []struct{ name, encoded string }{
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key},
		{"old version", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key},
		{"huge memory", "$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key},
		{"tiny memory", "$argon2id$v=19$m=64,t=2,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=19456,t=1000,p=1$" + salt + "$" + key},
		{"zero time", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key},
		{"zero threads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key},
		{"many threads", "$argon2id$v=19$m=19456,t=2,p=255$" + salt + "$" + key},
		{"uint overflow", "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + key},
		{"missing param", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + key},
		{"repeated param", "$argon2id$v=19$m=19456,m=19456,t=2$" + salt + "$" + key},
		{"unknown param", "$argon2id$v=19$m=19456,t=2,p=1,x=1$" + salt + "$" + key},
		{"short salt", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key},
		{"bad base64", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$!!!!"},
		{"too few fields", "$argon2id$v=19$m=19456,t=2,p=1$" + salt},
		{"too many fields", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, err := parsePHC(tc.encoded); !errors.Is(err, errBadHash) {
				t.Fatalf("parsePHC = %v, want errBadHash", err)
			}
			ok, err := VerifyPassword(tc.encoded, "whatever-password")
			if ok || err == nil {
				t.Fatalf("VerifyPassword = %v, %v; want false with error", ok, err)
			}
		})
	}
}
