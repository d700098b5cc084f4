package api_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	mongodrv "go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// secretForms lists the ways a national ID or phone number could leak: as
// given, with a lowercase check character, without it (17 digits), and the
// bare 11-digit phone.
func secretForms(ids, phones []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id, strings.ToLower(id), id[:17])
	}
	return append(out, phones...)
}

func assertNoSecrets(t *testing.T, where string, data []byte, forms []string) {
	t.Helper()
	for _, f := range forms {
		if bytes.Contains(data, []byte(f)) {
			t.Errorf("%s contains %q in plaintext", where, f)
		}
	}
}

func TestPersonalDataNeverInLogsOrAtRest(t *testing.T) {
	e, loc := newTunedEnv(t, nil)
	admin := e.adminToken()
	a := e.issuer(admin, "隐私学院")
	ids := []string{nid(t, 600), nid(t, 601), nid(t, 602)}
	phones := []string{"13812345678", "15987654321"}
	names := []string{"隐私甲", "隐私乙", "隐私丙"}
	forms := secretForms(ids, phones)

	// Self-registration with phones, a staff-registered learner, an outcome
	// for an unknown learner (account opened on issue), logins, the record,
	// the data export, grants; and failures whose messages might echo input.
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": ids[0], "name": names[0], "phone": phones[0], "password": "learner-pass-1"}})
	e.must(201, req{method: "POST", path: "/api/v1/learners", token: a.staff, body: map[string]string{"nationalId": ids[1], "name": names[1], "phone": "+86-159-8765-4321"}})
	for i, id := range ids {
		e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: a.staff, headers: map[string]string{"Idempotency-Key": "k-" + itoa(i)},
			body: outcomeBody(id, names[i], "编织", 24)})
	}
	learner := e.login(ids[0], "learner-pass-1")
	rec := e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: learner})
	e.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: learner, body: map[string]any{"institutionId": a.id, "days": 10}})
	data := e.must(200, req{method: "GET", path: "/api/v1/learners/me/data", token: learner})
	if data["nationalId"] != ids[0] || data["phone"] != phones[0] {
		t.Fatalf("the learner's own export must open their data: %v %v", data["nationalId"], data["phone"])
	}
	e.must(200, req{method: "GET", path: "/api/v1/learners/" + rec["account"].(map[string]any)["id"].(string) + "/record", token: a.staff})
	e.must(401, loginAs(ids[2], "no-password-yet", ""))
	e.must(401, loginAs(ids[0], "wrong-password", ""))
	e.must(409, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": ids[0], "name": names[0], "password": "learner-pass-2"}})
	badCheck := ids[2][:17] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(ids[2], "0")]
	e.must(422, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": badCheck, "name": "x", "phone": phones[1] + "x", "password": "learner-pass-3"}})
	e.must(404, req{method: "GET", path: "/api/v1/learners/" + ids[0] + "/record", token: admin})
	e.must(401, req{method: "GET", path: "/api/v1/me", token: ids[0]})

	// The HMAC lookup still finds the account by national ID.
	if me := e.must(200, req{method: "GET", path: "/api/v1/me", token: e.login(strings.ToLower(ids[0]), "learner-pass-1")}); me["name"] != names[0] {
		t.Fatalf("login by national ID: %v", me)
	}

	logs := e.logs.Bytes()
	if !bytes.Contains(logs, []byte(`"msg":"request"`)) || !bytes.Contains(logs, []byte(`/api/v1/learners/:id/record`)) {
		t.Fatalf("the request log is missing, so this test would prove nothing:\n%s", clip(logs))
	}
	assertNoSecrets(t, "the log", logs, forms)

	switch {
	case loc.sqlitePath != "":
		e.store.Close() // checkpoint nothing on purpose: read the WAL as well
		var all []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			raw, err := os.ReadFile(loc.sqlitePath + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			assertNoSecrets(t, "SQLite file "+suffix, raw, forms)
			all = append(all, raw...)
		}
		// Proof that we read the data: names are stored in the clear.
		if !bytes.Contains(all, []byte(names[2])) {
			t.Fatal("the SQLite files do not hold the learners' names; wrong files?")
		}
		e.store = e.reopen()
	case loc.mongoURI != "":
		client, err := mongodrv.Connect(context.Background(), options.Client().ApplyURI(loc.mongoURI))
		if err != nil {
			t.Fatal(err)
		}
		defer client.Disconnect(context.Background())
		db := client.Database(loc.mongoDB)
		colls, err := db.ListCollectionNames(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, name := range colls {
			cur, err := db.Collection(name).Find(context.Background(), bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			for cur.Next(context.Background()) {
				all = append(all, cur.Current...)
			}
			if err := cur.Err(); err != nil {
				t.Fatal(err)
			}
			cur.Close(context.Background())
		}
		assertNoSecrets(t, "the Mongo documents", all, forms)
		if !bytes.Contains(all, []byte(names[2])) {
			t.Fatal("the Mongo documents do not hold the learners' names; wrong database?")
		}
	}
}
