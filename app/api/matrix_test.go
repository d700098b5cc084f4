package api_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// The roles of the authorisation matrix. Staff of institution B hold every
// permission, so a "403/404 for B" cell is refused by ownership alone.
const (
	anon         = "anonymous"
	learnerA     = "learnerA"
	learnerB     = "learnerB"
	staffAIssue  = "staffA.issue"
	staffAReview = "staffA.review"
	staffAManage = "staffA.manage"
	staffB       = "staffB"
	clientA      = "clientA"
	admin        = "admin"
)

var matrixRoles = []string{anon, learnerA, learnerB, staffAIssue, staffAReview, staffAManage, staffB, clientA, admin}

// cell is the expected status against the A-side object (owned by learner A
// or institution A) and the B-side one. Routes without an :id use only [0].
type cell [2]int

type want map[string]cell

// everyone expects the same status from every role, anonymous included.
func everyone(status int) want {
	w := want{}
	for _, r := range matrixRoles {
		w[r] = cell{status, status}
	}
	return w
}

// signedInAs expects 401 from anonymous callers, 403 from every other role
// except those listed, which get status.
func signedInAs(status int, roles ...string) want {
	w := everyone(403)
	w[anon] = cell{401, 401}
	return w.with(cell{status, status}, roles...)
}

func (w want) with(c cell, roles ...string) want {
	out := want{}
	for k, v := range w {
		out[k] = v
	}
	for _, r := range roles {
		out[r] = c
	}
	return out
}

// matrixEntry describes one route. Requests are probes: once authorised they
// stop at validation (422), a state conflict (409) or are reads, so the
// matrix can run on one store, and no cell may change business data.
type matrixEntry struct {
	method, path string
	sided        bool // the path names an object: run against A's and B's
	target       func(f *matrixFixture, side int) (path string, body any)
	want         want
}

func fixed(path string, body any) func(*matrixFixture, int) (string, any) {
	return func(*matrixFixture, int) (string, any) { return path, body }
}

func TestAuthorisationMatrix(t *testing.T) {
	e := newEnv(t)
	f := newMatrixFixture(e)
	const v1 = "/api/v1"
	badOutcome := outcomeBody(nid(t, 900), "探针", "探针课程", -5)
	badRule := func(inst string) map[string]any {
		b := ruleBody(inst, "PROBE")
		b["award"] = map[string]any{"mode": "fixed", "credits": -1}
		return b
	}
	longNote := map[string]string{"note": strings.Repeat("长", 600)}
	side := func(a, b string) func(*matrixFixture, int) string {
		return func(_ *matrixFixture, s int) string {
			if s == 0 {
				return a
			}
			return b
		}
	}
	byID := func(prefix string, ids func(*matrixFixture, int) string, suffix string, body any) func(*matrixFixture, int) (string, any) {
		return func(f *matrixFixture, s int) (string, any) { return prefix + ids(f, s) + suffix, body }
	}
	acc := side(f.accA, f.accB)
	inst := side(f.instA.id, f.instB.id)

	entries := []matrixEntry{
		{method: "GET", path: "/healthz", target: fixed("/healthz", nil), want: everyone(200)},
		{method: "GET", path: "/readyz", target: fixed("/readyz", nil), want: everyone(200)},
		{method: "GET", path: "/.well-known/jwks.json", target: fixed("/.well-known/jwks.json", nil), want: everyone(200)},
		{method: "GET", path: "/.well-known/did.json", target: fixed("/.well-known/did.json", nil), want: everyone(200)},
		{method: "GET", path: "/v/:code", target: fixed("/v/ABCDEFGHJK", nil), want: everyone(302)},
		{method: "GET", path: "/api/docs", target: fixed("/api/docs", nil), want: everyone(200)},
		{method: "GET", path: "/api/docs/:asset", target: fixed("/api/docs/docs.js", nil), want: everyone(200)},
		{method: "GET", path: v1 + "/openapi.json", target: fixed(v1+"/openapi.json", nil), want: everyone(200)},
		{method: "POST", path: v1 + "/auth/login", target: fixed(v1+"/auth/login", map[string]string{"username": "admin", "password": adminPassword}), want: everyone(200)},
		// A live refresh token each time: failed refreshes would (rightly)
		// start the per-IP back-off that every test request shares.
		{method: "POST", path: v1 + "/auth/refresh", target: func(*matrixFixture, int) (string, any) {
			pair := e.must(200, req{method: "POST", path: v1 + "/auth/login", body: map[string]string{"username": "admin", "password": adminPassword}})
			return v1 + "/auth/refresh", map[string]any{"refreshToken": pair["refreshToken"]}
		}, want: everyone(200)},
		{method: "POST", path: v1 + "/auth/token", target: fixed(v1+"/auth/token", map[string]string{"clientId": f.instA.clientID, "clientSecret": f.instA.clientSecret}), want: everyone(200)},
		{method: "GET", path: v1 + "/me", target: fixed(v1+"/me", nil), want: signedInAs(200, learnerA, learnerB, staffAIssue, staffAReview, staffAManage, staffB, clientA, admin)},
		{method: "POST", path: v1 + "/me/password", target: fixed(v1+"/me/password", map[string]string{"currentPassword": "whatever-it-is", "newPassword": "short"}),
			want: signedInAs(422, learnerA, learnerB, staffAIssue, staffAReview, staffAManage, staffB, admin)},
		{method: "POST", path: v1 + "/learners/lookup", target: fixed(v1+"/learners/lookup", map[string]string{"nationalId": "123"}), want: signedInAs(422, admin)},
		{method: "POST", path: v1 + "/learners/:id/reset", sided: true, target: byID(v1+"/learners/", side(uuid.NewString(), uuid.NewString()), "/reset", nil),
			want: signedInAs(404, admin)},

		{method: "POST", path: v1 + "/learners", target: fixed(v1+"/learners", map[string]string{"nationalId": "123", "name": "探针", "password": "probe-password-1"}),
			want: signedInAs(422, staffAIssue, staffAReview, staffAManage, staffB, admin).with(cell{422, 422}, anon)},
		{method: "GET", path: v1 + "/learners/me/record", target: fixed(v1+"/learners/me/record", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "GET", path: v1 + "/learners/me/data", target: fixed(v1+"/learners/me/data", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "GET", path: v1 + "/learners/me/transcript", target: fixed(v1+"/learners/me/transcript", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "POST", path: v1 + "/learners/me/grants", target: fixed(v1+"/learners/me/grants", map[string]any{"institutionId": f.instA.id, "days": 0}), want: signedInAs(422, learnerA, learnerB)},
		{method: "DELETE", path: v1 + "/learners/me/grants/:id", sided: true,
			target: byID(v1+"/learners/me/grants/", side(f.withdrawnGrantA, f.withdrawnGrantB), "", nil),
			want:   signedInAs(403).with(cell{204, 404}, learnerA).with(cell{404, 204}, learnerB)},
		{method: "GET", path: v1 + "/learners/:id/record", sided: true, target: byID(v1+"/learners/", acc, "/record", nil),
			want: signedInAs(403).with(cell{200, 404}, learnerA, staffAIssue, staffAReview, staffAManage, clientA).
				with(cell{404, 200}, learnerB, staffB).with(cell{200, 200}, admin)},

		{method: "GET", path: v1 + "/institutions", target: fixed(v1+"/institutions", nil), want: everyone(200)},
		{method: "POST", path: v1 + "/institutions", target: fixed(v1+"/institutions", map[string]any{"name": "", "kind": "castle"}), want: signedInAs(422, admin)},
		{method: "GET", path: v1 + "/institutions/me/shared", target: fixed(v1+"/institutions/me/shared", nil),
			want: signedInAs(200, staffAIssue, staffAReview, staffAManage, staffB, clientA)},
		{method: "GET", path: v1 + "/institutions/me/outcomes", target: fixed(v1+"/institutions/me/outcomes", nil),
			want: signedInAs(200, staffAIssue, staffAReview, staffAManage, staffB, clientA)},
		{method: "GET", path: v1 + "/institutions/:id", sided: true, target: byID(v1+"/institutions/", inst, "", nil), want: everyone(200)},
		{method: "POST", path: v1 + "/institutions/:id/status", sided: true, target: byID(v1+"/institutions/", inst, "/status", map[string]string{"status": "closed"}),
			want: signedInAs(422, admin)},
		{method: "POST", path: v1 + "/institutions/:id/staff", sided: true,
			target: byID(v1+"/institutions/", inst, "/staff", map[string]any{"username": "", "password": "", "perms": []string{}}),
			want:   signedInAs(422, admin).with(cell{422, 403}, staffAManage).with(cell{403, 422}, staffB)},
		{method: "POST", path: v1 + "/institutions/:id/staff/:userId/status", sided: true,
			target: func(f *matrixFixture, s int) (string, any) {
				p := v1 + "/institutions/" + f.instA.id + "/staff/" + f.staffAIssueUser + "/status"
				if s == 1 {
					p = v1 + "/institutions/" + f.instB.id + "/staff/" + f.staffBUser + "/status"
				}
				return p, map[string]string{"status": "closed"}
			},
			want: signedInAs(422, admin).with(cell{422, 403}, staffAManage).with(cell{403, 422}, staffB)},

		{method: "POST", path: v1 + "/outcomes", target: fixed(v1+"/outcomes", badOutcome), want: signedInAs(422, staffAIssue, staffB, clientA)},
		{method: "POST", path: v1 + "/outcomes/import", target: fixed(v1+"/outcomes/import", "not,the,header\n"),
			want: signedInAs(422, staffAIssue, staffB, clientA)},
		{method: "GET", path: v1 + "/imports/:id", sided: true, target: byID(v1+"/imports/", side(f.importA, f.importB), "", nil),
			want: signedInAs(403).with(cell{200, 404}, staffAIssue, staffAReview, staffAManage, clientA).with(cell{404, 200}, staffB)},
		{method: "GET", path: v1 + "/imports/:id/failed.csv", sided: true, target: byID(v1+"/imports/", side(f.importA, f.importB), "/failed.csv", nil),
			want: signedInAs(403).with(cell{200, 404}, staffAIssue, staffAReview, staffAManage, clientA).with(cell{404, 200}, staffB)},
		{method: "GET", path: v1 + "/institutions/me/imports", target: fixed(v1+"/institutions/me/imports", nil),
			want: signedInAs(200, staffAIssue, staffAReview, staffAManage, staffB, clientA)},
		{method: "GET", path: v1 + "/institutions/:id/staff", sided: true, target: byID(v1+"/institutions/", inst, "/staff", nil),
			want: signedInAs(403).with(cell{200, 200}, admin).with(cell{200, 403}, staffAManage).with(cell{403, 200}, staffB)},
		{method: "POST", path: v1 + "/outcomes/:id/revoke", sided: true,
			target: byID(v1+"/outcomes/", side(f.outcomeA, f.outcomeB), "/revoke", map[string]string{"reason": " "}),
			want:   signedInAs(403).with(cell{422, 404}, staffAIssue, clientA).with(cell{404, 422}, staffB)},

		{method: "GET", path: v1 + "/rules", target: fixed(v1+"/rules", nil), want: everyone(200)},
		{method: "POST", path: v1 + "/rules", target: fixed(v1+"/rules", badRule(f.instA.id)), want: signedInAs(422, admin, staffAManage)},
		{method: "GET", path: v1 + "/rules/:id", sided: true, target: byID(v1+"/rules/", side(f.draftA, f.draftB), "", nil),
			want: everyone(404).with(cell{200, 404}, staffAIssue, staffAReview, staffAManage, clientA).
				with(cell{404, 200}, staffB).with(cell{200, 200}, admin)},
		{method: "PUT", path: v1 + "/rules/:id", sided: true, target: byID(v1+"/rules/", side(f.draftA, f.draftB), "", badRule("")),
			want: everyone(404).with(cell{401, 401}, anon).with(cell{403, 404}, staffAIssue, staffAReview, clientA).with(cell{422, 404}, staffAManage).
				with(cell{404, 422}, staffB).with(cell{422, 422}, admin)},
		{method: "POST", path: v1 + "/rules/:id/publish", sided: true, target: byID(v1+"/rules/", side(f.publishedA, f.publishedB), "/publish", nil),
			want: signedInAs(409, admin)},
		{method: "POST", path: v1 + "/rules/:id/retire", sided: true, target: byID(v1+"/rules/", side(f.retiredA, f.retiredB), "/retire", nil),
			want: signedInAs(409, admin).with(cell{409, 403}, staffAManage).with(cell{403, 409}, staffB)},
		// Submission for publication. The probes name published rules, so an
		// authorised submit or return stops at 409 (not a draft, not waiting)
		// and nothing changes. Only the owning institution's managers submit
		// (not the admin, who publishes directly); only the admin sees the
		// queue and returns a draft. The queue does not ask for a signed-in
		// caller first, so an anonymous one gets the service's 403, not 401.
		{method: "GET", path: v1 + "/rules/submitted", target: fixed(v1+"/rules/submitted", nil), want: everyone(403).with(cell{200, 200}, admin)},
		{method: "POST", path: v1 + "/rules/:id/submit", sided: true, target: byID(v1+"/rules/", side(f.publishedA, f.publishedB), "/submit", nil),
			want: signedInAs(403).with(cell{409, 403}, staffAManage).with(cell{403, 409}, staffB)},
		{method: "POST", path: v1 + "/rules/:id/return", sided: true,
			target: byID(v1+"/rules/", side(f.publishedA, f.publishedB), "/return", map[string]string{"note": "探针"}),
			want:   signedInAs(409, admin)},
		{method: "POST", path: v1 + "/rules/:id/simulate", sided: true, target: byID(v1+"/rules/", side(f.publishedA, f.publishedB), "/simulate", nil),
			want: signedInAs(200, admin).with(cell{200, 403}, staffAReview, staffAManage).with(cell{403, 200}, staffB)},

		{method: "POST", path: v1 + "/conversions/preview", target: fixed(v1+"/conversions/preview", map[string]string{"ruleId": f.publishedA}), want: signedInAs(200, learnerA, learnerB)},
		{method: "POST", path: v1 + "/conversions", target: fixed(v1+"/conversions", map[string]string{"ruleId": f.retiredA}), want: signedInAs(422, learnerA, learnerB)},
		{method: "GET", path: v1 + "/institutions/me/conversions", target: fixed(v1+"/institutions/me/conversions", nil), want: signedInAs(200, staffAReview, staffB, clientA)},
		{method: "POST", path: v1 + "/conversions/:id/approve", sided: true, target: byID(v1+"/conversions/", side(f.conversionA, f.conversionB), "/approve", longNote),
			want: signedInAs(403).with(cell{422, 404}, staffAReview, clientA).with(cell{404, 422}, staffB)},
		{method: "POST", path: v1 + "/conversions/:id/reject", sided: true, target: byID(v1+"/conversions/", side(f.conversionA, f.conversionB), "/reject", longNote),
			want: signedInAs(403).with(cell{422, 404}, staffAReview, clientA).with(cell{404, 422}, staffB)},

		{method: "GET", path: v1 + "/notices", target: fixed(v1+"/notices", nil), want: everyone(200)},
		// A conversion not in public notice is visible only to its learner
		// and reviewers (409: not in notice); to anyone else it is absent.
		{method: "POST", path: v1 + "/conversions/:id/objections", sided: true,
			target: byID(v1+"/conversions/", side(f.conversionA, f.conversionB), "/objections", map[string]string{"reason": "探针"}),
			want: everyone(404).with(cell{401, 401}, anon).with(cell{403, 403}, clientA).
				with(cell{409, 404}, learnerA, staffAReview).with(cell{404, 409}, learnerB, staffB)},
		{method: "POST", path: v1 + "/conversions/:id/appeal", sided: true,
			target: byID(v1+"/conversions/", side(f.conversionA, f.conversionB), "/appeal", map[string]string{"reason": "探针"}),
			want:   signedInAs(403).with(cell{409, 404}, learnerA).with(cell{404, 409}, learnerB)},
		{method: "GET", path: v1 + "/policy", target: fixed(v1+"/policy", nil), want: everyone(200)},
		{method: "GET", path: v1 + "/framework", target: fixed(v1+"/framework", nil), want: everyone(200)},
		{method: "PUT", path: v1 + "/framework", target: fixed(v1+"/framework", map[string]any{"nameZh": "", "levels": []any{}}), want: signedInAs(422, admin)},
		{method: "GET", path: v1 + "/units", target: fixed(v1+"/units", nil), want: everyone(200)},
		{method: "POST", path: v1 + "/units", target: fixed(v1+"/units", map[string]any{"code": ""}),
			want: signedInAs(422, admin, staffAIssue, staffAManage, staffB, clientA)},
		{method: "GET", path: v1 + "/units/:code", target: fixed(v1+"/units/NO-SUCH-UNIT", nil), want: everyone(404)},
		{method: "PUT", path: v1 + "/units/:code", target: fixed(v1+"/units/NO-SUCH-UNIT", map[string]any{"code": ""}),
			want: everyone(404).with(cell{401, 401}, anon)},
		{method: "PUT", path: v1 + "/policy", target: fixed(v1+"/policy", map[string]any{"hoursPerCredit": map[string]float64{"community": -1}}), want: signedInAs(422, admin)},
		{method: "POST", path: v1 + "/verify", target: fixed(v1+"/verify", map[string]string{"transcript": "not.a.transcript"}), want: everyone(200)},
		{method: "GET", path: v1 + "/stats", target: fixed(v1+"/stats", nil), want: signedInAs(200, admin)},
		{method: "GET", path: v1 + "/stats/:table.csv", target: fixed(v1+"/stats/byInstitution.csv", nil), want: signedInAs(200, admin)},
		{method: "GET", path: v1 + "/audit", target: fixed(v1+"/audit", nil), want: signedInAs(200, admin)},
		{method: "GET", path: v1 + "/audit/verify", target: fixed(v1+"/audit/verify", nil), want: signedInAs(200, admin)},

		// Issue 9: access log and assisted access. Each learner has withdrawn a
		// helper grant naming the other, so the cross cells also show that a
		// withdrawn grant gives no access.
		{method: "GET", path: v1 + "/learners/me/access-log", target: fixed(v1+"/learners/me/access-log", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "POST", path: v1 + "/learners/me/helpers", target: fixed(v1+"/learners/me/helpers", map[string]any{"nationalId": "123", "name": "探针", "days": 0}),
			want: signedInAs(422, learnerA, learnerB)},
		{method: "GET", path: v1 + "/learners/me/helpers", target: fixed(v1+"/learners/me/helpers", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "DELETE", path: v1 + "/learners/me/helpers/:id", sided: true,
			target: byID(v1+"/learners/me/helpers/", side(f.withdrawnHelperA, f.withdrawnHelperB), "", nil),
			want:   signedInAs(403).with(cell{204, 404}, learnerA).with(cell{404, 204}, learnerB)},
		{method: "GET", path: v1 + "/learners/me/assisting", target: fixed(v1+"/learners/me/assisting", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "POST", path: v1 + "/learners/:id/conversions/preview", sided: true,
			target: byID(v1+"/learners/", acc, "/conversions/preview", map[string]string{"ruleId": f.publishedA}),
			want:   signedInAs(403).with(cell{200, 404}, learnerA).with(cell{404, 200}, learnerB)},
		{method: "POST", path: v1 + "/learners/:id/conversions", sided: true,
			target: byID(v1+"/learners/", acc, "/conversions", map[string]string{"ruleId": f.retiredA}),
			want:   signedInAs(403).with(cell{422, 404}, learnerA).with(cell{404, 422}, learnerB)},
		{method: "GET", path: v1 + "/transcripts/keys", target: fixed(v1+"/transcripts/keys", nil), want: everyone(200)},
		{method: "GET", path: v1 + "/transcripts/status", target: fixed(v1+"/transcripts/status", nil), want: everyone(200)},
		{method: "GET", path: v1 + "/credentials/status/:list", target: fixed(v1+"/credentials/status/1", nil), want: everyone(200)},
		// Course catalogues, pathways and alerts. Edits probe with a stale
		// version (409) or an invalid body (422), so nothing changes.
		{method: "GET", path: v1 + "/courses", target: fixed(v1+"/courses?q=书法", nil), want: everyone(200)},
		{method: "GET", path: v1 + "/courses/:id", sided: true, target: byID(v1+"/courses/", side(f.courseA, f.courseB), "", nil), want: everyone(200)},
		{method: "PUT", path: v1 + "/courses/:id", sided: true, target: byID(v1+"/courses/", side(f.courseA, f.courseB), "", map[string]any{"code": "", "hours": -1}),
			want: signedInAs(403).with(cell{422, 404}, staffAIssue, staffAManage, clientA).with(cell{404, 422}, staffB)},
		{method: "DELETE", path: v1 + "/courses/:id", sided: true, target: byID(v1+"/courses/", side(f.courseA, f.courseB), "?version=99", nil),
			want: signedInAs(403).with(cell{409, 404}, staffAIssue, staffAManage, clientA).with(cell{404, 409}, staffB)},
		{method: "GET", path: v1 + "/institutions/me/courses", target: fixed(v1+"/institutions/me/courses", nil),
			want: signedInAs(200, staffAIssue, staffAManage, staffB, clientA)},
		{method: "POST", path: v1 + "/institutions/me/courses", target: fixed(v1+"/institutions/me/courses", map[string]any{"code": "", "hours": -1}),
			want: signedInAs(422, staffAIssue, staffAManage, staffB, clientA)},
		{method: "GET", path: v1 + "/learners/me/pathways", target: fixed(v1+"/learners/me/pathways", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "GET", path: v1 + "/learners/me/alerts", target: fixed(v1+"/learners/me/alerts", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "GET", path: v1 + "/learners/me/alerts/history", target: fixed(v1+"/learners/me/alerts/history", nil), want: signedInAs(200, learnerA, learnerB)},
		{method: "POST", path: v1 + "/learners/me/alerts/seen", target: fixed(v1+"/learners/me/alerts/seen", map[string]string{"seenAt": "yesterday"}),
			want: signedInAs(422, learnerA, learnerB)},
	}

	// Fail closed: every registered route must be in the matrix, and every
	// matrix entry must still be a route.
	index := map[string]matrixEntry{}
	for _, en := range entries {
		index[en.method+" "+en.path] = en
	}
	registered := map[string]bool{}
	for _, r := range e.app.GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/*" {
			continue
		}
		key := r.Method + " " + r.Path
		registered[key] = true
		if _, ok := index[key]; !ok {
			t.Errorf("route %s is not in the authorisation matrix: add a row for every role", key)
		}
	}
	var stale []string
	for key := range index {
		if !registered[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("matrix row %s names no registered route", key)
	}

	data, audit := fingerprint(t, e.store), auditLength(t, e.store)
	for _, en := range entries {
		sides := 1
		if en.sided {
			sides = 2
		}
		for _, role := range matrixRoles {
			expected, ok := en.want[role]
			if !ok {
				t.Fatalf("%s %s: no expectation for %s", en.method, en.path, role)
			}
			for s := 0; s < sides; s++ {
				path, body := en.target(f, s)
				res := e.do(req{method: en.method, path: path, token: f.tokens[role], body: body})
				where := en.method + " " + path + " as " + role + " on " + "AB"[s:s+1] + "'s object"
				if res.status != expected[s] {
					t.Errorf("%s: status %d, want %d: %s", where, res.status, expected[s], clip(res.body))
				}
				if res.status == 401 && res.header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s: 401 without WWW-Authenticate", where)
				}
				ok2xx := res.status >= 200 && res.status < 300
				nowData, nowAudit := fingerprint(t, e.store), auditLength(t, e.store)
				if nowData != data {
					t.Errorf("%s: answered %d but changed stored data", where, res.status)
				}
				if nowAudit != audit && !ok2xx {
					t.Errorf("%s: answered %d but appended to the audit log", where, res.status)
				}
				data, audit = nowData, nowAudit
			}
		}
	}
}

func clip(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// matrixFixture is two institutions, each with a learner, an outcome, a
// conversion and rules in every state; learners share their record with
// their own institution, and each has a withdrawn grant.
type matrixFixture struct {
	instA, instB                     institution
	tokens                           map[string]string
	accA, accB                       string
	staffAIssueUser, staffBUser      string
	outcomeA, outcomeB               string
	withdrawnGrantA, withdrawnGrantB string
	draftA, draftB                   string
	publishedA, publishedB           string
	retiredA, retiredB               string
	conversionA, conversionB         string
	importA, importB                 string
	withdrawnHelperA                 string // A named B as helper, then withdrew
	withdrawnHelperB                 string
	courseA, courseB                 string
}

func ruleBody(instID, code string) map[string]any {
	b := map[string]any{
		"code": code, "name": "社区教育学分认定 " + code, "purpose": "credit",
		"target":    map[string]any{"credits": 2},
		"condition": map[string]any{"op": "all", "items": []any{map[string]any{"category": "community", "minCredits": 1}}},
		"award":     map[string]any{"mode": "fixed", "credits": 2},
		"exclusive": true, "approval": "manual",
	}
	if instID != "" {
		b["institutionId"] = instID
	}
	return b
}

func newMatrixFixture(e *env) *matrixFixture {
	e.t.Helper()
	t := e.t
	adminTok := e.adminToken()
	f := &matrixFixture{tokens: map[string]string{anon: "", admin: adminTok}}
	cats := []string{"community", "senior"}
	f.instA = e.createInstitution(adminTok, "甲社区学院", []string{"issue", "convert"}, cats)
	f.instB = e.createInstitution(adminTok, "乙社区学院", []string{"issue", "convert"}, cats)
	f.tokens[staffAIssue] = e.createStaff(adminTok, f.instA.id, "a.issue", "issue")
	f.tokens[staffAReview] = e.createStaff(adminTok, f.instA.id, "a.review", "review")
	f.tokens[staffAManage] = e.createStaff(adminTok, f.instA.id, "a.manage", "manage")
	f.tokens[staffB] = e.createStaff(adminTok, f.instB.id, "b.all", "issue", "review", "manage")
	f.staffAIssueUser = e.must(200, req{method: "GET", path: "/api/v1/me", token: f.tokens[staffAIssue]})["userId"].(string)
	f.staffBUser = e.must(200, req{method: "GET", path: "/api/v1/me", token: f.tokens[staffB]})["userId"].(string)
	f.tokens[clientA] = e.must(200, req{method: "POST", path: "/api/v1/auth/token",
		body: map[string]string{"clientId": f.instA.clientID, "clientSecret": f.instA.clientSecret}})["accessToken"].(string)

	for i, l := range []struct {
		role, name string
		inst       institution
		issuer     string
		acc, out   *string
		withdrawn  *string
		other      institution
	}{
		{learnerA, "甲学员", f.instA, f.tokens[staffAIssue], &f.accA, &f.outcomeA, &f.withdrawnGrantA, f.instB},
		{learnerB, "乙学员", f.instB, f.tokens[staffB], &f.accB, &f.outcomeB, &f.withdrawnGrantB, f.instA},
	} {
		id := nid(t, 800+i)
		*l.acc = e.must(201, req{method: "POST", path: "/api/v1/learners",
			body: map[string]string{"nationalId": id, "name": l.name, "password": "learner-pass-1"}})["id"].(string)
		f.tokens[l.role] = e.login(id, "learner-pass-1")
		*l.out = e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: l.issuer, body: outcomeBody(id, l.name, "园艺", 32)})["id"].(string)
		e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: f.tokens[l.role], body: map[string]any{"institutionId": l.inst.id, "days": 30}})
		g := e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: f.tokens[l.role], body: map[string]any{"institutionId": l.other.id, "days": 30}})
		*l.withdrawn = g["id"].(string)
		e.must(204, req{method: "DELETE", path: "/api/v1/learners/me/grants/" + *l.withdrawn, token: f.tokens[l.role]})
	}

	for _, h := range []struct {
		learner, helperID, helperName string
		grant                         *string
	}{
		{f.tokens[learnerA], nid(t, 801), "乙学员", &f.withdrawnHelperA},
		{f.tokens[learnerB], nid(t, 800), "甲学员", &f.withdrawnHelperB},
	} {
		*h.grant = e.must(201, req{method: "POST", path: "/api/v1/learners/me/helpers", token: h.learner,
			body: map[string]any{"nationalId": h.helperID, "name": h.helperName, "days": 7}})["id"].(string)
		e.must(204, req{method: "DELETE", path: "/api/v1/learners/me/helpers/" + *h.grant, token: h.learner})
	}

	rule := func(inst, code string) string {
		return e.must(201, req{method: "POST", path: "/api/v1/rules", token: adminTok, body: ruleBody(inst, code)})["id"].(string)
	}
	for _, r := range []struct {
		inst, prefix, learner     string
		draft, pub, retired, conv *string
	}{
		{f.instA.id, "A", f.tokens[learnerA], &f.draftA, &f.publishedA, &f.retiredA, &f.conversionA},
		{f.instB.id, "B", f.tokens[learnerB], &f.draftB, &f.publishedB, &f.retiredB, &f.conversionB},
	} {
		*r.draft = rule(r.inst, r.prefix+"-DRAFT")
		*r.pub = rule(r.inst, r.prefix+"-PUB")
		e.must(200, req{method: "POST", path: "/api/v1/rules/" + *r.pub + "/publish", token: adminTok})
		*r.retired = rule(r.inst, r.prefix+"-RET")
		e.must(200, req{method: "POST", path: "/api/v1/rules/" + *r.retired + "/publish", token: adminTok})
		e.must(200, req{method: "POST", path: "/api/v1/rules/" + *r.retired + "/retire", token: adminTok})
		c := e.must(201, req{method: "POST", path: "/api/v1/conversions", token: r.learner, body: map[string]string{"ruleId": *r.pub}})
		if c["status"] != "pending" {
			t.Fatalf("fixture conversion = %v", c)
		}
		*r.conv = c["id"].(string)
	}
	// Finished import jobs, stored directly: a real import would keep
	// writing in the background while the matrix watches the store.
	for _, j := range []struct {
		inst string
		id   *string
	}{{f.instA.id, &f.importA}, {f.instB.id, &f.importB}} {
		job := &domain.ImportJob{ID: domain.NewID(), InstitutionID: uuid.MustParse(j.inst), CreatedBy: "matrix",
			State: domain.ImportDone, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := e.store.SaveImportJob(context.Background(), nil, job); err != nil {
			t.Fatal(err)
		}
		*j.id = job.ID.String()
	}
	for _, c := range []struct {
		token string
		id    *string
	}{{f.tokens[staffAIssue], &f.courseA}, {f.tokens[staffB], &f.courseB}} {
		*c.id = e.must(201, req{method: "POST", path: "/api/v1/institutions/me/courses", token: c.token, body: courseBody("SF-101", "硬笔书法入门", "community", 32)})["id"].(string)
	}
	return f
}

func courseBody(code, title, category string, hours float64) map[string]any {
	return map[string]any{"code": code, "title": title, "category": category, "hours": hours,
		"place": "街道社区学校", "nextStart": time.Now().AddDate(0, 1, 0).Format("2006-01-02"), "capacityNote": "限 30 人"}
}
