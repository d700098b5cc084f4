package service

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"creditbank/auth/vc"
	"creditbank/domain"
)

// Revocation travels with the credentials: each carries a
// BitstringStatusListEntry pointing at a bit of a signed
// BitstringStatusListCredential the bank serves at a stable URL.
const (
	// StatusListSize is the number of entries per list: the W3C minimum
	// for herd privacy (a fetched list says nothing about which credential
	// the verifier holds).
	StatusListSize = 131072
	// statusListDraws bounds random draws in one list before moving to the
	// next. Lists are kept under half full in practice, so 32 collisions
	// in a row (odds below 2^-32) mean this one is crowded.
	statusListDraws = 32
	// StatusListLifetime is how long a downloaded status list is current;
	// an offline verifier needs a fresher one after it.
	StatusListLifetime = 7 * 24 * time.Hour
	// statusListCacheFor bounds how often a list is rebuilt (it scans every
	// account); a revocation in this process clears it at once.
	statusListCacheFor = 30 * time.Second
	// StatusListMaxAge is the Cache-Control max-age of a served list.
	StatusListMaxAge = 60
	statusListPath   = "/api/v1/credentials/status/"
)

// StatusListURL is the stable URL of status list list.
func (s *Service) StatusListURL(list string) string {
	return strings.TrimRight(s.transcripts.Issuer(), "/") + statusListPath + list
}

// statusEntryFor gives the outcome its status list position (drawn at
// random the first time, then always the same) and the entry naming it.
func (s *Service) statusEntryFor(ctx context.Context, outcomeID uuid.UUID) (statusEntry, error) {
	for list := 1; ; list++ {
		name := strconv.Itoa(list)
		for range statusListDraws {
			var b [4]byte
			if _, err := rand.Read(b[:]); err != nil {
				return statusEntry{}, err
			}
			idx, err := s.store.AssignStatusIndex(ctx, outcomeID, name, int(binary.BigEndian.Uint32(b[:])%StatusListSize))
			if errors.Is(err, domain.ErrConflict) {
				continue
			}
			if err != nil {
				return statusEntry{}, err
			}
			url := s.StatusListURL(idx.List)
			return statusEntry{ID: url + "#" + strconv.Itoa(idx.Index), Type: "BitstringStatusListEntry", StatusPurpose: "revocation",
				StatusListIndex: strconv.Itoa(idx.Index), StatusListCredential: url}, nil
		}
	}
}

type statusListCache struct {
	mu    sync.Mutex
	lists map[string]cachedStatusList
}

type cachedStatusList struct {
	raw   []byte
	built time.Time
}

func (c *statusListCache) invalidate() {
	c.mu.Lock()
	c.lists = nil
	c.mu.Unlock()
}

type statusListSubject struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	StatusPurpose string `json:"statusPurpose"`
	EncodedList   string `json:"encodedList"`
}

type statusListCredential struct {
	Context           []string          `json:"@context"`
	ID                string            `json:"id"`
	Type              []string          `json:"type"`
	Issuer            string            `json:"issuer"`
	ValidFrom         time.Time         `json:"validFrom"`
	ValidUntil        time.Time         `json:"validUntil"`
	CredentialSubject statusListSubject `json:"credentialSubject"`
}

// StatusListCredential is the signed BitstringStatusListCredential of
// list: bit i set means the credentials pointing at position i are revoked.
func (s *Service) StatusListCredential(ctx context.Context, list string) ([]byte, error) {
	if n, err := strconv.Atoi(list); err != nil || n < 1 || strconv.Itoa(n) != list {
		return nil, domain.ErrNotFound
	}
	if s.creds == nil {
		return nil, errors.New("credential keys are not configured")
	}
	s.statusLists.mu.Lock()
	defer s.statusLists.mu.Unlock()
	now := s.now()
	if c, ok := s.statusLists.lists[list]; ok && now.Sub(c.built) < statusListCacheFor && !now.Before(c.built) {
		return c.raw, nil
	}
	positions, err := s.store.ListStatusIndexes(ctx, list)
	if err != nil {
		return nil, err
	}
	if len(positions) == 0 && list != "1" {
		return nil, domain.ErrNotFound
	}
	index := make(map[uuid.UUID]int, len(positions))
	for _, p := range positions {
		index[p.OutcomeID] = p.Index
	}
	bits := make([]byte, StatusListSize/8)
	err = s.store.ScanAccounts(ctx, func(a *domain.Account) error {
		for _, o := range a.Outcomes {
			if i, ok := index[o.ID]; ok && o.Status == domain.OutcomeRevoked {
				bits[i/8] |= 0x80 >> (i % 8) // index 0 is the leftmost bit
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	encoded, err := encodeBitstring(bits)
	if err != nil {
		return nil, err
	}
	vm, key, err := s.creds.ProofKey()
	if err != nil {
		return nil, err
	}
	at := domain.Now(now).Truncate(time.Second).UTC()
	url := s.StatusListURL(list)
	raw, err := json.Marshal(statusListCredential{
		Context: []string{vc.ContextVC2}, ID: url, Type: []string{"VerifiableCredential", "BitstringStatusListCredential"},
		Issuer: s.creds.DID(), ValidFrom: at, ValidUntil: at.Add(StatusListLifetime),
		CredentialSubject: statusListSubject{ID: url + "#list", Type: "BitstringStatusList", StatusPurpose: "revocation", EncodedList: encoded},
	})
	if err != nil {
		return nil, err
	}
	signed, err := vc.Sign(raw, key, vm, at)
	if err != nil {
		return nil, err
	}
	if s.statusLists.lists == nil {
		s.statusLists.lists = map[string]cachedStatusList{}
	}
	s.statusLists.lists[list] = cachedStatusList{raw: signed, built: now}
	return signed, nil
}

// encodeBitstring is the list's encodedList: multibase base64url ("u") of
// the GZIP-compressed bits.
func encodeBitstring(bits []byte) (string, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(bits); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// decodeBitstring reads an encodedList back into its bits.
func decodeBitstring(encoded string) ([]byte, error) {
	raw, ok := strings.CutPrefix(encoded, "u")
	if !ok {
		return nil, errors.New("encodedList is not multibase base64url")
	}
	gz, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	// Lists are small; a compressed bomb must not fill the memory.
	const maxListBytes = 16 << 20
	bits, err := io.ReadAll(io.LimitReader(zr, maxListBytes+1))
	if err != nil {
		return nil, err
	}
	switch {
	case len(bits) > maxListBytes:
		return nil, errors.New("the status list is too large")
	case len(bits) < StatusListSize/8:
		return nil, fmt.Errorf("the status list has %d entries, fewer than %d", len(bits)*8, StatusListSize)
	}
	return bits, nil
}

// bitSet reports bit i of a decoded list.
func bitSet(bits []byte, i int) bool {
	return i >= 0 && i/8 < len(bits) && bits[i/8]&(0x80>>(i%8)) != 0
}
