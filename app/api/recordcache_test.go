package api_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/app/api"
	"creditbank/auth"
	"creditbank/domain"
)

// cachedEnv is an env whose server's clock the test sets and whose
// own-record cache it can watch. fresh answers the same request from a
// server without the cache, at the same instant: what the cached server
// must be indistinguishable from.
type cachedEnv struct {
	*env
	clock *fakeClock
	probe api.RecordCacheProbe
	cfg   api.Config
}

func newCachedEnv(t *testing.T, cacheBytes int) *cachedEnv {
	t.Helper()
	clock := newFakeClock()
	var cfg api.Config
	e, _ := newTunedEnv(t, func(c *api.Config) {
		c.Now, c.RecordCacheBytes = clock.Now, cacheBytes
		cfg = *c
	})
	// No key publisher: these tests never ask for the JWKS.
	app, probe := api.NewWithRecordCacheProbe(e.svc, e.tokens, nil, cfg)
	e.app = app
	return &cachedEnv{env: e, clock: clock, probe: probe, cfg: cfg}
}

func (ce *cachedEnv) setClock(at time.Time) {
	ce.t.Helper()
	ce.clock.Advance(at.Sub(ce.clock.Now()))
}

func (ce *cachedEnv) record(token string) response {
	ce.t.Helper()
	res := ce.do(req{method: "GET", path: "/api/v1/learners/me/record", token: token})
	if res.status != 200 {
		ce.t.Fatalf("record: status %d: %s", res.status, res.body)
	}
	return res
}

func (ce *cachedEnv) fresh(token string) response {
	ce.t.Helper()
	cfg := ce.cfg
	cfg.RecordCacheBytes = -1
	cached := ce.app
	defer func() { ce.app = cached }()
	ce.app = api.New(ce.svc, ce.tokens, nil, cfg)
	return ce.record(token)
}

// sameAsFresh fails unless res is what a server without the cache answers now.
func (ce *cachedEnv) sameAsFresh(what string, token string, res response) {
	ce.t.Helper()
	want := ce.fresh(token)
	if !bytes.Equal(res.body, want.body) {
		ce.t.Fatalf("%s: body differs from a fresh rendering:\n got %s\nwant %s", what, res.body, want.body)
	}
	if got, want := res.header.Get("Content-Type"), want.header.Get("Content-Type"); got != want {
		ce.t.Errorf("%s: Content-Type %q, fresh %q", what, got, want)
	}
}

// readTwice reads a record twice and checks that the second read was
// answered from the cache, with the bytes a fresh rendering gives.
func (ce *cachedEnv) readTwice(token string) response {
	ce.t.Helper()
	first := ce.record(token)
	hits := ce.probe.Hits()
	second := ce.record(token)
	if ce.probe.Hits() != hits+1 {
		ce.t.Fatalf("second read of an unchanged record was not a cache hit (hits %d → %d)", hits, ce.probe.Hits())
	}
	if !bytes.Equal(first.body, second.body) {
		ce.t.Fatalf("second read differs from the first:\n%s\n%s", first.body, second.body)
	}
	ce.sameAsFresh("cached read", token, second)
	return second
}

// learner is an account an institution opened by depositing an outcome,
// signed in with a token issued directly (as the bench does: no password).
type cachedLearner struct {
	id    uuid.UUID
	nid   string
	token string
}

func (ce *cachedEnv) depositFor(staff string, l *cachedLearner, n int, title string, expiresOn string) map[string]any {
	ce.t.Helper()
	if l.nid == "" {
		l.nid = nid(ce.t, n)
	}
	body := outcomeBody(l.nid, "陈学员", title, 32)
	if expiresOn != "" {
		body["expiresOn"] = expiresOn
	}
	out := ce.must(201, req{method: "POST", path: "/api/v1/outcomes", token: staff, body: body})
	if l.token == "" {
		l.id = uuid.MustParse(out["accountId"].(string))
		tok, _, err := ce.tokens.Issue(auth.Principal{Role: domain.RoleLearner, Subject: l.id})
		if err != nil {
			ce.t.Fatal(err)
		}
		l.token = tok
	}
	return out
}

func jsonOf(t *testing.T, res response) map[string]any {
	t.Helper()
	return res.json(t)
}

// districtMidnight is the instant the district date d (a YYYY-MM-DD) begins.
func districtMidnight(t *testing.T, d string) time.Time {
	t.Helper()
	day, err := time.ParseInLocation("2006-01-02", d, domain.DistrictZone)
	if err != nil {
		t.Fatal(err)
	}
	return day
}

func TestOwnRecordCacheAnswersWithTheFreshBytes(t *testing.T) {
	tests := []struct {
		name  string
		setup func(ce *cachedEnv, iss issuer, l *cachedLearner)
	}{
		{name: "one outcome", setup: func(ce *cachedEnv, iss issuer, l *cachedLearner) {
			ce.depositFor(iss.staff, l, 101, "插花", "")
		}},
		{name: "a certificate with an expiry and a revoked outcome", setup: func(ce *cachedEnv, iss issuer, l *cachedLearner) {
			ce.depositFor(iss.staff, l, 102, "插花", "")
			ce.depositFor(iss.staff, l, 102, "电工", ce.clock.Now().AddDate(0, 0, 20).Format("2006-01-02"))
			o := ce.depositFor(iss.staff, l, 102, "书法", "")
			ce.must(200, req{method: "POST", path: "/api/v1/outcomes/" + o["id"].(string) + "/revoke", token: iss.staff, body: map[string]string{"reason": "录入错误"}})
		}},
		{name: "grants, one withdrawn", setup: func(ce *cachedEnv, iss issuer, l *cachedLearner) {
			ce.depositFor(iss.staff, l, 103, "插花", "")
			// Sharing again while a grant is live extends it, so the
			// withdrawn grant comes first and a new one after it.
			g := ce.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: l.token, body: map[string]any{"institutionId": iss.id, "days": 5}})
			ce.must(204, req{method: "DELETE", path: "/api/v1/learners/me/grants/" + g["id"].(string), token: l.token})
			ce.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: l.token, body: map[string]any{"institutionId": iss.id, "days": 30}})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce := newCachedEnv(t, 0)
			iss := ce.issuer(ce.adminToken(), "社区学院")
			var l cachedLearner
			tc.setup(ce, iss, &l)
			ce.readTwice(l.token)
		})
	}
}

// TestOwnRecordCacheShowsEveryChangeAtOnce changes a cached record in each
// way a learner or institution can and reads it straight after.
func TestOwnRecordCacheShowsEveryChangeAtOnce(t *testing.T) {
	tests := []struct {
		name   string
		change func(ce *cachedEnv, iss issuer, l *cachedLearner)
		check  func(t *testing.T, rec map[string]any)
	}{
		{name: "a deposit", change: func(ce *cachedEnv, iss issuer, l *cachedLearner) {
			ce.depositFor(iss.staff, l, 0, "书法", "")
		}, check: func(t *testing.T, rec map[string]any) {
			if n := len(rec["outcomes"].([]any)); n != 2 {
				t.Errorf("outcomes = %d, want 2", n)
			}
		}},
		{name: "a revocation", change: func(ce *cachedEnv, iss issuer, l *cachedLearner) {
			rec := jsonOf(ce.t, ce.record(l.token))
			id := rec["outcomes"].([]any)[0].(map[string]any)["id"].(string)
			ce.must(200, req{method: "POST", path: "/api/v1/outcomes/" + id + "/revoke", token: iss.staff, body: map[string]string{"reason": "录入错误"}})
		}, check: func(t *testing.T, rec map[string]any) {
			if s := rec["outcomes"].([]any)[0].(map[string]any)["status"]; s != "revoked" {
				t.Errorf("status = %v, want revoked", s)
			}
		}},
		{name: "a grant", change: func(ce *cachedEnv, iss issuer, l *cachedLearner) {
			ce.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: l.token, body: map[string]any{"institutionId": iss.id, "days": 3}})
		}, check: func(t *testing.T, rec map[string]any) {
			if n := len(rec["grants"].([]any)); n != 1 {
				t.Errorf("grants = %d, want 1", n)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce := newCachedEnv(t, 0)
			iss := ce.issuer(ce.adminToken(), "社区学院")
			var l cachedLearner
			ce.depositFor(iss.staff, &l, 201, "插花", "")
			before := jsonOf(t, ce.readTwice(l.token))
			tc.change(ce, iss, &l)
			res := ce.record(l.token)
			ce.sameAsFresh("read after the change", l.token, res)
			after := jsonOf(t, res)
			v0 := before["account"].(map[string]any)["version"].(float64)
			if v1 := after["account"].(map[string]any)["version"].(float64); v1 <= v0 {
				t.Errorf("version %v after the change, was %v", v1, v0)
			}
			tc.check(t, after)
			ce.readTwice(l.token)
		})
	}
}

// TestOwnRecordCacheReRendersWhenTimeChangesIt moves the server's clock to
// just before and exactly onto the instant a record's rendering changes,
// and back, comparing with a fresh rendering each time.
func TestOwnRecordCacheReRendersWhenTimeChangesIt(t *testing.T) {
	tests := []struct {
		name string
		// setup returns the instant the rendering changes.
		setup func(ce *cachedEnv, iss issuer, l *cachedLearner) time.Time
		check func(t *testing.T, before, after map[string]any)
	}{
		{name: "a grant expires", setup: func(ce *cachedEnv, iss issuer, l *cachedLearner) time.Time {
			ce.depositFor(iss.staff, l, 301, "插花", "")
			g := ce.must(201, req{method: "POST", path: "/api/v1/learners/me/grants", token: l.token, body: map[string]any{"institutionId": iss.id, "days": 1}})
			at, err := time.Parse(time.RFC3339Nano, g["expiresAt"].(string))
			if err != nil {
				ce.t.Fatal(err)
			}
			return at
		}, check: func(t *testing.T, before, after map[string]any) {
			live := func(rec map[string]any) any { return rec["grants"].([]any)[0].(map[string]any)["live"] }
			if live(before) != true || live(after) != false {
				t.Errorf("grant live %v → %v, want true → false", live(before), live(after))
			}
		}},
		{name: "a certificate expires at the district's midnight", setup: func(ce *cachedEnv, iss issuer, l *cachedLearner) time.Time {
			ce.depositFor(iss.staff, l, 302, "插花", "")
			tomorrow := ce.clock.Now().In(domain.DistrictZone).AddDate(0, 0, 1).Format("2006-01-02")
			ce.depositFor(iss.staff, l, 302, "电工", tomorrow)
			return districtMidnight(ce.t, tomorrow)
		}, check: func(t *testing.T, before, after map[string]any) {
			expired := func(rec map[string]any) any { return rec["outcomes"].([]any)[1].(map[string]any)["expired"] }
			banked := func(rec map[string]any) float64 { return rec["balance"].(map[string]any)["banked"].(float64) }
			if expired(before) != false || expired(after) != true {
				t.Errorf("expired %v → %v, want false → true", expired(before), expired(after))
			}
			if banked(after) >= banked(before) {
				t.Errorf("banked %v → %v, want it to fall", banked(before), banked(after))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce := newCachedEnv(t, 0)
			iss := ce.issuer(ce.adminToken(), "社区学院")
			var l cachedLearner
			change := tc.setup(ce, iss, &l)
			before := ce.readTwice(l.token)

			ce.setClock(change.Add(-time.Nanosecond))
			last := ce.readTwice(l.token)
			if !bytes.Equal(last.body, before.body) {
				t.Fatalf("the rendering changed before %s", change)
			}

			ce.setClock(change)
			after := ce.record(l.token)
			ce.sameAsFresh("at the change", l.token, after)
			if bytes.Equal(after.body, before.body) {
				t.Fatalf("the cached rendering was served at %s, when the record changes", change)
			}
			tc.check(t, jsonOf(t, before), jsonOf(t, after))
			ce.readTwice(l.token)

			// A clock set back (a test hook, or a stepped wall clock) gets
			// the rendering of its own instant, not the later one.
			ce.setClock(change.Add(-time.Nanosecond))
			back := ce.record(l.token)
			ce.sameAsFresh("with the clock set back", l.token, back)
			if !bytes.Equal(back.body, before.body) {
				t.Errorf("with the clock set back the record differs from before the change")
			}
		})
	}
}

// TestOwnRecordCacheStaysWithinItsBound reads more records than fit and a
// record too long to keep; every answer must still be the fresh one.
func TestOwnRecordCacheStaysWithinItsBound(t *testing.T) {
	const bound = 24 << 10
	ce := newCachedEnv(t, bound)
	iss := ce.issuer(ce.adminToken(), "社区学院")
	learners := make([]cachedLearner, 40)
	for i := range learners {
		ce.depositFor(iss.staff, &learners[i], 400+i, "插花", "")
	}
	long := &learners[0]
	for i := range 8 {
		ce.depositFor(iss.staff, long, 0, "课程"+itoa(i), "")
	}
	for round := range 2 {
		for i := range learners {
			res := ce.record(learners[i].token)
			if n, _ := ce.probe.Usage(); n > bound {
				t.Fatalf("round %d, learner %d: cache holds %d bytes, bound %d", round, i, n, bound)
			}
			if round == 1 {
				ce.sameAsFresh("learner "+itoa(i), learners[i].token, res)
			}
		}
	}
	n, entries := ce.probe.Usage()
	if entries == 0 || entries >= len(learners) {
		t.Errorf("%d entries (%d bytes) for %d learners: the bound should keep some, not all", entries, n, len(learners))
	}
	misses := ce.probe.Misses()
	ce.record(long.token)
	ce.record(long.token)
	if ce.probe.Misses() != misses+2 {
		t.Errorf("a record over an eighth of the bound was served from the cache")
	}
}
