package api_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"
)

// TestImportRefusesNonTextByContent pins that a picture, a workbook or any
// file with NUL bytes is refused as a whole (422 on the file, saying what
// it is) before any job starts, whatever it is called.
func TestImportRefusesNonTextByContent(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	cases := []struct {
		name, body, says string
	}{
		{"PNG", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"},
		{"xlsx", "PK\x03\x04\x14\x00\x06\x00", "Excel"},
		{"NUL bytes", "身份证号,姓名\x00\x00", "not a text file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := csvUpload([]byte(tc.body))
			up.token = a.staff
			res := e.do(up)
			if res.status != 422 || !hasProblem(res.json(t), "file") || !strings.Contains(string(res.body), tc.says) {
				t.Fatalf("status %d %s, want 422 on file saying %s", res.status, res.body, tc.says)
			}
		})
	}
	if h := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/imports", token: a.staff})["items"].([]any); len(h) != 0 {
		t.Fatalf("refused uploads started jobs: %v", h)
	}
}

// TestImportTemplateExampleRowIsSkipped pins that the downloadable
// template imports nothing: its example row is reported as such and no
// account is opened for the person it shows.
func TestImportTemplateExampleRowIsSkipped(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	tmpl, err := os.ReadFile("../../frontend/static/template-outcomes.csv")
	if err != nil {
		t.Fatal(err)
	}
	up := csvUpload(tmpl)
	up.token = a.staff
	job := e.waitImport(a.staff, e.must(202, up)["id"].(string))
	if job["total"] != 0.0 || job["ok"] != 0.0 || job["skipped"] != 1.0 || job["created"] != 0.0 {
		t.Fatalf("template import = %v, want nothing banked and the example row skipped", job)
	}
	errs := job["errors"].([]any)
	if len(errs) != 1 || errs[0].(map[string]any)["code"] != "example" || errs[0].(map[string]any)["line"] != 2.0 {
		t.Fatalf("reported rows = %v, want line 2 as the example row", errs)
	}
	if items := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})["items"].([]any); len(items) != 0 {
		t.Fatalf("the template banked %v", items)
	}
}

// TestImportFailedRowsCSVAndHistory pins the round trip: the failed rows
// come back as a CSV in the file's own columns with an error column in the
// reader's language; corrected and re-sent, every row is banked once; the
// institution's history lists both uploads, newest first, with who, the
// file name and the counts.
func TestImportFailedRowsCSVAndHistory(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	inst := e.createInstitution(admin, "社区学院", []string{"issue"}, []string{"community"})
	clerk := e.createStaff(admin, inst.id, "cc.clerk", "issue")
	var sb strings.Builder
	sb.WriteString("身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期\n")
	const n = 200
	bad := map[int]string{}
	for i := range n {
		id := nid(t, 500+i)
		hours, date := "16", "2025-03-01"
		switch i % 25 {
		case 3:
			hours, bad[i] = "", "“学时”必须填写"
		case 7:
			hours, bad[i] = "很多", "“学时”应为数字"
		case 11:
			date, bad[i] = "上个月", "“完成日期”应为日期"
		}
		sb.WriteString(id + ",学员" + itoa(i) + ",community,社区合唱,CC-01," + hours + ",90," + date + "\n")
	}
	up := csvUpload([]byte(sb.String()))
	up.path += "?fileName=" + "十月结业.csv"
	up.token = clerk
	first := e.waitImport(clerk, e.must(202, up)["id"].(string))
	if first["ok"] != float64(n-len(bad)) || first["failed"] != float64(len(bad)) || first["fileName"] != "十月结业.csv" {
		t.Fatalf("first upload = ok %v failed %v file %v", first["ok"], first["failed"], first["fileName"])
	}
	res := e.do(req{method: "GET", path: "/api/v1/imports/" + first["id"].(string) + "/failed.csv", token: clerk})
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("failed rows: %d %s", res.status, res.body)
	}
	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != "身份证号,姓名,类别,成果名称,课程代码,学时,成绩,完成日期,错误原因" || len(records) != 1+len(bad) {
		t.Fatalf("failed-rows CSV has header %q and %d rows, want the file's columns plus 错误原因 and %d rows", records[0], len(records)-1, len(bad))
	}
	fixed := [][]string{records[0][:8]}
	for _, r := range records[1:] {
		i := 0
		for k, want := range bad {
			if r[1] == "学员"+itoa(k) {
				i = k
				if !strings.HasPrefix(r[8], want) {
					t.Errorf("row of 学员%d says %q, want %q", k, r[8], want)
				}
			}
		}
		if _, ok := bad[i]; !ok {
			t.Fatalf("failed-rows CSV lists a banked row: %q", r)
		}
		r = r[:8]
		r[5], r[7] = "16", "2025-03-01"
		fixed = append(fixed, r)
	}
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	_ = w.WriteAll(fixed)
	again := csvUpload(out.Bytes())
	again.path += "?fileName=fixed.csv"
	again.token = clerk
	second := e.waitImport(clerk, e.must(202, again)["id"].(string))
	if second["ok"] != float64(len(bad)) || second["failed"] != 0.0 || second["duplicates"] != 0.0 {
		t.Fatalf("corrected upload = %v", second)
	}
	list := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes?limit=200", token: clerk})
	if got := len(list["items"].([]any)); got != n || list["nextCursor"] != nil && list["nextCursor"] != "" {
		t.Fatalf("banked %d outcomes, want every one of the %d rows once", got, n)
	}

	en := e.do(req{method: "GET", path: "/api/v1/imports/" + first["id"].(string) + "/failed.csv?lang=en", token: clerk})
	if !strings.Contains(string(en.body), ",Error\r\n") || !strings.Contains(string(en.body), "is required") {
		t.Errorf("English failed-rows CSV: %s", en.body[:min(len(en.body), 300)])
	}

	hist := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/imports", token: clerk})["items"].([]any)
	if len(hist) != 2 {
		t.Fatalf("history = %v", hist)
	}
	newest, oldest := hist[0].(map[string]any), hist[1].(map[string]any)
	if newest["fileName"] != "fixed.csv" || oldest["fileName"] != "十月结业.csv" || oldest["createdBy"] != "cc.clerk" ||
		oldest["failed"] != float64(len(bad)) || oldest["errorCount"] != float64(len(bad)) {
		t.Fatalf("history = %v", hist)
	}
	other := e.issuer(admin, "别的学院")
	if h := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/imports", token: other.staff})["items"].([]any); len(h) != 0 {
		t.Fatalf("another institution sees %v", h)
	}
	e.must(404, req{method: "GET", path: "/api/v1/imports/" + first["id"].(string) + "/failed.csv", token: other.staff})
}
