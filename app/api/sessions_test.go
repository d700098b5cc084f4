package api_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"creditbank/app/api"
	"creditbank/auth"
	"creditbank/domain"
)

// sessionRounds is how often each way of ending sessions is repeated: a
// session that only timestamps end would survive a change made within the
// same second as its login, which most rounds here are. Under the race
// detector 25 rounds check the same code for data races; the 200 run in the
// suite's pass without it (the API tests on MongoDB).
func sessionRounds() int {
	if raceEnabled {
		return 25
	}
	return 200
}

type session struct{ access, refresh string }

func (e *env) openSession(username, password string) session {
	e.t.Helper()
	m := e.must(200, req{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"username": username, "password": password}})
	return session{m["accessToken"].(string), m["refreshToken"].(string)}
}

// assertEnded checks that neither token of a session works any more.
func (e *env) assertEnded(t *testing.T, round int, what string, s session) {
	t.Helper()
	// Each round from an address of its own where proxies are trusted: the
	// refusals are failures, and one address's would soon back off.
	from := map[string]string{"X-Forwarded-For": "10.200." + itoa(round/250) + "." + itoa(round%250+1)}
	if res := e.do(req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": s.refresh}, headers: from}); res.status != 401 {
		t.Fatalf("round %d: refresh token from before %s: %d %s", round, what, res.status, clip(res.body))
	}
	if res := e.do(req{method: "GET", path: "/api/v1/me", token: s.access}); res.status != 401 {
		t.Fatalf("round %d: access token from before %s: %d %s", round, what, res.status, clip(res.body))
	}
}

func TestPasswordChangeEndsEverySessionAtOnce(t *testing.T) {
	e, _ := newTunedEnv(t, func(c *api.Config) { c.TrustedProxies = []string{testPeer} })
	admin := e.adminToken()
	inst := e.createInstitution(admin, "开放大学", []string{"issue"}, []string{"academic"})
	e.createStaff(admin, inst.id, "ou.clerk", "issue")
	id := nid(t, 31)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "刘洋", "password": "river-stone-0"}})

	for _, who := range []struct{ name, username, first string }{
		{"learner", id, "river-stone-0"},
		{"staff", "ou.clerk", "staff-password-1"},
	} {
		t.Run(who.name, func(t *testing.T) {
			// Each round's session is the one the previous change handed
			// back (the first a login's), made moments before the change
			// that must end it.
			current := who.first
			old := e.openSession(who.username, current)
			for round := range sessionRounds() {
				next := "river-stone-" + itoa(round+1)
				m := e.must(200, req{method: "POST", path: "/api/v1/me/password", token: old.access,
					body: map[string]string{"currentPassword": current, "newPassword": next}})
				fresh := session{m["accessToken"].(string), m["refreshToken"].(string)}
				current = next
				e.assertEnded(t, round, "a password change", old)
				e.must(200, req{method: "GET", path: "/api/v1/me", token: fresh.access})
				old = fresh
			}
			// A login made just before a change is ended too, and the
			// session the change hands back refreshes.
			last := e.openSession(who.username, current)
			m := e.must(200, req{method: "POST", path: "/api/v1/me/password", token: last.access,
				body: map[string]string{"currentPassword": current, "newPassword": "lantern-field-7"}})
			e.assertEnded(t, sessionRounds(), "a password change", last)
			e.must(200, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": m["refreshToken"].(string)}})
		})
	}
}

func TestFrontDeskResetAndClaimEndEverySession(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	id := nid(t, 32)
	claim := req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "周强", "password": "lantern-field-7"}}
	created := e.must(201, claim)
	accountID := uuid.MustParse(created["id"].(string))
	reset := req{method: "POST", path: "/api/v1/learners/" + accountID.String() + "/reset", token: admin}

	for round := range sessionRounds() {
		old := e.openSession(id, "lantern-field-7")
		e.must(200, reset)
		e.assertEnded(t, round, "a front-desk reset", old)

		// No session of an unclaimed account can come from a login; one
		// signed directly at the account's current generation stands for
		// any that might exist, and claiming must end it too.
		acc, err := e.store.GetAccount(t.Context(), accountID)
		if err != nil {
			t.Fatal(err)
		}
		stray, _, err := e.tokens.Issue(auth.Principal{Role: domain.RoleLearner, Subject: accountID, Gen: acc.SessionGen})
		if err != nil {
			t.Fatal(err)
		}
		e.must(200, req{method: "GET", path: "/api/v1/learners/me/record", token: stray})
		e.must(200, claim)
		if res := e.do(req{method: "GET", path: "/api/v1/learners/me/record", token: stray}); res.status != 401 {
			t.Fatalf("round %d: access token from before the claim: %d", round, res.status)
		}
	}
	e.openSession(id, "lantern-field-7")
}

func TestSuspendingAnInstitutionEndsItsSessionsForGood(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	e.createStaff(admin, a.id, "cc.manager", "manage")
	staff := e.openSession("cc.manager", "staff-password-1")
	client := e.must(200, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": a.clientID, "clientSecret": a.clientSecret}})["accessToken"].(string)

	status := func(to string) req {
		return req{method: "POST", path: "/api/v1/institutions/" + a.id + "/status", token: admin, body: map[string]string{"status": to}}
	}
	e.must(200, status("suspended"))
	e.must(200, status("active"))

	e.assertEnded(t, 0, "the institution's suspension", staff)
	body := outcomeBody(nid(t, 33), "钱进", "摄影", 16)
	if res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: client, body: body}); res.status != 401 {
		t.Fatalf("client access token from before the suspension: %d %s", res.status, clip(res.body))
	}
	if res := e.do(req{method: "POST", path: "/api/v1/outcomes", token: a.staff, body: body}); res.status != 401 {
		t.Fatalf("issuing staff access token from before the suspension: %d %s", res.status, clip(res.body))
	}

	// Signing in again works, and those sessions are not disturbed by the
	// next reactivation of an institution that is already active.
	fresh := e.openSession("cc.manager", "staff-password-1")
	client = e.must(200, req{method: "POST", path: "/api/v1/auth/token", body: map[string]string{"clientId": a.clientID, "clientSecret": a.clientSecret}})["accessToken"].(string)
	e.must(200, status("active"))
	e.must(200, req{method: "GET", path: "/api/v1/me", token: fresh.access})
	e.must(201, req{method: "POST", path: "/api/v1/outcomes", token: client, body: body})
	e.must(200, req{method: "POST", path: "/api/v1/auth/refresh", body: map[string]string{"refreshToken": fresh.refresh}})
}

func TestSuspendingStaffEndsTheirSessionsForGood(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	a := e.issuer(admin, "社区学院")
	m := e.must(201, req{method: "POST", path: "/api/v1/institutions/" + a.id + "/staff", token: admin,
		body: map[string]any{"username": "cc.clerk", "password": "staff-password-1", "perms": []string{"issue"}}})
	old := e.openSession("cc.clerk", "staff-password-1")
	status := func(to string) req {
		return req{method: "POST", path: "/api/v1/institutions/" + a.id + "/staff/" + m["id"].(string) + "/status", token: admin, body: map[string]string{"status": to}}
	}
	e.must(200, status("suspended"))
	e.must(200, status("active"))
	e.assertEnded(t, 0, "the staff member's suspension", old)
	e.openSession("cc.clerk", "staff-password-1")
}

// A password is refused, with a 422 naming the field, when it is among the
// 10 000 most common or is the user's own sign-in name in a thin disguise;
// a refused request changes nothing.
func TestPasswordsRefuseCommonOnesAndOwnNames(t *testing.T) {
	e := newEnv(t)
	admin := e.adminToken()
	inst := e.createInstitution(admin, "开放大学", []string{"issue"}, []string{"academic"})
	staff := e.createStaff(admin, inst.id, "kate.li", "issue")
	id := nid(t, 34)
	e.must(201, req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": id, "name": "刘洋", "password": "river-stone-0"}})
	learner := e.login(id, "river-stone-0")
	other := nid(t, 35)

	before := fingerprint(t, e.store)
	for _, tc := range []struct {
		name, field, reason string
		r                   req
	}{
		{"register: a common password", "password", "most common",
			req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": other, "name": "王芳", "password": "1234567890"}}},
		{"register: the national ID, lower case", "password", "national ID",
			req{method: "POST", path: "/api/v1/learners", body: map[string]string{"nationalId": other, "name": "王芳", "password": strings.ToLower(other)}}},
		{"new staff: the username with a year", "password", "username",
			req{method: "POST", path: "/api/v1/institutions/" + inst.id + "/staff", token: admin,
				body: map[string]any{"username": "wang.fang", "password": "Wang.Fang2026", "perms": []string{"issue"}}}},
		{"new staff: a common password", "password", "most common",
			req{method: "POST", path: "/api/v1/institutions/" + inst.id + "/staff", token: admin,
				body: map[string]any{"username": "wang.fang", "password": "QWERTYUIOP", "perms": []string{"issue"}}}},
		{"staff change: the username reversed", "newPassword", "username",
			req{method: "POST", path: "/api/v1/me/password", token: staff, body: map[string]string{"currentPassword": "staff-password-1", "newPassword": "il.etak.2026!"}}},
		{"learner change: the national ID", "newPassword", "national ID",
			req{method: "POST", path: "/api/v1/me/password", token: learner, body: map[string]string{"currentPassword": "river-stone-0", "newPassword": id}}},
		{"learner change: a common password", "newPassword", "most common",
			req{method: "POST", path: "/api/v1/me/password", token: learner, body: map[string]string{"currentPassword": "river-stone-0", "newPassword": "1qaz2wsx3edc"}}},
	} {
		res := e.do(tc.r)
		if res.status != 422 || res.errorCode(t) != "invalid" || !hasProblem(res.json(t), tc.field) || !strings.Contains(string(res.body), tc.reason) {
			t.Errorf("%s: %d %s", tc.name, res.status, clip(res.body))
		}
	}
	if fingerprint(t, e.store) != before {
		t.Fatal("a refused password changed stored data")
	}
	e.must(200, req{method: "POST", path: "/api/v1/me/password", token: learner, body: map[string]string{"currentPassword": "river-stone-0", "newPassword": "lantern-field-7"}})
}
