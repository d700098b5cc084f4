package api_test

import (
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

func coursePath(id string) string { return "/api/v1/courses/" + id }

const myCourses = "/api/v1/institutions/me/courses"

func (e *env) createCourse(token, code, title, category string, hours float64) map[string]any {
	e.t.Helper()
	return e.must(201, req{method: "POST", path: myCourses, token: token, body: courseBody(code, title, category, hours)})
}

func itemsOf(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestCourseCatalogueLifecycle(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	b := e.issuer(admin, "另一所学院")
	c := e.createCourse(a.staff, "SF-101", "硬笔书法入门", "community", 32)
	id := c["id"].(string)
	if c["version"] != 1.0 || c["institutionId"] != a.id || c["nextStart"] == nil || c["credits"] != nil {
		t.Fatalf("created course = %v", c)
	}
	// The same code at another institution is fine; at the same one it is not.
	e.createCourse(b.staff, "SF-101", "书法", "community", 16)
	dup := e.do(req{method: "POST", path: myCourses, token: a.staff, body: courseBody("SF-101", "另一门", "community", 16)})
	if dup.status != 422 || !hasProblem(dup.json(t), "code") {
		t.Fatalf("duplicate code: %d %s", dup.status, dup.body)
	}

	edit := courseBody("SF-101", "硬笔书法入门（周末班）", "community", 24)
	edit["version"] = 1
	got := e.must(200, req{method: "PUT", path: coursePath(id), token: a.staff, body: edit})
	if got["title"] != "硬笔书法入门（周末班）" || got["version"] != 2.0 {
		t.Fatalf("updated course = %v", got)
	}
	if res := e.do(req{method: "PUT", path: coursePath(id), token: a.staff, body: edit}); res.status != 409 {
		t.Fatalf("edit with a stale version: %d %s", res.status, res.body)
	}
	// Another institution's staff cannot see the course to edit it.
	e.must(404, req{method: "PUT", path: coursePath(id), token: b.staff, body: courseBody("X", "x", "community", 8)})
	e.must(404, req{method: "DELETE", path: coursePath(id), token: b.staff})
	if n := len(itemsOf(e.must(200, req{method: "GET", path: myCourses, token: a.staff}))); n != 1 {
		t.Fatalf("A's own catalogue lists %d courses, want 1", n)
	}
	e.must(409, req{method: "DELETE", path: coursePath(id) + "?version=1", token: a.staff})
	e.must(204, req{method: "DELETE", path: coursePath(id) + "?version=2", token: a.staff})
	e.must(404, req{method: "GET", path: coursePath(id)})

	audit := itemsOf(e.must(200, req{method: "GET", path: "/api/v1/audit?institution=" + a.id, token: admin}))
	var actions []string
	for _, en := range audit {
		if act := en["action"].(string); strings.HasPrefix(act, "course.") {
			actions = append(actions, act)
		}
	}
	if strings.Join(actions, ",") != "course.create,course.update,course.delete" {
		t.Errorf("audited course actions = %v", actions)
	}
}

func TestCourseValidationChangesNothing(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院") // issues community, senior, academic
	existing := e.createCourse(a.staff, "SF-101", "硬笔书法入门", "community", 32)
	with := func(mod func(map[string]any)) map[string]any {
		b := courseBody("NEW-1", "新课程", "community", 16)
		mod(b)
		return b
	}
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"missing code and title", with(func(b map[string]any) { b["code"], b["title"] = "", " " }), []string{"code", "title"}},
		{"unknown category", with(func(b map[string]any) { b["category"] = "castle" }), []string{"category"}},
		{"a category the institution does not issue", with(func(b map[string]any) { b["category"] = "vocational" }), []string{"category"}},
		{"hours out of range", with(func(b map[string]any) { b["hours"] = 0 }), []string{"hours"}},
		{"credits not in half steps", with(func(b map[string]any) { b["credits"] = 1.3 }), []string{"credits"}},
		{"academic without credits", with(func(b map[string]any) { b["category"] = "academic" }), []string{"credits"}},
		{"neither place nor online", with(func(b map[string]any) { b["place"] = "" }), []string{"place"}},
		{"start date not a date", with(func(b map[string]any) { b["nextStart"] = "下个月" }), []string{"nextStart"}},
		{"code taken", with(func(b map[string]any) { b["code"] = "SF-101" }), []string{"code"}},
	}
	before := fingerprint(t, e.store)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reqs := []req{{method: "POST", path: myCourses, token: a.staff, body: tc.body}}
			if tc.name != "code taken" { // a course keeping its own code is no conflict
				reqs = append(reqs, req{method: "PUT", path: coursePath(existing["id"].(string)), token: a.staff, body: tc.body})
			}
			for _, r := range reqs {
				res := e.do(r)
				if res.status != 422 {
					t.Fatalf("%s: status %d, want 422: %s", r.method, res.status, res.body)
				}
				for _, f := range tc.fields {
					if !hasProblem(res.json(t), f) {
						t.Errorf("%s: details do not name %s: %s", r.method, f, res.body)
					}
				}
			}
		})
	}
	if fingerprint(t, e.store) != before {
		t.Error("refused course requests changed stored data")
	}
	e.must(400, req{method: "POST", path: myCourses, token: a.staff, body: `{"code":"X","colour":"red"}`})
	e.must(400, req{method: "POST", path: myCourses, token: a.staff, body: `{"code":"X","version":1}`}) // version is for edits
	// Who may edit is settled before what was sent is judged.
	e.must(403, req{method: "POST", path: myCourses, token: admin, body: with(func(b map[string]any) { b["nextStart"] = "下个月" })})
}

func TestCourseSearch(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	b := e.issuer(admin, "老年大学")
	e.createCourse(a.staff, "SF-101", "硬笔书法入门", "community", 32)
	e.createCourse(a.staff, "EN-1", "Community English", "community", 40)
	e.createCourse(b.staff, "LN-SF", "老年毛笔书法", "senior", 48)
	e.createCourse(b.staff, "TJ-24", "太极拳", "senior", 32)
	titles := func(query string) []string {
		t.Helper()
		var out []string
		for _, c := range itemsOf(e.must(200, req{method: "GET", path: "/api/v1/courses?" + query})) {
			out = append(out, c["title"].(string))
		}
		sort.Strings(out)
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"q=" + url.QueryEscape("书法"), []string{"硬笔书法入门", "老年毛笔书法"}},
		{"q=" + url.QueryEscape("笔书"), []string{"硬笔书法入门", "老年毛笔书法"}},
		{"q=english", []string{"Community English"}},
		{"q=sf", []string{"硬笔书法入门", "老年毛笔书法"}}, // codes match too
		{"category=senior", []string{"太极拳", "老年毛笔书法"}},
		{"institution=" + a.id, []string{"Community English", "硬笔书法入门"}},
		{"q=" + url.QueryEscape("书法") + "&category=community&institution=" + a.id, []string{"硬笔书法入门"}},
		{"q=" + url.QueryEscape("钢琴"), nil},
	}
	for _, tc := range tests {
		if got := titles(tc.query); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("?%s found %v, want %v", tc.query, got, tc.want)
		}
	}
	page := e.must(200, req{method: "GET", path: "/api/v1/courses?limit=3"})
	if len(itemsOf(page)) != 3 || page["nextCursor"] == nil {
		t.Fatalf("first page = %v", page)
	}
	rest := e.must(200, req{method: "GET", path: "/api/v1/courses?limit=3&cursor=" + page["nextCursor"].(string)})
	if len(itemsOf(rest)) != 1 || rest["nextCursor"] != nil {
		t.Fatalf("second page = %v", rest)
	}
	for _, bad := range []string{"category=castle", "institution=nope", "q=" + strings.Repeat("书", 51)} {
		if res := e.do(req{method: "GET", path: "/api/v1/courses?" + url.PathEscape(bad)}); res.status != 422 {
			t.Errorf("?%s: status %d, want 422", bad, res.status)
		}
	}
}

func TestOutcomeForCatalogueCourse(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	b := e.issuer(admin, "另一所学院")
	course := e.createCourse(a.staff, "SF-101", "硬笔书法入门", "community", 32)
	other := e.createCourse(b.staff, "B-1", "乙校课程", "community", 16)
	id := nid(t, 40)
	body := func(mod func(map[string]any)) map[string]any {
		m := map[string]any{"learner": map[string]string{"nationalId": id, "name": "王秀兰"}, "courseId": course["id"],
			"result": map[string]any{"score": 90}, "completedOn": time.Now().AddDate(0, -1, 0).Format("2006-01-02")}
		mod(m)
		return m
	}
	before := fingerprint(t, e.store)
	tests := []struct {
		name   string
		body   map[string]any
		fields []string
	}{
		{"another category", body(func(m map[string]any) { m["category"] = "senior" }), []string{"category"}},
		{"more hours than the course", body(func(m map[string]any) { m["hours"] = 40 }), []string{"hours"}},
		{"another code", body(func(m map[string]any) { m["courseCode"] = "SF-999" }), []string{"courseCode"}},
		{"another institution's course", body(func(m map[string]any) { m["courseId"] = other["id"] }), []string{"courseId"}},
		{"no such course", body(func(m map[string]any) { m["courseId"] = "0190a000-0000-7000-8000-0000000000ff" }), []string{"courseId"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: tc.body})
			if res.status != 422 {
				t.Fatalf("status %d, want 422: %s", res.status, res.body)
			}
			for _, f := range tc.fields {
				if !hasProblem(res.json(t), f) {
					t.Errorf("details do not name %s: %s", f, res.body)
				}
			}
		})
	}
	if fingerprint(t, e.store) != before {
		t.Fatal("refused outcomes changed stored data")
	}
	out := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body(func(map[string]any) {})})
	if out["title"] != "硬笔书法入门" || out["category"] != "community" || out["hours"] != 32.0 || out["courseCode"] != "SF-101" || out["credits"] != 2.0 {
		t.Fatalf("outcome from the course = %v", out)
	}
	part := e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body(func(m map[string]any) {
		m["hours"], m["completedOn"] = 16, time.Now().AddDate(0, -2, 0).Format("2006-01-02")
	})})
	if part["hours"] != 16.0 || part["credits"] != 1.0 {
		t.Fatalf("part of the course = %v", part)
	}

	// CSV: the catalogue code column fills category, title and hours.
	csv := "身份证号,姓名,目录课程代码,成绩,完成日期\n" + nid(t, 41) + ",李四,SF-101,88,2025-03-01\n" + nid(t, 42) + ",张三,NOPE,88,2025-03-01\n"
	up := csvUpload([]byte(csv))
	up.token = a.staff
	res := e.do(up)
	if res.status != 202 {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	job := e.waitImport(a.staff, res.json(t)["id"].(string))
	errs, _ := job["errors"].([]any)
	if job["ok"] != 1.0 || job["failed"] != 1.0 || len(errs) != 1 || errs[0].(map[string]any)["column"] != "目录课程代码" {
		t.Fatalf("catalogue import = %v", job)
	}
}
