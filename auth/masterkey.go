package auth

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// LoadMasterKey returns the 32-byte master key. envValue (CREDITBANK_MASTER_KEY)
// wins and must be base64 of exactly 32 bytes. Otherwise keyFile is read, or
// created with a fresh random key (mode 0600, parent directory 0700) when
// missing. An empty keyFile with no envValue is an error: MongoDB deployments
// must supply the key from the environment.
func LoadMasterKey(envValue string, keyFile string) ([]byte, error) {
	if v := strings.TrimSpace(envValue); v != "" {
		key, err := decodeMasterKey(v)
		if err != nil {
			return nil, fmt.Errorf("CREDITBANK_MASTER_KEY: %w", err)
		}
		return key, nil
	}
	if keyFile == "" {
		return nil, errors.New("no master key: set CREDITBANK_MASTER_KEY (base64 of 32 random bytes)")
	}
	key, err := readKeyFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKeyFile(keyFile)
		if errors.Is(err, fs.ErrExist) {
			// Another process created it between our read and our create.
			key, err = readKeyFile(keyFile)
		}
	}
	return key, err
}

// DecodeMasterKey reads a master key given as base64 of 32 bytes.
func DecodeMasterKey(s string) ([]byte, error) { return decodeMasterKey(strings.TrimSpace(s)) }

func decodeMasterKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.Strict().DecodeString(s); err == nil {
			if len(key) != MasterKeySize {
				return nil, fmt.Errorf("must decode to %d bytes, got %d", MasterKeySize, len(key))
			}
			return key, nil
		}
	}
	return nil, errors.New("must be base64 of 32 random bytes")
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("master key file %s is not a regular file", path)
	}
	// Unix permission bits mean nothing on Windows, where ACLs apply instead.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key file %s has mode %#o: it must be readable by its owner only (chmod 600 %s)",
			path, st.Mode().Perm(), path)
	}
	buf := make([]byte, 256)
	n, err := f.Read(buf)
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	key, err := decodeMasterKey(string(bytes.TrimSpace(buf[:n])))
	if err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, nil
}

func createKeyFile(path string) ([]byte, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("master key directory: %w", err)
	}
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// Write a temporary file, then hard-link it into place: the link fails
	// if the key file already exists, so two processes starting together never
	// overwrite each other's key, and no reader ever sees a half-written file.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".masterkey-*")
	if err != nil {
		return nil, fmt.Errorf("master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	cherr := tmp.Chmod(0o600)
	_, werr := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(cherr, werr, serr, cerr); err != nil {
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fs.ErrExist
		}
		return nil, fmt.Errorf("master key file %s: %w", path, err)
	}
	return key, nil
}

// ReplaceKeyFile puts a new master key into path after a rotation, first
// copying the old file to retired (mode 0600, refused if it exists). The new
// file is written aside and renamed over the old one, so a crash leaves
// either key whole, never half of one: a rerun of the rotation then finishes
// the swap.
func ReplaceKeyFile(path string, key []byte, retired string) error {
	if len(key) != MasterKeySize {
		return fmt.Errorf("master key must be %d bytes", MasterKeySize)
	}
	old, err := readKeyFile(path)
	if err != nil {
		return err
	}
	if err := writeKeyFileAside(retired, old, false); err != nil {
		return fmt.Errorf("keep the old master key: %w", err)
	}
	return writeKeyFileAside(path, key, true)
}

func writeKeyFileAside(path string, key []byte, replace bool) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".masterkey-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	cherr := tmp.Chmod(0o600)
	_, werr := tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(cherr, werr, serr, cerr); err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp.Name(), path)
	} else if err = os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		// A rerun after a crash between the two steps: the copy is there.
		if have, rerr := readKeyFile(path); rerr == nil && bytes.Equal(have, key) {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
