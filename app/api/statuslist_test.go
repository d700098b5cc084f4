package api_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"creditbank/auth/vc"
)

const statusListURL = "http://creditbank.test/api/v1/credentials/status/1"

type statusEntry struct {
	ID, Type, StatusPurpose, StatusListIndex, StatusListCredential string
}

// statusBits fetches a status list, checks its proof and returns its bits.
func statusBits(t *testing.T, e *env, path string) []byte {
	t.Helper()
	res := e.do(req{method: "GET", path: path})
	if res.status != 200 {
		t.Fatalf("%s: %d %s", path, res.status, res.body)
	}
	if cc := res.header.Get("Cache-Control"); cc != "public, max-age=60" {
		t.Errorf("Cache-Control %q", cc)
	}
	if _, err := vc.Verify(res.body, didResolver(t, e)); err != nil {
		t.Fatalf("status list proof: %v", err)
	}
	var sl struct {
		ID                string
		Type              []string
		Issuer            string
		ValidUntil        string
		CredentialSubject struct{ ID, Type, StatusPurpose, EncodedList string }
	}
	if err := json.Unmarshal(res.body, &sl); err != nil {
		t.Fatal(err)
	}
	if sl.ID != statusListURL || sl.Issuer != testDID || sl.Type[1] != "BitstringStatusListCredential" || sl.ValidUntil == "" ||
		sl.CredentialSubject.Type != "BitstringStatusList" || sl.CredentialSubject.StatusPurpose != "revocation" {
		t.Fatalf("status list credential %s", res.body)
	}
	enc, ok := strings.CutPrefix(sl.CredentialSubject.EncodedList, "u")
	if !ok {
		t.Fatal("encodedList is not multibase base64url")
	}
	gz, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	bits, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if len(bits)*8 < 131072 {
		t.Fatalf("%d entries, fewer than 131072", len(bits)*8)
	}
	return bits
}

func bit(bits []byte, i int) bool { return bits[i/8]&(0x80>>(i%8)) != 0 }

func entryOf(t *testing.T, raw []byte) statusEntry {
	t.Helper()
	var c struct{ CredentialStatus statusEntry }
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c.CredentialStatus
}

// TestRevocationFlipsStatusListBit: every credential names its outcome's
// bit in a signed status list; revoking the outcome sets that bit in the
// list served at once, and the positions never move.
func TestRevocationFlipsStatusListBit(t *testing.T) {
	d := newDistrict(t)
	first := d.deposit("插花", 32)
	d.deposit("合唱", 16)
	clr, achievements := clrExport(t, d)
	entries := map[string]statusEntry{}
	for _, a := range achievements {
		st := entryOf(t, a)
		var c struct{ ID string }
		json.Unmarshal(a, &c)
		if st.Type != "BitstringStatusListEntry" || st.StatusPurpose != "revocation" || st.StatusListCredential != statusListURL ||
			st.ID != statusListURL+"#"+st.StatusListIndex {
			t.Fatalf("status entry %+v", st)
		}
		entries[strings.TrimPrefix(c.ID, "urn:uuid:")] = st
	}
	if entries[first].StatusListIndex == "" || len(entries) != 2 {
		t.Fatalf("entries %v", entries)
	}
	var clrStatus struct{ CredentialStatus []statusEntry }
	if err := json.Unmarshal(clr, &clrStatus); err != nil || len(clrStatus.CredentialStatus) != 2 {
		t.Fatalf("CLR credentialStatus %v (%v)", clrStatus.CredentialStatus, err)
	}
	index := func(id string) int {
		i, err := strconv.Atoi(entries[id].StatusListIndex)
		if err != nil || i < 0 || i >= 131072 {
			t.Fatalf("index %q", entries[id].StatusListIndex)
		}
		return i
	}
	var second string
	for id := range entries {
		if id != first {
			second = id
		}
	}
	bits := statusBits(t, d.e, "/api/v1/credentials/status/1")
	if bit(bits, index(first)) || bit(bits, index(second)) || bytes.Count(bits, []byte{0}) != len(bits) {
		t.Fatal("bits set before any revocation")
	}
	d.e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + first + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "录入错误"}})
	bits = statusBits(t, d.e, "/api/v1/credentials/status/1")
	if !bit(bits, index(first)) || bit(bits, index(second)) {
		t.Fatal("revocation did not flip exactly the revoked outcome's bit")
	}
	// A later download keeps the surviving outcome's position.
	_, again := clrExport(t, d)
	if len(again) != 1 || entryOf(t, again[0]) != entries[second] {
		t.Fatalf("position moved: %+v, was %+v", entryOf(t, again[0]), entries[second])
	}
	for _, bad := range []string{"2", "0", "01", "x", "1%20"} {
		if res := d.e.do(req{method: "GET", path: "/api/v1/credentials/status/" + bad}); res.status != 404 {
			t.Errorf("status list %q: %d", bad, res.status)
		}
	}
}

// TestStatusListPositionsAreRandomAndDistinct: positions are drawn at
// random over the whole list, not handed out in order, and never shared.
func TestStatusListPositionsAreRandomAndDistinct(t *testing.T) {
	d := newDistrict(t)
	for i := range 12 {
		d.deposit("课程"+strconv.Itoa(i), 16)
	}
	_, achievements := clrExport(t, d)
	seen := map[int]bool{}
	high := 0
	for _, a := range achievements {
		i, _ := strconv.Atoi(entryOf(t, a).StatusListIndex)
		if seen[i] {
			t.Fatalf("position %d given twice", i)
		}
		seen[i] = true
		if i >= 1024 {
			high++
		}
	}
	// Sequential allocation would keep all twelve under 1024; random
	// positions fall there together with odds of about 10^-29.
	if len(seen) != 12 || high == 0 {
		t.Fatalf("positions %v are not spread over the list", seen)
	}
}
