package auth

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadMasterKeyFromEnv(t *testing.T) {
	key := testMasterKey(9)
	tests := []struct {
		name    string
		env     string
		wantErr bool
	}{
		{"std base64", base64.StdEncoding.EncodeToString(key), false},
		{"url base64 unpadded", base64.RawURLEncoding.EncodeToString(key), false},
		{"surrounding whitespace", " " + base64.StdEncoding.EncodeToString(key) + "\n", false},
		{"16 bytes", base64.StdEncoding.EncodeToString(key[:16]), true},
		{"33 bytes", base64.StdEncoding.EncodeToString(append(key, 1)), true},
		{"not base64", "this is not base64!!", true},
		{"raw 32 chars", strings.Repeat("k", 32), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A key file path is given too: the env value must win, and a bad
			// env value must not silently fall back to the file.
			file := filepath.Join(t.TempDir(), "master.key")
			got, err := LoadMasterKey(tc.env, file)
			if tc.wantErr {
				if err == nil {
					t.Fatal("bad env key accepted")
				}
				if strings.Contains(err.Error(), strings.TrimSpace(tc.env)) {
					t.Fatal("error message echoes the key material")
				}
			} else if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("LoadMasterKey = %x, %v", got, err)
			}
			if _, err := os.Stat(file); !os.IsNotExist(err) {
				t.Fatal("key file created although the env var was set")
			}
		})
	}
}

func TestLoadMasterKeyFileCreatedAndReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	file := filepath.Join(dir, "master.key")
	first, err := LoadMasterKey("", file)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != MasterKeySize || bytes.Equal(first, make([]byte, MasterKeySize)) {
		t.Fatalf("bad generated key %x", first)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %#o, want 0600", st.Mode().Perm())
		}
		dst, _ := os.Stat(dir)
		if dst.Mode().Perm() != 0o700 {
			t.Fatalf("key dir mode %#o, want 0700", dst.Mode().Perm())
		}
	}
	second, err := LoadMasterKey("", file)
	if err != nil || !bytes.Equal(first, second) {
		t.Fatalf("reloaded key differs: %v", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".masterkey-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left behind: %v", leftovers)
	}
}

func TestLoadMasterKeyFileRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permission bits")
	}
	good := base64.StdEncoding.EncodeToString(testMasterKey(3)) + "\n"
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		wantMsg string
	}{
		{"group readable", good, 0o640, "chmod 600"},
		{"world readable", good, 0o604, "chmod 600"},
		{"short key", base64.StdEncoding.EncodeToString([]byte("short")), 0o600, "32 bytes"},
		{"not base64", "@@@@", 0o600, "base64"},
		{"empty", "", 0o600, "master key file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(file, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(file, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadMasterKey("", file)
			if err == nil || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.wantMsg)
			}
		})
	}
}

func TestLoadMasterKeyNeedsEnvWithoutFile(t *testing.T) {
	_, err := LoadMasterKey("", "")
	if err == nil || !strings.Contains(err.Error(), "CREDITBANK_MASTER_KEY") {
		t.Fatalf("err = %v, want a hint to set CREDITBANK_MASTER_KEY", err)
	}
}
