package api_test

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestTranscriptIssueVerifyAndRevocation(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	kept := d.deposit("插花", 64)
	revoked := d.deposit("合唱", 32)
	tr := e.must(200, req{method: "GET", path: "/api/v1/learners/me/transcript", token: d.learner})
	token := tr["transcript"].(string)
	view := tr["view"].(map[string]any)
	if view["name"] != "林静" || view["bankedCredits"] != 6.0 || len(view["outcomes"].([]any)) != 2 {
		t.Fatalf("view = %v", view)
	}
	// The signed payload carries the masked ID only.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if strings.Contains(string(payload), d.nationalID) || !strings.Contains(string(payload), d.nationalID[:6]+"********") {
		t.Errorf("transcript payload must carry the masked ID only")
	}
	e.must(403, req{method: "GET", path: "/api/v1/learners/me/transcript", token: d.reviewer})

	// Anyone can verify, without signing in.
	v := e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": token}})
	if v["valid"] != true || len(v["checks"].([]any)) != 5 || len(v["revokedOutcomes"].([]any)) != 0 {
		t.Fatalf("verify = %v", v)
	}
	// A tampered transcript fails its signature check.
	parts := strings.Split(token, ".")
	bad := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"bankedCredits":6`, `"bankedCredits":60`, 1))) + "." + parts[2]
	if v := e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": bad}}); v["valid"] != false || v["subject"] != nil {
		t.Errorf("tampered verify = %v", v)
	}
	// An access token is not a transcript.
	if v := e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": d.learner}}); v["valid"] != false {
		t.Errorf("access token verified as a transcript: %v", v)
	}
	e.must(400, req{method: "POST", path: "/api/v1/verify", body: `{"transcript": 1}`})

	// Revoking a certified outcome makes the transcript invalid and says which.
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + revoked + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "证书作废"}})
	v = e.must(200, req{method: "POST", path: "/api/v1/verify", body: map[string]string{"transcript": token}})
	rev := v["revokedOutcomes"].([]any)
	if v["valid"] != false || len(rev) != 1 || rev[0].(map[string]any)["id"] != revoked || rev[0].(map[string]any)["id"] == kept {
		t.Errorf("after revocation: %v", v)
	}
}
