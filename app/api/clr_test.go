package api_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// vcOf returns the credential a VC-JWT carries: the payload itself, with
// no "vc" claim (VC-JOSE-COSE forbids it).
func vcOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %.40s", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(raw, &payload); err != nil || payload["@context"] == nil {
		t.Fatalf("the payload is not a credential: %v", err)
	}
	if _, has := payload["vc"]; has {
		t.Fatal("a VCDM 2.0 credential wrapped in a vc claim")
	}
	return payload
}

const (
	clrSchema = "clr_v2p0_clrcredential_schema.json"
	obSchema  = "ob_v3p0_achievementcredential_schema.json"
)

func mustValidate(t *testing.T, schemas *schemaSet, file string, doc any) {
	t.Helper()
	problems, err := schemas.validate(file, doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", file, p)
	}
}

func TestCLRExportValidatesAgainstTheStandardSchemas(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	schemas := newSchemaSet(t, "testdata/1edtech")

	// A record with nothing banked has no CLR (CLR 2.0 needs a credential).
	res := e.do(req{method: "GET", path: "/api/v1/learners/me/transcript?format=clr", token: d.learner})
	if res.status != 422 || !strings.Contains(string(res.body), `"field":"format"`) {
		t.Fatalf("empty record: %d %s", res.status, res.body)
	}
	e.must(422, req{method: "GET", path: "/api/v1/learners/me/transcript?format=pdf", token: d.learner})

	first := d.deposit("插花", 32)
	d.deposit("合唱", 16)
	out := e.must(200, req{method: "GET", path: "/api/v1/learners/me/transcript?format=clr", token: d.learner})
	if out["format"] != "clr" {
		t.Fatalf("format = %v", out["format"])
	}
	clr := vcOf(t, out["transcript"].(string))
	mustValidate(t, schemas, clrSchema, clr)
	achievements := out["achievements"].([]any)
	if len(achievements) != 2 {
		t.Fatalf("%d achievement credentials, want one per outcome", len(achievements))
	}
	for _, a := range achievements {
		mustValidate(t, schemas, obSchema, vcOf(t, a.(string)))
	}
	embedded := clr["credentialSubject"].(map[string]any)["verifiableCredential"].([]any)
	credits := map[string]float64{}
	for _, c := range embedded {
		s := c.(map[string]any)["credentialSubject"].(map[string]any)
		ach := s["achievement"].(map[string]any)
		if ach["creditsAvailable"] != s["creditsEarned"] {
			t.Errorf("credits available %v, earned %v", ach["creditsAvailable"], s["creditsEarned"])
		}
		credits[ach["name"].(string)] = s["creditsEarned"].(float64)
	}
	if credits["插花"] != 2 || credits["合唱"] != 1 {
		t.Errorf("credits earned = %v", credits)
	}
	if strings.Contains(out["transcript"].(string), d.nationalID) || strings.Contains(string(mustJSON(t, clr)), d.nationalID) {
		t.Error("the CLR carries the national ID in clear")
	}

	// /verify accepts both formats and checks revocation for each outcome.
	for _, tc := range []struct {
		token, format string
		outcomes      int
	}{
		{out["transcript"].(string), "clr", 2},
		{achievements[0].(string), "achievement", 1},
	} {
		v := e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": tc.token}})
		subj, _ := v["subject"].(map[string]any)
		if v["valid"] != true || v["format"] != tc.format || subj["name"] != "林静" || len(subj["outcomes"].([]any)) != tc.outcomes {
			t.Errorf("verify %s = %v", tc.format, v)
		}
	}
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + first + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "录入错误"}})
	v := e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": out["transcript"].(string)}})
	revoked := v["revokedOutcomes"].([]any)
	if v["valid"] != false || len(revoked) != 1 || revoked[0].(map[string]any)["id"] != first {
		t.Errorf("after revocation: %v", v)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// The validator must reject what the schemas forbid, or the export test
// above would prove nothing.
func TestSchemaValidatorRejectsBrokenCredentials(t *testing.T) {
	d := newDistrict(t)
	d.deposit("插花", 32)
	out := d.e.must(200, req{method: "GET", path: "/api/v1/learners/me/transcript?format=clr", token: d.learner})
	schemas := newSchemaSet(t, "testdata/1edtech")
	fresh := func() map[string]any {
		var m map[string]any
		if err := json.Unmarshal(mustJSON(t, vcOf(t, out["transcript"].(string))), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	firstCredential := func(m map[string]any) map[string]any {
		return m["credentialSubject"].(map[string]any)["verifiableCredential"].([]any)[0].(map[string]any)
	}
	for _, tc := range []struct {
		name   string
		mutate func(m map[string]any)
	}{
		{"no issuer", func(m map[string]any) { delete(m, "issuer") }},
		{"not a date-time", func(m map[string]any) { m["validFrom"] = "yesterday" }},
		{"type without ClrCredential", func(m map[string]any) { m["type"] = []any{"VerifiableCredential"} }},
		{"no CLR context", func(m map[string]any) {
			m["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://example.org/ctx.json"}
		}},
		{"empty record", func(m map[string]any) { m["credentialSubject"].(map[string]any)["verifiableCredential"] = []any{} }},
		{"achievement without criteria", func(m map[string]any) {
			delete(firstCredential(m)["credentialSubject"].(map[string]any)["achievement"].(map[string]any), "criteria")
		}},
		{"credits as text", func(m map[string]any) {
			firstCredential(m)["credentialSubject"].(map[string]any)["creditsEarned"] = "2"
		}},
		{"unknown identity type", func(m map[string]any) {
			firstCredential(m)["credentialSubject"].(map[string]any)["identifier"].([]any)[0].(map[string]any)["identityType"] = "nickname"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fresh()
			tc.mutate(m)
			problems, err := schemas.validate(clrSchema, m)
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) == 0 {
				t.Fatal("the broken credential passed the schema")
			}
		})
	}
}
