package api_test

import (
	"bytes"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// waitImport polls a job until it is done.
func (e *env) waitImport(token, id string) map[string]any {
	e.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		job := e.must(200, req{method: "GET", path: "/api/v1/imports/" + id, token: token})
		if job["state"] == "done" || job["state"] == "failed" {
			return job
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("import still %v after 30s: %v", job["state"], job)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func csvUpload(body []byte) req {
	return req{method: "POST", path: "/api/v1/outcomes/import", body: body, headers: map[string]string{"Content-Type": "text/csv"}}
}

func TestCSVImportReportsEveryRow(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	known, fresh := nid(t, 300), nid(t, 301)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": known, "name": "老会员", "password": "learner-pass-1"}})
	bad := known[:17] + "0"
	if known[17] == '0' {
		bad = known[:17] + "1"
	}
	csv := "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n" +
		known + ",老会员,community,社区合唱,CC-01,32,90,2025/3/1\n" +
		fresh + ",新学员,community,社区合唱,CC-01,16,85,2025-03-01\n" +
		known + ",老会员,community,社区合唱,CC-01,32,90,2025/3/1\n" + // the same achievement again
		bad + ",某人,community,书法,CC-02,16,85,2025-03-01\n" +
		fresh + ",新学员,community,书法,CC-02,很多,85,2025-03-01\n" +
		",,,,,,,\n" // blank lines are skipped

	up := csvUpload([]byte(csv))
	up.token = a.staff
	res := e.do(up)
	if res.status != 202 || !strings.HasPrefix(res.header.Get("Location"), "/api/v1/imports/") {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	job := e.waitImport(a.staff, res.json(t)["id"].(string))
	want := map[string]float64{"total": 5, "done": 5, "ok": 2, "duplicates": 1, "failed": 2, "created": 1}
	for k, v := range want {
		if job[k] != v {
			t.Errorf("%s = %v, want %v (job %v)", k, job[k], v, job)
		}
	}
	// The duplicate is listed (not as a failure), then each failed row with
	// its line as Excel numbers it, its column as the file heads it and
	// the kind of problem.
	errs := job["errors"].([]any)
	if len(errs) != 3 {
		t.Fatalf("errors = %v", errs)
	}
	dup, first, second := errs[0].(map[string]any), errs[1].(map[string]any), errs[2].(map[string]any)
	if dup["line"] != 4.0 || dup["code"] != "duplicate" {
		t.Errorf("duplicate row = %v, want line 4 listed as a duplicate", dup)
	}
	if first["line"] != 5.0 || first["column"] != "身份证号" || first["code"] != "invalid" ||
		second["line"] != 6.0 || second["column"] != "学时" || second["code"] != "number" {
		t.Errorf("row errors = %v", errs)
	}
	list := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})
	if n := len(list["items"].([]any)); n != 2 {
		t.Errorf("banked %d outcomes, want 2", n)
	}

	// Jobs belong to their institution.
	other := e.issuer(admin, "别的学院")
	e.must(404, req{method: "GET", path: "/api/v1/imports/" + job["id"].(string), token: other.staff})
	e.must(403, req{method: "GET", path: "/api/v1/imports/" + job["id"].(string), token: e.login(known, "learner-pass-1")})
}

func TestCSVImportGBKAndFormUpload(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	csv := "身份证号,姓名,类别,成果名称,学时,等第,完成日期\n" + nid(t, 310) + ",王五,社区教育,社区摄影,24,A,2024年6月30日\n" // Chinese category name
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "成果.csv")
	fw.Write(gbk)
	mw.Close()
	res := e.do(req{method: "POST", path: "/api/v1/outcomes/import", token: a.staff, body: body.Bytes(),
		headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
	if res.status != 202 {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	job := e.waitImport(a.staff, res.json(t)["id"].(string))
	if job["ok"] != 1.0 || job["failed"] != 0.0 {
		t.Fatalf("GBK import = %v", job)
	}
	out := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})["items"].([]any)[0].(map[string]any)
	if out["title"] != "社区摄影" || out["credits"] != 1.5 || out["completedOn"] != "2024-06-30" {
		t.Errorf("imported outcome = %v", out)
	}
}

func TestCSVImportRefusesBadFiles(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	cases := []struct {
		name, csv string
		status    int
		field     string
		says      string // the problem names the column as the template heads it
	}{
		{"unknown column", "身份证号,姓名,类别,成果名称,学时,完成日期,颜色\n", 422, "file", `unknown column \"颜色\" (column 7`},
		{"missing column", "身份证号,姓名,类别,学时,完成日期\nx,y,z,1,2024-01-01\n", 422, "file", "missing column 成果名称"},
		{"header only", "身份证号,姓名,类别,成果名称,学时,完成日期\n", 422, "file", ""},
		{"empty", "", 400, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := csvUpload([]byte(tc.csv))
			up.token = a.staff
			res := e.do(up)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			if tc.field != "" && !hasProblem(res.json(t), tc.field) {
				t.Errorf("details do not name %s: %s", tc.field, res.body)
			}
			if !strings.Contains(string(res.body), tc.says) {
				t.Errorf("details do not say %q: %s", tc.says, res.body)
			}
		})
	}
	up := csvUpload([]byte("身份证号,姓名,类别,成果名称,学时,完成日期\n"))
	e.must(401, up)
}
