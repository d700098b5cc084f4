package api_test

import (
	"bytes"
	"encoding/csv"
	"regexp"
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

// statsDistrict is a small district: the learner banks two community
// outcomes (one revoked) and converts them, an unclaimed learner has one
// outcome from 2024, and the issuer publishes three courses.
func statsDistrict(t *testing.T) *district {
	t.Helper()
	d := newDistrict(t)
	e := d.e
	ruleID := d.published(d.exemptionRule("auto"))
	d.deposit("插花", 64)                               // 4 credits
	revoked := d.deposit("合唱", 16)                    // 1 credit, revoked below
	other := outcomeBody(nid(t, 400), "路人", "舞蹈", 32) // 2 credits, a second (unclaimed) account
	other["completedOn"] = "2024-02-10"
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: other})
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + revoked + "/revoke", token: d.issuer.staff, body: map[string]string{"reason": "重复录入"}})
	e.must(201, req{method: "POST", path: "/api/v1/conversions", token: d.learner, body: map[string]string{"ruleId": ruleID}})
	e.createCourse(d.issuer.staff, "SF-101", "硬笔书法入门", "community", 32)
	e.createCourse(d.issuer.staff, "HC-201", "合唱基础", "community", 24)
	withdrawn := e.createCourse(d.issuer.staff, "TJ-24", "二十四式太极拳", "senior", 16)
	e.createCourse(d.issuer.staff, "TJ-42", "四十二式太极拳", "senior", 16)
	e.must(204, req{method: "DELETE", path: coursePath(withdrawn["id"].(string)) + "?version=1", token: d.issuer.staff})
	return d
}

func TestDistrictStats(t *testing.T) {
	d := statsDistrict(t)
	e := d.e
	e.must(403, req{method: "GET", path: "/api/v1/stats", token: d.manager})
	e.must(403, req{method: "GET", path: "/api/v1/stats", token: d.learner})
	e.must(401, req{method: "GET", path: "/api/v1/stats"})
	st := e.must(200, req{method: "GET", path: "/api/v1/stats", token: d.admin})
	checks := map[string]any{"accounts": 2.0, "claimedAccounts": 1.0, "outcomes": 2.0, "revokedOutcomes": 1.0, "credits": 6.0, "convertedCredits": 2.0}
	for k, v := range checks {
		if st[k] != v {
			t.Errorf("%s = %v, want %v", k, st[k], v)
		}
	}
	if c := st["byCategory"].(map[string]any)["community"].(map[string]any); c["outcomes"] != 2.0 || c["credits"] != 6.0 {
		t.Errorf("byCategory = %v", st["byCategory"])
	}
	byInst := st["byInstitution"].([]any)
	if len(byInst) != 1 || byInst[0].(map[string]any)["name"] != "社区学院" || byInst[0].(map[string]any)["credits"] != 6.0 {
		t.Errorf("byInstitution = %v", byInst)
	}
	if r := st["byRegion"].(map[string]any)["示范区"].(map[string]any); r["credits"] != 6.0 {
		t.Errorf("byRegion = %v", st["byRegion"])
	}
	// Every month from the first outcome's through this one, with zeros
	// where nothing was completed: the chart's time axis has no gaps.
	months := st["byMonth"].([]any)
	wantMonths := monthsFrom("2024-02")
	if len(months) != len(wantMonths) {
		t.Fatalf("byMonth lists %d months, want %d (2024-02 through this month)", len(months), len(wantMonths))
	}
	lastMonth := time.Now().In(domain.DistrictZone).AddDate(0, -1, 0).Format("2006-01")
	for i, m := range months {
		m := m.(map[string]any)
		want := 0.0
		if m["month"] == "2024-02" || m["month"] == lastMonth {
			want = 1
		}
		if m["month"] != wantMonths[i] || m["outcomes"] != want {
			t.Fatalf("byMonth[%d] = %v, want %s with %v outcomes", i, m, wantMonths[i], want)
		}
	}
	// Only the learner has an outcome in the last twelve months; the other
	// account's last one is from 2024.
	if st["activeLearners"] != 1.0 {
		t.Errorf("activeLearners = %v, want 1", st["activeLearners"])
	}
	bands, total := st["learnersByAgeBand"].(map[string]any), 0.0
	for _, n := range bands {
		total += n.(float64)
	}
	if total != 2 {
		t.Errorf("learnersByAgeBand = %v, want 2 learners in all", bands)
	}
	if st["conversions"].(map[string]any)["approved"] != 1.0 {
		t.Errorf("conversions = %v", st["conversions"])
	}
	// The withdrawn course is gone from the catalogue and from the count.
	courses := st["coursesByCategory"].(map[string]any)
	if len(courses) != 2 || courses["community"] != 2.0 || courses["senior"] != 1.0 {
		t.Errorf("coursesByCategory = %v, want community 2, senior 1", courses)
	}
}

func TestDistrictStatsCSV(t *testing.T) {
	d := statsDistrict(t)
	e := d.e
	lastMonth := time.Now().In(domain.DistrictZone).AddDate(0, -1, 0).Format("2006-01")
	byMonth := []string{"完成月份 / Month completed,成果数 / Outcomes,学分 / Credits"}
	for _, m := range monthsFrom("2024-02") {
		switch m {
		case "2024-02":
			byMonth = append(byMonth, m+",1,2")
		case lastMonth:
			byMonth = append(byMonth, m+",1,4")
		default:
			byMonth = append(byMonth, m+",0,0")
		}
	}
	cat := func(code, label, rest string) string { return code + "," + label + "," + rest }
	tests := []struct {
		table string
		rows  []string // header first
	}{
		{"summary", []string{
			"指标代码 / Key,指标 / Metric,数值 / Value",
			"accounts,学习账户 / Learning accounts,2",
			"claimedAccounts,已激活账户 / Claimed accounts,1",
			"activeLearners,近 12 个月活跃学习者 / Active learners (last 12 months),1",
			"outcomes,有效成果 / Valid outcomes,2",
			"revokedOutcomes,已撤销成果 / Revoked outcomes,1",
			"credits,累计学分 / Credits banked,6",
			"convertedCredits,已转换学分 / Credits converted,2",
			"courses,目录课程 / Catalogue courses,3",
		}},
		{"byCategory", []string{
			"类别代码 / Category code,类别 / Category,成果数 / Outcomes,学分 / Credits",
			cat("academic", "学历教育 / Academic", "0,0"),
			cat("vocational", "职业培训 / Vocational training", "0,0"),
			cat("certificate", "职业技能证书 / Skills certificate", "0,0"),
			cat("community", "社区教育 / Community education", "2,6"),
			cat("senior", "老年教育 / Senior education", "0,0"),
			cat("online", "网络课程 / Online course", "0,0"),
			cat("other", "其他 / Other", "0,0"),
		}},
		{"byInstitution", []string{
			"机构 ID / Institution ID,机构 / Institution,成果数 / Outcomes,学分 / Credits",
			d.issuer.id + ",社区学院,2,6",
		}},
		{"byRegion", []string{"区域 / Region,成果数 / Outcomes,学分 / Credits", "示范区,2,6"}},
		{"byMonth", byMonth},
		{"conversions", []string{
			"状态代码 / Status code,状态 / Status,申请数 / Applications",
			"pending,待审核 / Pending,0", "approved,已通过 / Approved,1", "rejected,未通过 / Rejected,0", "needs_review,需复核 / Needs review,0",
		}},
		{"learnersByAgeBand", []string{
			"年龄段代码 / Age band code,年龄段 / Age band,学习者 / Learners",
			"<18,18 岁以下 / Under 18,0", "18-34,18–34 岁 / 18–34,0", "35-59,35–59 岁 / 35–59,2", "60+,60 岁及以上 / 60 and over,0",
		}},
		{"coursesByCategory", []string{
			"类别代码 / Category code,类别 / Category,课程数 / Courses",
			cat("academic", "学历教育 / Academic", "0"),
			cat("vocational", "职业培训 / Vocational training", "0"),
			cat("certificate", "职业技能证书 / Skills certificate", "0"),
			cat("community", "社区教育 / Community education", "2"),
			cat("senior", "老年教育 / Senior education", "1"),
			cat("online", "网络课程 / Online course", "0"),
			cat("other", "其他 / Other", "0"),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.table, func(t *testing.T) {
			res := e.do(req{method: "GET", path: "/api/v1/stats/" + tc.table + ".csv", token: d.admin})
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			disp := regexp.MustCompile(`^attachment; filename="creditbank-stats-` + tc.table + `-\d{4}-\d{2}-\d{2}\.csv"$`)
			if cd := res.header.Get("Content-Disposition"); !disp.MatchString(cd) {
				t.Errorf("Content-Disposition = %q", cd)
			}
			body, ok := bytes.CutPrefix(res.body, []byte("\xef\xbb\xbf"))
			if !ok {
				t.Fatalf("no UTF-8 byte order mark: starts %q", res.body[:min(len(res.body), 12)])
			}
			want := strings.Join(tc.rows, "\r\n") + "\r\n"
			if string(body) != want {
				t.Errorf("CSV:\n%s\nwant:\n%s", body, want)
			}
			records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
			if err != nil || len(records) != len(tc.rows) {
				t.Errorf("reading it back: %d records, %v", len(records), err)
			}
		})
	}
}

func TestDistrictStatsCSVRefusals(t *testing.T) {
	d := newDistrict(t)
	e := d.e
	tests := []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"anonymous", "/api/v1/stats/summary.csv", "", 401, "unauthenticated"},
		{"learner", "/api/v1/stats/summary.csv", d.learner, 403, "forbidden"},
		{"institution manager", "/api/v1/stats/byInstitution.csv", d.manager, 403, "forbidden"},
		{"not an admin, unknown table", "/api/v1/stats/secrets.csv", d.learner, 403, "forbidden"},
		{"unknown table", "/api/v1/stats/secrets.csv", d.admin, 404, "not_found"},
		{"table names are case-sensitive", "/api/v1/stats/ByCategory.csv", d.admin, 404, "not_found"},
		{"no .csv", "/api/v1/stats/summary", d.admin, 404, "not_found"},
		{"another extension", "/api/v1/stats/summary.xlsx", d.admin, 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(req{method: "GET", path: tc.path, token: tc.token})
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			m := res.json(t)
			errObj, _ := m["error"].(map[string]any)
			if errObj == nil || errObj["code"] != tc.code || errObj["message"] == "" {
				t.Errorf("body %s, want the error shape with code %q", res.body, tc.code)
			}
			if cd := res.header.Get("Content-Disposition"); cd != "" {
				t.Errorf("a refusal is offered as a download: %q", cd)
			}
		})
	}
}

// monthsFrom lists every month from first (YYYY-MM) through this one, in
// district time.
func monthsFrom(first string) []string {
	m, _ := time.Parse("2006-01", first)
	this := time.Now().In(domain.DistrictZone).Format("2006-01")
	var out []string
	for ; m.Format("2006-01") <= this; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}
