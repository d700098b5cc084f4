package api_test

import (
	"encoding/json"
	"testing"

	"creditbank/auth/vc"
)

// TestAchievementsAlignToUnitAndLevel: an outcome that certifies a unit
// carries, in its OB 3.0 achievement, an alignment to that unit and to its
// level of the district's framework; one without a unit or level carries
// none. The signed credentials still verify and validate.
func TestAchievementsAlignToUnitAndLevel(t *testing.T) {
	d := newDistrict(t)
	d.e.seedFramework(d.admin, 6)
	d.e.seedUnit(d.admin, "CE-301", "community", 3)
	body := outcomeBody(d.nationalID, "林静", "社区合唱进阶", 0)
	delete(body, "category")
	delete(body, "hours")
	body["unitCode"] = "CE-301"
	unitOutcome := d.e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: body})["id"].(string)
	plain := d.deposit("插花", 32)

	clr, achievements := clrExport(t, d)
	resolve := didResolver(t, d.e)
	if _, err := vc.Verify(clr, resolve); err != nil {
		t.Fatalf("CLR with alignments: %v", err)
	}
	schemas := newSchemaSet(t, "testdata/1edtech")
	byID := map[string][]map[string]any{}
	for _, raw := range achievements {
		if _, err := vc.Verify(raw, resolve); err != nil {
			t.Fatalf("achievement credential: %v", err)
		}
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		mustValidate(t, schemas, obSchema, c)
		var aligned []map[string]any
		ach := c["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
		if list, ok := ach["alignment"].([]any); ok {
			for _, a := range list {
				aligned = append(aligned, a.(map[string]any))
			}
		}
		byID[c["id"].(string)] = aligned
	}
	got := byID["urn:uuid:"+unitOutcome]
	if len(got) != 2 {
		t.Fatalf("unit outcome alignments = %v, want the unit and its level", got)
	}
	unit, level := got[0], got[1]
	if unit["targetCode"] != "CE-301" || unit["targetType"] != "ext:CertificationUnit" || unit["targetUrl"] != "http://creditbank.test/api/v1/units/CE-301" {
		t.Errorf("unit alignment = %v", unit)
	}
	if level["targetCode"] != "3" || level["targetType"] != "ext:FrameworkLevel" || level["targetFramework"] == "" || level["targetName"] == "" {
		t.Errorf("level alignment = %v", level)
	}
	if a := byID["urn:uuid:"+plain]; len(a) != 0 {
		t.Errorf("an outcome without unit or level is aligned: %v", a)
	}
}
