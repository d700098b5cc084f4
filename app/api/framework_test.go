package api_test

import (
	"fmt"
	"strings"
	"testing"
)

const frameworkPath = "/api/v1/framework"

func frameworkBody(levels int) map[string]any {
	var ls []map[string]any
	for i := 1; i <= levels; i++ {
		ls = append(ls, map[string]any{
			"level": i, "nameZh": fmt.Sprintf("第%d级", i), "nameEn": fmt.Sprintf("Level %d", i),
			"knowledge": "知识描述", "skills": "技能描述", "competence": "能力描述", "eqf": min(i, 8),
		})
	}
	return map[string]any{"nameZh": "示例学习成果框架", "nameEn": "Example learning-outcomes framework",
		"note": "示例，非官方框架", "levels": ls}
}

// seedFramework saves a framework of n levels as admin.
func (e *env) seedFramework(admin string, n int) map[string]any {
	e.t.Helper()
	return e.must(200, req{method: "PUT", path: frameworkPath, token: admin, body: frameworkBody(n)})
}

func TestFrameworkVersionedAndAudited(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	empty := e.must(200, req{method: "GET", path: frameworkPath})
	if empty["version"] != 0.0 || len(empty["levels"].([]any)) != 0 {
		t.Fatalf("framework before any save = %v", empty)
	}
	first := e.seedFramework(admin, 5)
	if first["version"] != 1.0 || len(first["levels"].([]any)) != 5 {
		t.Fatalf("first save = %v", first)
	}
	// Anyone reads it.
	got := e.must(200, req{method: "GET", path: frameworkPath})
	lv3 := got["levels"].([]any)[2].(map[string]any)
	if lv3["nameZh"] != "第3级" || lv3["nameEn"] != "Level 3" || lv3["eqf"] != 3.0 || lv3["knowledge"] != "知识描述" {
		t.Fatalf("level 3 = %v", lv3)
	}

	edit := frameworkBody(5)
	edit["levels"].([]map[string]any)[2]["nameZh"] = "第三级：熟练"
	edit["version"] = 1
	second := e.must(200, req{method: "PUT", path: frameworkPath, token: admin, body: edit})
	if second["version"] != 2.0 || second["levels"].([]any)[2].(map[string]any)["nameZh"] != "第三级：熟练" {
		t.Fatalf("second save = %v", second)
	}
	// An edit of version 1 now is stale, and changes nothing.
	edit["levels"].([]map[string]any)[2]["nameZh"] = "被覆盖"
	if res := e.do(req{method: "PUT", path: frameworkPath, token: admin, body: edit}); res.status != 409 {
		t.Fatalf("stale framework save: %d %s", res.status, res.body)
	}
	if lv := e.must(200, req{method: "GET", path: frameworkPath})["levels"].([]any)[2].(map[string]any); lv["nameZh"] != "第三级：熟练" {
		t.Fatalf("level 3 after a stale save = %v", lv)
	}

	audit := itemsOf(e.must(200, req{method: "GET", path: "/api/v1/audit?action=framework.update", token: admin}))
	if len(audit) != 2 || !strings.Contains(audit[1]["detail"].(string), "version=2") {
		t.Fatalf("framework audit = %v", audit)
	}
}

func TestFrameworkRefusesBadInputAndNonAdmins(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	e.seedFramework(admin, 3)
	cases := []struct {
		name  string
		edit  func(b map[string]any)
		field string
	}{
		{"levels out of order", func(b map[string]any) { b["levels"].([]map[string]any)[1]["level"] = 3 }, "levels[1].level"},
		{"missing English name", func(b map[string]any) { b["levels"].([]map[string]any)[0]["nameEn"] = " " }, "levels[0].nameEn"},
		{"EQF beyond 8", func(b map[string]any) { b["levels"].([]map[string]any)[2]["eqf"] = 9 }, "levels[2].eqf"},
		{"EQF going down", func(b map[string]any) { b["levels"].([]map[string]any)[2]["eqf"] = 1 }, "levels[2].eqf"},
		{"no descriptor", func(b map[string]any) { b["levels"].([]map[string]any)[0]["skills"] = "" }, "levels[0].skills"},
		{"no levels", func(b map[string]any) { b["levels"] = []map[string]any{} }, "levels"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := frameworkBody(3)
			tc.edit(b)
			res := e.do(req{method: "PUT", path: frameworkPath, token: admin, body: b})
			if res.status != 422 || !hasProblem(res.json(t), tc.field) {
				t.Fatalf("status %d, want 422 naming %s: %s", res.status, tc.field, res.body)
			}
		})
	}
	if res := e.do(req{method: "PUT", path: frameworkPath, token: a.staff, body: frameworkBody(4)}); res.status != 403 {
		t.Fatalf("staff edit: %d", res.status)
	}
	if res := e.do(req{method: "PUT", path: frameworkPath, body: frameworkBody(4)}); res.status != 401 {
		t.Fatalf("anonymous edit: %d", res.status)
	}
	if got := e.must(200, req{method: "GET", path: frameworkPath}); got["version"] != 1.0 || len(got["levels"].([]any)) != 3 {
		t.Fatalf("framework after refused edits = %v", got)
	}
}
