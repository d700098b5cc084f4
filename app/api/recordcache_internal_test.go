package api

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// validityBase is mid-afternoon UTC, a few hours before the district's
// midnight (16:00 UTC), so that probes cross district dates that are not
// UTC dates.
var validityBase = time.Date(2026, 3, 10, 11, 30, 0, 0, time.UTC)

// validityAccount builds an account at validityBase; build adds what the
// case is about.
func validityAccount(t *testing.T, build func(t *testing.T, a *domain.Account)) *domain.Account {
	t.Helper()
	a, err := domain.NewAccount("学员", domain.PersonalData{NationalIDMasked: "110105********0012"}, time.Date(1970, 5, 1, 0, 0, 0, 0, time.UTC), validityBase.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	build(t, a)
	return a
}

var validityIssuer = uuid.MustParse("5b0e6f1c-3f1d-4c55-9a55-8f0d2b7d9a01")

func depositFor(t *testing.T, a *domain.Account, title string, cat domain.Category, expires *time.Time) domain.Outcome {
	t.Helper()
	score := 90.0
	in := domain.OutcomeInput{Category: string(cat), Title: title, CourseCode: "C-" + title, Hours: 32,
		Result: domain.Result{Score: &score}, CompletedOn: validityBase.AddDate(0, -2, 0), ExpiresOn: expires}
	o, err := domain.NewOutcome(in, validityIssuer, a.ID, domain.DefaultCreditPolicy(), validityBase.AddDate(0, -1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Deposit(o, validityBase.AddDate(0, -1, 0)); err != nil {
		t.Fatal(err)
	}
	return o
}

func grantFor(t *testing.T, a *domain.Account, days int, at time.Time) domain.Grant {
	t.Helper()
	g, err := a.GrantAccess(domain.NewID(), days, at)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func dateAfter(days int) *time.Time {
	d := domain.DateOf(validityBase).AddDate(0, 0, days)
	return &d
}

func renderAt(t *testing.T, a *domain.Account, at time.Time) []byte {
	t.Helper()
	raw, err := json.Marshal(recordFrom(a, at, true))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// validityProbes are instants spread over the week around validityBase,
// plus every instant at which some rendering could change and the
// nanoseconds either side of it.
func validityProbes(a *domain.Account) []time.Time {
	rng := rand.New(rand.NewPCG(1, 2))
	var out []time.Time
	for range 60 {
		out = append(out, validityBase.Add(time.Duration(rng.Int64N(int64(7*24*time.Hour)))-24*time.Hour))
	}
	var edges []time.Time
	for d := -1; d <= 6; d++ {
		day := domain.DateOf(validityBase).AddDate(0, 0, d)
		edges = append(edges, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, domain.DistrictZone), day)
	}
	for _, g := range a.Grants {
		edges = append(edges, g.ExpiresAt)
	}
	for _, e := range edges {
		out = append(out, e.Add(-time.Nanosecond), e, e.Add(time.Nanosecond))
	}
	return out
}

// TestOwnRecordValidityHoldsTheRenderingExactly renders each account at
// many instants and checks that a rendering is the same anywhere inside the
// interval ownRecordValidity gives for it. The time-dependent cases must
// also show that the interval ends where the rendering really changes, so
// the check cannot pass by never looking at a change.
func TestOwnRecordValidityHoldsTheRenderingExactly(t *testing.T) {
	rule := domain.Rule{
		ID: domain.NewID(), Code: "CB-CERT", Version: 1, Status: domain.RulePublished, Name: "证书转换",
		InstitutionID: domain.NewID(), Purpose: domain.PurposeCredit,
		Condition: domain.Group{Op: domain.OpAll, Items: []domain.Item{{Match: &domain.Match{Category: domain.CategoryCertificate}}}},
		Award:     domain.Award{Mode: domain.AwardFixed, Credits: 1}, Exclusive: true, Approval: domain.ApprovalManual,
		EffectiveFrom: validityBase.AddDate(-5, 0, 0),
	}
	tests := []struct {
		name      string
		build     func(t *testing.T, a *domain.Account)
		timeless  bool // no instant changes the rendering
		mustBreak bool // some interval end is a real change
	}{
		{name: "outcomes without expiry, one revoked", timeless: true, build: func(t *testing.T, a *domain.Account) {
			depositFor(t, a, "插花", domain.CategoryCommunity, nil)
			o := depositFor(t, a, "书法", domain.CategoryCommunity, nil)
			if _, err := a.Revoke(o.ID, validityIssuer, "录入错误", validityBase.AddDate(0, 0, -3)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "certificate expiring in two days", mustBreak: true, build: func(t *testing.T, a *domain.Account) {
			depositFor(t, a, "插花", domain.CategoryCommunity, nil)
			depositFor(t, a, "电工证", domain.CategoryCertificate, dateAfter(2))
		}},
		{name: "conversion earmarking a certificate that expires", mustBreak: true, build: func(t *testing.T, a *domain.Account) {
			depositFor(t, a, "电工证", domain.CategoryCertificate, dateAfter(1))
			depositFor(t, a, "焊工证", domain.CategoryCertificate, dateAfter(4))
			if _, err := a.Apply(rule, validityBase.AddDate(0, 0, -1)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "revoked certificate with an expiry", build: func(t *testing.T, a *domain.Account) {
			o := depositFor(t, a, "电工证", domain.CategoryCertificate, dateAfter(1))
			if _, err := a.Revoke(o.ID, validityIssuer, "撤销", validityBase.AddDate(0, 0, -1)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "grants expiring at odd instants, one withdrawn", mustBreak: true, build: func(t *testing.T, a *domain.Account) {
			depositFor(t, a, "插花", domain.CategoryCommunity, nil)
			grantFor(t, a, 1, validityBase.Add(-3*time.Hour-17*time.Minute-123456789))
			grantFor(t, a, 3, validityBase.Add(5*time.Hour+41*time.Second))
			g := grantFor(t, a, 2, validityBase.Add(-40*time.Minute))
			if err := a.WithdrawGrant(g.ID, validityBase.Add(-10*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "grants and an expiring certificate", mustBreak: true, build: func(t *testing.T, a *domain.Account) {
			depositFor(t, a, "电工证", domain.CategoryCertificate, dateAfter(3))
			grantFor(t, a, 2, validityBase.Add(7*time.Hour))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := validityAccount(t, tc.build)
			broke := false
			for _, at := range validityProbes(a) {
				from, until := ownRecordValidity(a, at)
				if at.Before(from) || !at.Before(until) {
					t.Fatalf("at %s: interval [%s, %s) does not hold the instant", at, from, until)
				}
				if tc.timeless && (!from.IsZero() || !until.Equal(endOfTime)) {
					t.Errorf("at %s: interval [%s, %s), want unbounded", at, from, until)
				}
				want := renderAt(t, a, at)
				inside := []time.Time{until.Add(-time.Nanosecond)}
				if !from.IsZero() {
					inside = append(inside, from)
				}
				for _, p := range inside {
					if p.Before(endOfTime.Add(-time.Hour)) && !bytes.Equal(renderAt(t, a, p), want) {
						t.Errorf("rendering at %s differs from the one at %s, inside [%s, %s)", p, at, from, until)
					}
				}
				if until.Before(endOfTime) && !bytes.Equal(renderAt(t, a, until), want) {
					broke = true
				}
			}
			if tc.mustBreak && !broke {
				t.Error("no interval ended at a change: the probes do not exercise time")
			}
		})
	}
}

func TestRecordCacheGetMatchesVersionAndInterval(t *testing.T) {
	id := uuid.New()
	from := validityBase
	until := validityBase.Add(time.Hour)
	body := []byte(`{"a":1}`)
	tests := []struct {
		name    string
		version int64
		at      time.Time
		hit     bool
	}{
		{"same version inside", 3, from.Add(time.Minute), true},
		{"at the start", 3, from, true},
		{"just before the end", 3, until.Add(-time.Nanosecond), true},
		{"at the end", 3, until, false},
		{"before the start", 3, from.Add(-time.Nanosecond), false},
		{"newer version", 4, from.Add(time.Minute), false},
		{"older version", 2, from.Add(time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newRecordCache(1 << 20)
			c.put(id, &renderedRecord{version: 3, from: from, until: until, body: body})
			got := c.get(id, tc.version, tc.at)
			if (got != nil) != tc.hit {
				t.Fatalf("hit = %v, want %v", got != nil, tc.hit)
			}
			if tc.hit && !bytes.Equal(got, body) {
				t.Errorf("body %q, want %q", got, body)
			}
			if c.get(uuid.New(), 3, from) != nil {
				t.Error("another account hit")
			}
		})
	}
}

func TestRecordCacheKeepsNewerVersionsAndItsBound(t *testing.T) {
	const max = 64 << 10
	c := newRecordCache(max)
	rng := rand.New(rand.NewPCG(3, 4))
	ids := make([]uuid.UUID, 200)
	for i := range ids {
		ids[i] = uuid.New()
	}
	versions := map[uuid.UUID]int64{}
	for i := range 5000 {
		id := ids[rng.IntN(len(ids))]
		v := versions[id] + 1
		versions[id] = v
		body := make([]byte, 1+rng.IntN(max/8-renderedRecordOverhead))
		c.put(id, &renderedRecord{version: v, until: endOfTime, body: body})
		n, entries := c.usage()
		if n > max {
			t.Fatalf("put %d: %d bytes held, bound %d", i, n, max)
		}
		var sum int64
		c.mu.RLock()
		for _, r := range c.m {
			sum += r.size()
		}
		c.mu.RUnlock()
		if sum != n || entries == 0 {
			t.Fatalf("put %d: counted %d bytes in %d entries, entries sum to %d", i, n, entries, sum)
		}
	}

	id := uuid.New()
	c.put(id, &renderedRecord{version: 7, until: endOfTime, body: []byte("new")})
	c.put(id, &renderedRecord{version: 6, until: endOfTime, body: []byte("old")})
	if got := c.get(id, 7, validityBase); string(got) != "new" {
		t.Errorf("after a late older put: %q, want the newer rendering", got)
	}
	big := uuid.New()
	c.put(big, &renderedRecord{version: 1, until: endOfTime, body: make([]byte, max/8)})
	if c.get(big, 1, validityBase) != nil {
		t.Error("a body over an eighth of the bound was kept")
	}
	if newRecordCache(-1) != nil || newRecordCache(0) != nil {
		t.Error("a cache without a positive bound should be off")
	}
	var off *recordCache
	off.put(id, &renderedRecord{version: 1, until: endOfTime, body: []byte("x")})
	if off.get(id, 1, validityBase) != nil {
		t.Error("an off cache answered")
	}
}
