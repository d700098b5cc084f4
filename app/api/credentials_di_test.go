package api_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"creditbank/auth"
	"creditbank/auth/vc"
)

const testDID = "did:web:creditbank.test"

// didResolver trusts the keys of the DID document the bank serves, as a
// verifier resolving did:web would.
func didResolver(t *testing.T, e *env) vc.KeyResolver {
	t.Helper()
	res := e.do(req{method: "GET", path: "/.well-known/did.json"})
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "application/did+json") {
		t.Fatalf("did.json: %d %s", res.status, res.header.Get("Content-Type"))
	}
	var doc vc.DIDDocument
	if err := json.Unmarshal(res.body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.ID != testDID {
		t.Fatalf("DID document of %s, want %s", doc.ID, testDID)
	}
	return func(id string) (ed25519.PublicKey, error) {
		m, ok := doc.Method(id)
		if !ok || m.Type != "Multikey" || m.Controller != testDID {
			return nil, errors.New("not an assertion key of the issuer")
		}
		return vc.DecodeMultikey(m.PublicKeyMultibase)
	}
}

// clrExport downloads the learner's CLR: the signed ClrCredential and each
// outcome's AchievementCredential, as raw JSON.
func clrExport(t *testing.T, d *district) (json.RawMessage, []json.RawMessage) {
	t.Helper()
	res := d.e.do(req{method: "GET", path: "/api/v1/learners/me/transcript?format=clr", token: d.learner})
	if res.status != 200 {
		t.Fatalf("CLR: %d %s", res.status, res.body)
	}
	var out struct {
		Credential             json.RawMessage   `json:"credential"`
		AchievementCredentials []json.RawMessage `json:"achievementCredentials"`
	}
	if err := json.Unmarshal(res.body, &out); err != nil || out.Credential == nil {
		t.Fatalf("no credential in the CLR export: %v %s", err, res.body)
	}
	return out.Credential, out.AchievementCredentials
}

func object(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestCredentialsCarryDataIntegrityProofs: the CLR, each AchievementCredential
// beside it and each one inside it verify with eddsa-rdfc-2022 against the
// bank's did:web document, and stop verifying once altered.
func TestCredentialsCarryDataIntegrityProofs(t *testing.T) {
	d := newDistrict(t)
	d.deposit("插花", 32)
	d.deposit("合唱", 16)
	before := time.Now().Add(-time.Second).UTC().Truncate(time.Second)
	clr, achievements := clrExport(t, d)
	resolve := didResolver(t, d.e)
	if len(achievements) != 2 {
		t.Fatalf("%d achievement credentials, want 2", len(achievements))
	}
	embedded := object(t, clr)["credentialSubject"].(map[string]any)["verifiableCredential"].([]any)
	all := []json.RawMessage{clr}
	all = append(all, achievements...)
	for _, e := range embedded {
		all = append(all, mustJSON(t, e))
	}
	for i, raw := range all {
		p, err := vc.Verify(raw, resolve)
		if err != nil {
			t.Fatalf("credential %d: %v", i, err)
		}
		if !strings.HasPrefix(p.VerificationMethod, testDID+"#z6Mk") {
			t.Errorf("verification method %s", p.VerificationMethod)
		}
		if created, _ := time.Parse(time.RFC3339, p.Created); created.Before(before) || created.After(time.Now()) {
			t.Errorf("proof created %s", p.Created)
		}
		c := object(t, raw)
		if iss := c["issuer"].(map[string]any); iss["id"] != testDID || !strings.Contains(iss["name"].(string), "学分银行") ||
			!strings.Contains(iss["name"].(string), "Credit Bank") || iss["url"] != "http://creditbank.test" || iss["address"] == nil {
			t.Errorf("issuer profile %v", iss)
		}
	}
	tests := []struct {
		name     string
		raw      []byte
		from, to string
	}{
		{"credits raised in a badge", achievements[0], `"creditsEarned":2`, `"creditsEarned":20`},
		{"badge renamed inside the CLR", clr, `"name":"合唱"`, `"name":"高等数学"`},
		{"learner changed", clr, `"identityHash":"林静"`, `"identityHash":"王芳"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !bytes.Contains(tc.raw, []byte(tc.from)) {
				t.Fatalf("%s not in %s", tc.from, tc.raw)
			}
			if _, err := vc.Verify(bytes.Replace(tc.raw, []byte(tc.from), []byte(tc.to), 1), resolve); err == nil {
				t.Fatal("an altered credential verified")
			}
		})
	}
}

// TestCredentialSemantics: what an admissions office reads — completion
// date, signing time, expiry only where the outcome expires, a described
// result, credits and course code in their fields, the official schemas,
// and a national ID that matches only by its salted hash.
func TestCredentialSemantics(t *testing.T) {
	d := newDistrict(t)
	d.deposit("插花", 32)
	body := outcomeBody(d.nationalID, "林静", "育婴员", 40)
	body["result"] = map[string]any{"grade": "B"}
	expires := time.Now().AddDate(2, 0, 0).Format("2006-01-02")
	body["expiresOn"] = expires
	d.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: body})
	signedAt := time.Now().UTC().Truncate(time.Second)
	clr, achievements := clrExport(t, d)
	completed := time.Now().AddDate(0, -1, 0).Format("2006-01-02")
	salts := map[string]bool{}
	for _, raw := range append([]json.RawMessage{clr}, achievements...) {
		c := object(t, raw)
		if from, _ := time.Parse(time.RFC3339, c["validFrom"].(string)); from.Sub(signedAt).Abs() > 5*time.Second {
			t.Errorf("validFrom %v is not the signing time %v", c["validFrom"], signedAt)
		}
		for _, id := range c["credentialSubject"].(map[string]any)["identifier"].([]any) {
			idn := id.(map[string]any)
			if idn["identityType"] != "nationalIdentityNumber" {
				continue
			}
			salt, _ := idn["salt"].(string)
			if idn["hashed"] != true || salt == "" || salts[salt] {
				t.Errorf("national ID identity %v: want hashed with a salt of its own", idn)
			}
			salts[salt] = true
			sum := sha256.Sum256([]byte(d.nationalID + salt))
			if idn["identityHash"] != "sha256$"+hex.EncodeToString(sum[:]) {
				t.Errorf("identityHash %v does not match the national ID", idn["identityHash"])
			}
		}
		if bytes.Contains(raw, []byte(d.nationalID)) {
			t.Error("the national ID appears in clear")
		}
		schemas := c["credentialSchema"].([]any)
		if len(schemas) != 1 || schemas[0].(map[string]any)["type"] != "JsonSchema" ||
			!strings.HasPrefix(schemas[0].(map[string]any)["id"].(string), "https://purl.imsglobal.org/spec/") {
			t.Errorf("credentialSchema %v", schemas)
		}
	}
	if len(salts) != 3 {
		t.Errorf("%d national ID hashes, want one per credential", len(salts))
	}
	byName := map[string]map[string]any{}
	for _, raw := range achievements {
		c := object(t, raw)
		byName[c["name"].(string)] = c
		if c["awardedDate"] != completed+"T00:00:00Z" {
			t.Errorf("%v: awardedDate %v, want the completion date %s", c["name"], c["awardedDate"], completed)
		}
		subj := c["credentialSubject"].(map[string]any)
		ach := subj["achievement"].(map[string]any)
		rds := ach["resultDescription"].([]any)
		results := subj["result"].([]any)
		if len(rds) != 1 || len(results) != 1 || results[0].(map[string]any)["resultDescription"] != rds[0].(map[string]any)["id"] {
			t.Errorf("%v: result %v not described by %v", c["name"], results, rds)
		}
		if ach["humanCode"] != "C-"+c["name"].(string) || ach["creditsAvailable"] != subj["creditsEarned"] || subj["source"] == nil {
			t.Errorf("%v: course code, credits or source missing: %v", c["name"], subj)
		}
	}
	score, grade := byName["插花"], byName["育婴员"]
	if _, has := score["validUntil"]; has {
		t.Error("an outcome that never expires has a validUntil")
	}
	if grade["validUntil"] != expires+"T00:00:00Z" {
		t.Errorf("validUntil %v, want the outcome's expiry %s", grade["validUntil"], expires)
	}
	rd := func(c map[string]any) map[string]any {
		return c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["resultDescription"].([]any)[0].(map[string]any)
	}
	if r := rd(score); r["resultType"] != "ScaledScore" || r["valueMax"] != "100" || r["requiredValue"] != "60" {
		t.Errorf("score description %v", r)
	}
	if r := rd(grade); r["resultType"] != "LetterGrade" || r["requiredValue"] != "E" {
		t.Errorf("grade description %v", r)
	}
	if v := grade["credentialSubject"].(map[string]any)["result"].([]any)[0].(map[string]any)["value"]; v != "B" {
		t.Errorf("grade result %v", v)
	}
}

// TestCredentialKeyRotationKeepsOldCredentialsValid: after the credential
// keys rotate, a CLR signed before verifies against the DID document
// served after, and a new one is signed with the new key.
func TestCredentialKeyRotationKeepsOldCredentialsValid(t *testing.T) {
	d := newDistrict(t)
	d.deposit("插花", 32)
	old, _ := clrExport(t, d)
	ck, err := auth.LoadCredentialKeys(context.Background(), d.e.store, d.e.vault, testDID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ck.Rotate(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.e.restart()
	fresh, _ := clrExport(t, d)
	resolve := didResolver(t, d.e)
	po, err := vc.Verify(old, resolve)
	if err != nil {
		t.Fatalf("CLR signed before rotation: %v", err)
	}
	pf, err := vc.Verify(fresh, resolve)
	if err != nil {
		t.Fatal(err)
	}
	if po.VerificationMethod == pf.VerificationMethod {
		t.Fatal("still signing with the retired key")
	}
}
