package api_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	mongodrv "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	_ "modernc.org/sqlite"
)

// auditTrail runs one of every kind of state change, each under its own
// X-Request-ID, and returns what each audit entry must say.
type expectedEntry struct {
	requestID, action, actorID, role, institutionID, objectType, objectID string
}

func withRequestID(r req, id string) req {
	r.headers = map[string]string{"X-Request-ID": id}
	return r
}

func auditTrail(t *testing.T, e *env) (map[string]expectedEntry, map[string]string) {
	t.Helper()
	var want []expectedEntry
	admin := e.adminToken()
	adminID := e.must(200, req{method: "GET", path: "/api/v1/me", token: admin})["userId"].(string)

	inst := e.must(201, withRequestID(req{method: "POST", path: "/api/v1/institutions", token: admin, body: map[string]any{
		"name": "审计学院", "kind": "community_college", "region": "示范区", "capabilities": []string{"issue"}, "categories": []string{"community"}}}, "r-inst"))
	instID := inst["id"].(string)
	want = append(want, expectedEntry{"r-inst", "institution.create", adminID, "admin", "", "institution", instID})

	staff := e.must(201, withRequestID(req{method: "POST", path: "/api/v1/institutions/" + instID + "/staff", token: admin,
		body: map[string]any{"username": "audit.clerk", "password": "staff-password-1", "perms": []string{"issue"}}}, "r-staff"))
	staffID := staff["id"].(string)
	want = append(want, expectedEntry{"r-staff", "staff.create", adminID, "admin", "", "user", staffID})

	e.must(200, withRequestID(loginAs("audit.clerk", "staff-password-1", ""), "r-login"))
	want = append(want, expectedEntry{"r-login", "auth.login", staffID, "staff", instID, "staff", staffID})
	clerk := e.login("audit.clerk", "staff-password-1")

	id := nid(t, 500)
	acc := e.must(201, withRequestID(req{method: "POST", path: "/api/v1/learners",
		body: map[string]string{"nationalId": id, "name": "审计员", "password": "learner-pass-1"}}, "r-register"))
	accID := acc["id"].(string)
	want = append(want, expectedEntry{"r-register", "learner.register", accID, "learner", "", "account", accID})
	learner := e.login(id, "learner-pass-1")

	out := e.must(201, withRequestID(req{method: "POST", path: "/api/v1/outcomes", token: clerk, body: outcomeBody(id, "审计员", "书法", 32)}, "r-issue"))
	outID := out["id"].(string)
	want = append(want, expectedEntry{"r-issue", "outcome.issue", staffID, "staff", instID, "outcome", outID})

	e.must(200, withRequestID(req{method: "POST", path: "/api/v1/outcomes/" + outID + "/revoke", token: clerk, body: map[string]string{"reason": "录入错误"}}, "r-revoke"))
	want = append(want, expectedEntry{"r-revoke", "outcome.revoke", staffID, "staff", instID, "outcome", outID})

	g := e.must(201, withRequestID(req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": instID, "days": 7}}, "r-grant"))
	grantID := g["id"].(string)
	want = append(want, expectedEntry{"r-grant", "grant.create", accID, "learner", "", "grant", grantID})

	e.must(204, withRequestID(req{method: "DELETE", path: "/api/v1/learners/me/grants/" + grantID, token: learner}, "r-withdraw"))
	want = append(want, expectedEntry{"r-withdraw", "grant.withdraw", accID, "learner", "", "grant", grantID})

	e.must(200, withRequestID(req{method: "POST", path: "/api/v1/institutions/" + instID + "/staff/" + staffID + "/status", token: admin, body: map[string]string{"status": "suspended"}}, "r-staff-status"))
	want = append(want, expectedEntry{"r-staff-status", "staff.suspended", adminID, "admin", "", "user", staffID})

	e.must(200, withRequestID(req{method: "POST", path: "/api/v1/institutions/" + instID + "/status", token: admin, body: map[string]string{"status": "suspended"}}, "r-inst-status"))
	want = append(want, expectedEntry{"r-inst-status", "institution.suspended", adminID, "admin", "", "institution", instID})

	e.must(200, withRequestID(req{method: "PUT", path: "/api/v1/policy", token: admin, body: map[string]any{"hoursPerCredit": map[string]float64{"senior": 12}}}, "r-policy"))
	want = append(want, expectedEntry{"r-policy", "policy.update", adminID, "admin", "", "policy", "credit"})

	// Account changes whose audit entry is saved with the account.
	id2 := nid(t, 501)
	acc2 := e.must(201, req{method: "POST", path: "/api/v1/learners",
		body: map[string]string{"nationalId": id2, "name": "审计二", "password": "learner-pass-2"}})["id"].(string)
	e.must(200, withRequestID(req{method: "POST", path: "/api/v1/me/password", token: e.login(id2, "learner-pass-2"),
		body: map[string]string{"currentPassword": "learner-pass-2", "newPassword": "learner-pass-3"}}, "r-password"))
	want = append(want, expectedEntry{"r-password", "auth.password_change", acc2, "learner", "", "learner", acc2})
	e.must(200, withRequestID(req{method: "POST", path: "/api/v1/learners/" + acc2 + "/reset", token: admin}, "r-reset"))
	want = append(want, expectedEntry{"r-reset", "learner.reset", adminID, "admin", "", "account", acc2})

	byID := map[string]expectedEntry{}
	for _, w := range want {
		byID[w.requestID] = w
	}
	return byID, map[string]string{"admin": admin, "adminID": adminID, "inst": instID, "staffID": staffID, "learner": learner, "clerk": clerk}
}

func auditPage(t *testing.T, e *env, admin, query string) []map[string]any {
	t.Helper()
	page := e.must(200, req{method: "GET", path: "/api/v1/audit?limit=200" + query, token: admin})
	var out []map[string]any
	for _, it := range page["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestEveryStateChangeIsAudited(t *testing.T) {
	e := newEnv(t)
	start := time.Now().Add(-time.Second)
	want, ids := auditTrail(t, e)
	end := time.Now().Add(time.Second)
	admin := ids["admin"]

	found := map[string]bool{}
	for _, got := range auditPage(t, e, admin, "") {
		w, ok := want[got["requestId"].(string)]
		if !ok || got["action"] != w.action {
			continue
		}
		found[w.requestID] = true
		inst, _ := got["institutionId"].(string)
		if got["actorId"] != w.actorID || got["role"] != w.role || inst != w.institutionID ||
			got["objectType"] != w.objectType || got["objectId"] != w.objectID || got["clientIp"] != testPeer {
			t.Errorf("%s: entry %v, want %+v", w.action, got, w)
		}
		at, err := time.Parse(time.RFC3339Nano, got["at"].(string))
		if err != nil || at.Before(start) || at.After(end) {
			t.Errorf("%s: at %v outside the run", w.action, got["at"])
		}
		if len(got["hash"].(string)) != 64 || got["prevHash"] == "" {
			t.Errorf("%s: not chained: %v", w.action, got)
		}
	}
	for id, w := range want {
		if !found[id] {
			t.Errorf("no audit entry for %s (request %s)", w.action, id)
		}
	}

	t.Run("filters", func(t *testing.T) {
		check := func(query string, min int, ok func(map[string]any) bool) {
			t.Helper()
			items := auditPage(t, e, admin, query)
			if len(items) < min {
				t.Errorf("%s: %d items, want at least %d", query, len(items), min)
			}
			for _, it := range items {
				if !ok(it) {
					t.Errorf("%s: unexpected entry %v", query, it)
				}
			}
		}
		check("&actor="+ids["staffID"], 3, func(m map[string]any) bool { return m["actorId"] == ids["staffID"] })
		check("&institution="+ids["inst"], 3, func(m map[string]any) bool { return m["institutionId"] == ids["inst"] })
		check("&action=outcome.revoke", 1, func(m map[string]any) bool { return m["action"] == "outcome.revoke" })
		check("&from="+url.QueryEscape(start.Format(time.RFC3339))+"&to="+url.QueryEscape(end.Format(time.RFC3339)), len(want), func(map[string]any) bool { return true })
		check("&from="+url.QueryEscape(end.Add(time.Hour).Format(time.RFC3339)), 0, func(map[string]any) bool { return false })
		check("&to="+url.QueryEscape(start.Add(-time.Hour).Format(time.RFC3339)), 0, func(map[string]any) bool { return false })
		e.must(400, req{method: "GET", path: "/api/v1/audit?from=yesterday", token: admin})
	})

	t.Run("admin only", func(t *testing.T) {
		e.must(401, req{method: "GET", path: "/api/v1/audit"})
		e.must(403, req{method: "GET", path: "/api/v1/audit", token: ids["learner"]})
		e.must(403, req{method: "GET", path: "/api/v1/audit/verify", token: ids["learner"]})
		// The clerk's staff account is suspended by the trail: 401, not 403.
		e.must(401, req{method: "GET", path: "/api/v1/audit", token: ids["clerk"]})
	})

	v := e.must(200, req{method: "GET", path: "/api/v1/audit/verify", token: admin})
	if v["valid"] != true || v["entries"].(float64) < float64(len(want)) {
		t.Fatalf("verify = %v", v)
	}
}

// tamperer edits the audit log behind the application's back.
type tamperer interface {
	edit(seq int64)   // change a field of one entry
	remove(seq int64) // delete one entry
	swap(a, b int64)  // exchange two entries' contents, renumbered to fit
	// misfile rewrites only what filtered searches match the actor on (the
	// SQLite actor_id column, the Mongo actorId field), leaving the entry.
	misfile(seq int64, actor string)
	close()
}

func TestAuditTamperingIsDetected(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tamper  func(tamperer)
		problem string
	}{
		{"entry edited", func(x tamperer) { x.edit(3) }, "audit entry 3: hash mismatch"},
		{"entry deleted", func(x tamperer) { x.remove(3) }, "audit entry 4: expected sequence 3"},
		{"entries reordered", func(x tamperer) { x.swap(3, 4) }, "audit entry 3: previous hash does not link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, loc := newTunedEnv(t, nil)
			_, ids := auditTrail(t, e)
			admin := ids["admin"]
			if v := e.must(200, req{method: "GET", path: "/api/v1/audit/verify", token: admin}); v["valid"] != true {
				t.Fatalf("before tampering: %v", v)
			}
			x := openTamperer(t, loc)
			tc.tamper(x)
			x.close()
			v := e.must(200, req{method: "GET", path: "/api/v1/audit/verify", token: admin})
			problem, _ := v["problem"].(string)
			if v["valid"] != false || !strings.HasPrefix(problem, tc.problem) {
				t.Fatalf("after tampering: %v, want problem %q", v, tc.problem)
			}
		})
	}
}

// TestAuditSearchIndexTamperingIsDetected: editing only the searchable actor
// hides an entry from GET /audit?actor= while the hashes still link on
// SQLite; verify must name the entry either way.
func TestAuditSearchIndexTamperingIsDetected(t *testing.T) {
	e, loc := newTunedEnv(t, nil)
	_, ids := auditTrail(t, e)
	admin := ids["admin"]
	entries := auditPage(t, e, admin, "")
	target := entries[4] // any entry with an actor will do
	seq := int64(target["seq"].(float64))
	actor := target["actorId"].(string)
	bySeqs := func(items []map[string]any) map[int64]bool {
		out := map[int64]bool{}
		for _, it := range items {
			out[int64(it["seq"].(float64))] = true
		}
		return out
	}
	if !bySeqs(auditPage(t, e, admin, "&actor="+url.QueryEscape(actor)))[seq] {
		t.Fatalf("entry %d not found by its actor before tampering", seq)
	}

	x := openTamperer(t, loc)
	x.misfile(seq, "00000000-0000-0000-0000-000000000000")
	x.close()

	if bySeqs(auditPage(t, e, admin, "&actor="+url.QueryEscape(actor)))[seq] {
		t.Fatalf("tampering did not hide entry %d from the actor search; the test tampers the wrong thing", seq)
	}
	v := e.must(200, req{method: "GET", path: "/api/v1/audit/verify", token: admin})
	problem, _ := v["problem"].(string)
	want := fmt.Sprintf("audit entry %d: ", seq)
	if v["valid"] != false || !strings.HasPrefix(problem, want) {
		t.Fatalf("verify after index tampering: %v, want a problem starting %q", v, want)
	}
	if loc.sqlitePath != "" && !strings.Contains(problem, "search index (actor)") {
		t.Fatalf("verify names %q, want the actor search column named", problem)
	}
}

func openTamperer(t *testing.T, loc storeLocation) tamperer {
	t.Helper()
	if loc.sqlitePath != "" {
		db, err := sql.Open("sqlite", loc.sqlitePath+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		return &sqliteTamperer{t: t, db: db}
	}
	client, err := mongodrv.Connect(context.Background(), options.Client().ApplyURI(loc.mongoURI))
	if err != nil {
		t.Fatal(err)
	}
	return &mongoTamperer{t: t, client: client, coll: client.Database(loc.mongoDB).Collection("audit")}
}

type sqliteTamperer struct {
	t  *testing.T
	db *sql.DB
}

func (x *sqliteTamperer) exec(q string, args ...any) {
	x.t.Helper()
	if res, err := x.db.Exec(q, args...); err != nil {
		x.t.Fatal(err)
	} else if n, _ := res.RowsAffected(); n == 0 {
		x.t.Fatalf("%s: no row changed", q)
	}
}

func (x *sqliteTamperer) edit(seq int64) {
	x.exec(`UPDATE audit SET doc = json_set(doc, '$.actorId', 'someone-else') WHERE seq = ?`, seq)
}

func (x *sqliteTamperer) misfile(seq int64, actor string) {
	x.exec(`UPDATE audit SET actor_id = ? WHERE seq = ?`, actor, seq)
}

func (x *sqliteTamperer) remove(seq int64) { x.exec(`DELETE FROM audit WHERE seq = ?`, seq) }

func (x *sqliteTamperer) swap(a, b int64) {
	x.t.Helper()
	var docA, docB string
	if err := x.db.QueryRow(`SELECT doc FROM audit WHERE seq = ?`, a).Scan(&docA); err != nil {
		x.t.Fatal(err)
	}
	if err := x.db.QueryRow(`SELECT doc FROM audit WHERE seq = ?`, b).Scan(&docB); err != nil {
		x.t.Fatal(err)
	}
	x.exec(`UPDATE audit SET doc = json_set(?, '$.id', ?) WHERE seq = ?`, docB, a, a)
	x.exec(`UPDATE audit SET doc = json_set(?, '$.id', ?) WHERE seq = ?`, docA, b, b)
}

func (x *sqliteTamperer) close() { x.db.Close() }

type mongoTamperer struct {
	t      *testing.T
	client *mongodrv.Client
	coll   *mongodrv.Collection
}

func (x *mongoTamperer) edit(seq int64) {
	x.t.Helper()
	res, err := x.coll.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: seq}}, bson.D{{Key: "$set", Value: bson.D{{Key: "actorId", Value: "someone-else"}}}})
	if err != nil || res.ModifiedCount != 1 {
		x.t.Fatalf("edit: %v %+v", err, res)
	}
}

func (x *mongoTamperer) misfile(seq int64, actor string) {
	x.t.Helper()
	res, err := x.coll.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: seq}}, bson.D{{Key: "$set", Value: bson.D{{Key: "actorId", Value: actor}}}})
	if err != nil || res.ModifiedCount != 1 {
		x.t.Fatalf("misfile: %v %+v", err, res)
	}
}

func (x *mongoTamperer) remove(seq int64) {
	x.t.Helper()
	res, err := x.coll.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: seq}})
	if err != nil || res.DeletedCount != 1 {
		x.t.Fatalf("remove: %v %+v", err, res)
	}
}

func (x *mongoTamperer) swap(a, b int64) {
	x.t.Helper()
	ctx := context.Background()
	read := func(seq int64) bson.M {
		var m bson.M
		if err := x.coll.FindOne(ctx, bson.D{{Key: "_id", Value: seq}}).Decode(&m); err != nil {
			x.t.Fatal(err)
		}
		return m
	}
	docA, docB := read(a), read(b)
	docA["_id"], docB["_id"] = b, a
	for _, d := range []bson.M{docA, docB} {
		if _, err := x.coll.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d["_id"]}}, d); err != nil {
			x.t.Fatal(err)
		}
	}
}

func (x *mongoTamperer) close() { _ = x.client.Disconnect(context.Background()) }
