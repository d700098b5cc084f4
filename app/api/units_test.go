package api_test

import (
	"testing"
)

const unitsPath = "/api/v1/units"

func unitBody(code, category string, level int) map[string]any {
	return map[string]any{
		"code": code, "titleZh": "单元" + code, "titleEn": "Unit " + code, "level": level,
		"credits": 2, "hours": 32, "category": category, "learningOutcomes": "能独立完成本单元任务",
		"assessment": "practical", "qaNote": "两名评审员独立评分", "status": "active",
	}
}

// seedUnit creates an active unit as the given token.
func (e *env) seedUnit(token, code, category string, level int) map[string]any {
	e.t.Helper()
	return e.must(201, req{method: "POST", path: unitsPath, token: token, body: unitBody(code, category, level)})
}

func TestUnitsLifecycleAndAccreditation(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	e.seedFramework(admin, 6)
	a := e.issuer(admin, "社区学院") // community, senior, academic
	voc := e.createInstitution(admin, "职业学校", []string{"issue"}, []string{"vocational"})
	vocStaff := e.createStaff(admin, voc.id, "vocstaff", "issue")

	u := e.seedUnit(admin, "ce-101", "community", 3)
	if u["code"] != "CE-101" || u["version"] != 1.0 || u["status"] != "active" || u["level"] != 3.0 {
		t.Fatalf("created unit = %v", u)
	}
	// Staff of an institution accredited for the category may add and edit.
	e.seedUnit(a.staff, "SE-201", "senior", 2)
	if res := e.do(req{method: "POST", path: unitsPath, token: a.staff, body: unitBody("VT-1", "vocational", 2)}); res.status != 403 {
		t.Fatalf("unit outside the institution's categories: %d %s", res.status, res.body)
	}
	e.seedUnit(vocStaff, "VT-301", "vocational", 4)

	// Anyone reads; lists filter.
	got := e.must(200, req{method: "GET", path: unitsPath + "/ce-101"})
	if got["titleEn"] != "Unit ce-101" || got["assessment"] != "practical" || got["qaNote"] != "两名评审员独立评分" {
		t.Fatalf("unit = %v", got)
	}
	if n := len(itemsOf(e.must(200, req{method: "GET", path: unitsPath}))); n != 3 {
		t.Fatalf("all units: %d", n)
	}
	voca := itemsOf(e.must(200, req{method: "GET", path: unitsPath + "?category=vocational"}))
	if len(voca) != 1 || voca[0]["code"] != "VT-301" {
		t.Fatalf("vocational units = %v", voca)
	}

	// Edits: versioned, stale is 409, the other category's staff 403.
	edit := unitBody("CE-101", "community", 4)
	edit["version"] = 1
	up := e.must(200, req{method: "PUT", path: unitsPath + "/CE-101", token: a.staff, body: edit})
	if up["version"] != 2.0 || up["level"] != 4.0 {
		t.Fatalf("edited unit = %v", up)
	}
	if res := e.do(req{method: "PUT", path: unitsPath + "/CE-101", token: a.staff, body: edit}); res.status != 409 {
		t.Fatalf("stale unit edit: %d %s", res.status, res.body)
	}
	delete(edit, "version")
	if res := e.do(req{method: "PUT", path: unitsPath + "/CE-101", token: vocStaff, body: edit}); res.status != 403 {
		t.Fatalf("edit by an institution not accredited for community: %d", res.status)
	}
	// Moving the unit into a category the editor is not accredited for is refused.
	move := unitBody("CE-101", "vocational", 4)
	if res := e.do(req{method: "PUT", path: unitsPath + "/CE-101", token: a.staff, body: move}); res.status != 403 {
		t.Fatalf("move into another category: %d", res.status)
	}
	retire := unitBody("CE-101", "community", 4)
	retire["status"] = "retired"
	e.must(200, req{method: "PUT", path: unitsPath + "/CE-101", token: admin, body: retire})
	revive := unitBody("CE-101", "community", 4)
	if res := e.do(req{method: "PUT", path: unitsPath + "/CE-101", token: admin, body: revive}); res.status != 422 || !hasProblem(res.json(t), "status") {
		t.Fatalf("reviving a retired unit: %d %s", res.status, res.body)
	}
	if got := e.must(200, req{method: "GET", path: unitsPath + "/CE-101"}); got["version"] != 3.0 || got["status"] != "retired" {
		t.Fatalf("unit after refused revival = %v", got)
	}
	audit := itemsOf(e.must(200, req{method: "GET", path: "/api/v1/audit?action=unit.update", token: admin}))
	if len(audit) != 2 {
		t.Fatalf("unit.update audited %d times, want 2", len(audit))
	}
}

func TestUnitValidation(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	e.seedFramework(admin, 4)
	e.seedUnit(admin, "CE-1", "community", 1)
	cases := []struct {
		name  string
		edit  func(b map[string]any)
		field string
	}{
		{"level beyond the framework", func(b map[string]any) { b["level"] = 5 }, "level"},
		{"no level", func(b map[string]any) { b["level"] = 0 }, "level"},
		{"bad code", func(b map[string]any) { b["code"] = "中文代码" }, "code"},
		{"taken code", func(b map[string]any) { b["code"] = "ce-1" }, "code"},
		{"unknown assessment", func(b map[string]any) { b["assessment"] = "vibes" }, "assessment"},
		{"credits not in half steps", func(b map[string]any) { b["credits"] = 1.3 }, "credits"},
		{"no English title", func(b map[string]any) { b["titleEn"] = "" }, "titleEn"},
		{"new unit retired", func(b map[string]any) { b["status"] = "retired" }, "status"},
		{"unknown category", func(b map[string]any) { b["category"] = "magic" }, "category"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := unitBody("CE-2", "community", 2)
			tc.edit(b)
			res := e.do(req{method: "POST", path: unitsPath, token: admin, body: b})
			if res.status != 422 || !hasProblem(res.json(t), tc.field) {
				t.Fatalf("status %d, want 422 naming %s: %s", res.status, tc.field, res.body)
			}
		})
	}
	if n := len(itemsOf(e.must(200, req{method: "GET", path: unitsPath}))); n != 1 {
		t.Fatalf("units after refused creates: %d", n)
	}
	e.must(404, req{method: "GET", path: unitsPath + "/NOPE"})
}

func TestOutcomesCarryUnitAndLevel(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	e.seedFramework(admin, 6)
	a := e.issuer(admin, "社区学院") // community, senior, academic
	e.seedUnit(admin, "CE-301", "community", 3)
	e.seedUnit(admin, "VT-401", "vocational", 4)
	draft := unitBody("CE-DRAFT", "community", 2)
	draft["status"] = "draft"
	e.must(201, req{method: "POST", path: unitsPath, token: admin, body: draft})

	// The unit fills category, level, hours and credits.
	body := outcomeBody(nid(t, 1), "王秀兰", "社区合唱进阶", 0)
	delete(body, "category")
	delete(body, "hours")
	body["unitCode"] = "ce-301"
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})
	if out["unitCode"] != "CE-301" || out["level"] != 3.0 || out["category"] != "community" || out["credits"] != 2.0 || out["hours"] != 32.0 {
		t.Fatalf("outcome for a unit = %v", out)
	}
	// A level stated without a unit must exist in the framework.
	stated := outcomeBody(nid(t, 1), "王秀兰", "社区舞蹈", 16)
	stated["level"] = 2
	if got := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: stated}); got["level"] != 2.0 || got["unitCode"] != nil {
		t.Fatalf("outcome with a stated level = %v", got)
	}

	cases := []struct {
		name  string
		edit  func(b map[string]any)
		field string
	}{
		{"unknown unit", func(b map[string]any) { b["unitCode"] = "NO-SUCH" }, "unitCode"},
		{"draft unit", func(b map[string]any) { b["unitCode"] = "CE-DRAFT" }, "unitCode"},
		{"level contradicts the unit", func(b map[string]any) { b["unitCode"] = "CE-301"; b["level"] = 5 }, "level"},
		{"category contradicts the unit", func(b map[string]any) { b["unitCode"] = "CE-301"; b["category"] = "senior" }, "category"},
		{"level beyond the framework", func(b map[string]any) { b["level"] = 7 }, "level"},
		// The institution is not accredited for vocational outcomes.
		{"unit outside the accreditation", func(b map[string]any) { b["unitCode"] = "VT-401"; delete(b, "category") }, "category"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := outcomeBody(nid(t, 10+i), "李四", "探针"+itoa(i), 32)
			tc.edit(b)
			res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: b})
			if res.status != 422 || !hasProblem(res.json(t), tc.field) {
				t.Fatalf("status %d, want 422 naming %s: %s", res.status, tc.field, res.body)
			}
		})
	}
	if n := len(itemsOf(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff}))); n != 2 {
		t.Fatalf("banked %d outcomes, want 2", n)
	}
}

func TestCSVImportUnitAndLevelColumns(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	e.seedFramework(admin, 5)
	a := e.issuer(admin, "社区学院")
	e.seedUnit(admin, "CE-201", "community", 2)
	csv := "身份证号,姓名,成果名称,学时,成绩,完成日期,认证单元代码,等级\n" +
		nid(t, 401) + ",赵一,社区合唱,,90,2025-03-01,CE-201,\n" +
		nid(t, 402) + ",钱二,社区合唱,32,90,2025-03-01,CE-201,2\n" +
		nid(t, 403) + ",孙三,社区合唱,32,90,2025-03-01,CE-201,4\n" // contradicts the unit
	up := csvUpload([]byte(csv))
	up.token = a.staff
	res := e.do(up)
	if res.status != 202 {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	job := e.waitImport(a.staff, res.json(t)["id"].(string))
	if job["ok"] != 2.0 || job["failed"] != 1.0 {
		t.Fatalf("job = %v", job)
	}
	errs := job["errors"].([]any)
	if first := errs[0].(map[string]any); first["line"] != 4.0 || first["column"] != "等级" {
		t.Fatalf("row error = %v", first)
	}
	for _, o := range itemsOf(e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})) {
		if o["unitCode"] != "CE-201" || o["level"] != 2.0 || o["category"] != "community" {
			t.Fatalf("imported outcome = %v", o)
		}
	}
}

func TestCourseLeadsToUnit(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	e.seedFramework(admin, 6)
	a := e.issuer(admin, "社区学院")
	e.seedUnit(admin, "CE-301", "community", 3)
	e.seedUnit(admin, "SE-101", "senior", 1)
	retired := unitBody("CE-OLD", "community", 2)
	retired["status"] = "active"
	e.must(201, req{method: "POST", path: unitsPath, token: admin, body: retired})
	retired["status"] = "retired"
	e.must(200, req{method: "PUT", path: unitsPath + "/CE-OLD", token: admin, body: retired})

	cases := []struct {
		name, unit string
		status     int
	}{
		{"a unit of the course's category", "ce-301", 201},
		{"no such unit", "CE-999", 422},
		{"a unit of another category", "SE-101", 422},
		{"a retired unit", "CE-OLD", 422},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := courseBody("SF-"+itoa(i), "课程"+itoa(i), "community", 32)
			b["unitCode"] = tc.unit
			res := e.do(req{method: "POST", path: myCourses, token: a.staff, body: b})
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.status == 422 && !hasProblem(res.json(t), "unitCode") {
				t.Fatalf("the refusal does not name unitCode: %s", res.body)
			}
			if tc.status == 201 && res.json(t)["unitCode"] != "CE-301" {
				t.Fatalf("course = %s", res.body)
			}
		})
	}
	// An outcome for the course certifies its unit at the unit's level.
	courses := itemsOf(e.must(200, req{method: "GET", path: myCourses, token: a.staff}))
	if len(courses) != 1 {
		t.Fatalf("catalogue = %v", courses)
	}
	body := outcomeBody(nid(t, 7), "周七", "", 0)
	for _, k := range []string{"title", "category", "hours", "courseCode"} {
		delete(body, k)
	}
	body["courseId"] = courses[0]["id"]
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})
	if out["unitCode"] != "CE-301" || out["level"] != 3.0 {
		t.Fatalf("outcome for the course = %v", out)
	}
}
