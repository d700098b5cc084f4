package api_test

import (
	"net/url"
	"testing"
)

// TestIssuedOutcomesListNewestFirstWithLearnerAndSearch pins the
// registrar's list: newest first, each row naming its learner (name and
// masked ID, never the full ID), searchable by name, course code, status
// and completion dates, paged by cursor; another institution sees none.
func TestIssuedOutcomesListNewestFirstWithLearnerAndSearch(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	b := e.issuer(admin, "B 学院")
	wang, li := nid(t, 11), nid(t, 12)
	var ids []string
	for i, who := range []struct{ id, name, title, completed string }{
		{wang, "王秀兰", "数码摄影基础", "2024-03-10"},
		{li, "李建国", "数码摄影基础", "2024-04-10"},
		{wang, "王秀兰", "社区插花", "2024-05-10"},
	} {
		body := outcomeBody(who.id, who.name, who.title, float64(16*(i+1)))
		body["completedOn"] = who.completed
		ids = append(ids, e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body})["id"].(string))
	}
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: b.staff, body: outcomeBody(wang, "王秀兰", "别家课程", 16)})
	e.must(200, req{method: "POST", path: "/api/v1/outcomes/" + ids[0] + "/revoke", token: a.staff, body: map[string]string{"reason": "录入错误"}})

	list := func(query url.Values) []map[string]any {
		t.Helper()
		var out []map[string]any
		cursor := ""
		for {
			q := url.Values{}
			for k, v := range query {
				q[k] = v
			}
			q.Set("limit", "2")
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			page := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes?" + q.Encode(), token: a.staff})
			for _, it := range page["items"].([]any) {
				out = append(out, it.(map[string]any))
			}
			next, _ := page["nextCursor"].(string)
			if next == "" {
				return out
			}
			cursor = next
		}
	}
	idsOf := func(rows []map[string]any) []string {
		out := []string{}
		for _, r := range rows {
			out = append(out, r["id"].(string))
		}
		return out
	}
	all := list(nil)
	if got := idsOf(all); len(got) != 3 || got[0] != ids[2] || got[1] != ids[1] || got[2] != ids[0] {
		t.Fatalf("listed %v, want newest first %v", got, []string{ids[2], ids[1], ids[0]})
	}
	for _, r := range all {
		name, masked := r["learnerName"], r["learnerIdMasked"].(string)
		full := wang
		if name == "李建国" {
			full = li
		}
		if name != "王秀兰" && name != "李建国" || masked != full[:6]+"********"+full[14:] {
			t.Fatalf("row %v: learner %v %v", r["title"], name, masked)
		}
	}
	cases := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"by learner name", url.Values{"learner": {"建国"}}, []string{ids[1]}},
		{"by course code in any case", url.Values{"courseCode": {"c-社区"}}, []string{ids[2]}},
		{"revoked only", url.Values{"status": {"revoked"}}, []string{ids[0]}},
		{"active of one learner", url.Values{"status": {"active"}, "learner": {"王秀兰"}}, []string{ids[2]}},
		{"completed between, both days included", url.Values{"from": {"2024-03-10"}, "to": {"2024-04-10"}}, []string{ids[1], ids[0]}},
		{"no match", url.Values{"learner": {"无此人"}}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := idsOf(list(tc.query))
			if len(got) != len(tc.want) {
				t.Fatalf("found %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("found %v, want %v", got, tc.want)
				}
			}
		})
	}
	for _, bad := range []struct{ query, field string }{
		{"from=2024-13-01", "from"},
		{"status=gone", "status"},
		{"from=2024-05-01&to=2024-04-01", "to"},
	} {
		res := e.do(req{method: "GET", path: "/api/v1/institutions/me/outcomes?" + bad.query, token: a.staff})
		if res.status != 422 || !hasProblem(res.json(t), bad.field) {
			t.Errorf("%s: status %d %s, want 422 on %s", bad.query, res.status, res.body, bad.field)
		}
	}
}

// TestNamesAndTitlesRefuseMarkupAndControls pins the 422 naming the field
// for markup, control and text-direction characters in names and titles,
// and that nothing is stored.
func TestNamesAndTitlesRefuseMarkupAndControls(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	id := nid(t, 21)
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"markup in the learner's name", outcomeBody(id, "<img src=x onerror=alert(1)>😀赵", "插花", 16), "learner.name"},
		{"right-to-left override in the title", outcomeBody(id, "赵敏", "插花\u202e课程", 16), "title"},
		{"control character in the title", outcomeBody(id, "赵敏", "插花\x1b课程", 16), "title"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: tc.body})
			if res.status != 422 || !hasProblem(res.json(t), tc.field) {
				t.Fatalf("status %d %s, want 422 on %s", res.status, res.body, tc.field)
			}
		})
	}
	res := e.do(req{method: "POST", path: "/api/v1/institutions", token: admin, body: map[string]any{
		"name": "社区<b>学院</b>", "kind": "community_college", "region": "渝北区", "capabilities": []string{"issue"}, "categories": []string{"community"}}})
	if res.status != 422 || !hasProblem(res.json(t), "name") {
		t.Fatalf("institution with markup: status %d %s, want 422 on name", res.status, res.body)
	}
	if items := e.must(200, req{method: "GET", path: "/api/v1/institutions/me/outcomes", token: a.staff})["items"].([]any); len(items) != 0 {
		t.Fatalf("refused outcomes were stored: %v", items)
	}
}
