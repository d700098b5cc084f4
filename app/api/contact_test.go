package api_test

import (
	"testing"
)

// TestInstitutionContact: an institution's public contact is stored and
// read back by anyone; a bad telephone, a web address that is not http(s)
// or markup in the address is a 422 naming the field, and nothing is made.
func TestInstitutionContact(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{"name": "联系测试学院", "kind": "community_college", "region": "示范区",
			"capabilities": []string{"issue"}, "categories": []string{"community"}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		field string
		body  map[string]any
	}{
		{"phone", base(map[string]any{"phone": "call us"})},
		{"website", base(map[string]any{"website": "javascript:alert(1)"})},
		{"address", base(map[string]any{"address": "<img src=x onerror=alert(1)>"})},
	} {
		res := e.must(422, req{method: "POST", path: "/api/v1/institutions", token: admin, body: tc.body})
		if f := fieldOf(res); f != tc.field {
			t.Errorf("bad %s: error on %q", tc.field, f)
		}
	}
	for _, i := range itemsOf(e.must(200, req{method: "GET", path: "/api/v1/institutions?limit=200"})) {
		if i["name"] == "联系测试学院" {
			t.Fatalf("a refused registration made an institution: %v", i)
		}
	}
	made := e.must(201, req{method: "POST", path: "/api/v1/institutions", token: admin, body: base(map[string]any{
		"address": " 文化路 18 号 ", "phone": "010-6512 3401转8", "website": "https://cc.example.org/"})})
	got := e.must(200, req{method: "GET", path: "/api/v1/institutions/" + made["id"].(string)})
	if got["address"] != "文化路 18 号" || got["phone"] != "010-6512 3401转8" || got["website"] != "https://cc.example.org/" {
		t.Errorf("contact read back = %v / %v / %v", got["address"], got["phone"], got["website"])
	}
}
