package api_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// Store round trips per request on the hot paths. Each store method call is
// one round trip to MongoDB (SQLite: one statement or one grouped write), so
// these figures are what a request costs the store; PERFORMANCE.md quotes
// them. Audit entries of an account change travel with its save. The test fails if a path makes more calls than recorded here: a new
// call on a hot path must be a decision, not an accident.
func TestStoreCallsPerRequest(t *testing.T) {
	e, f := newFaultyEnv(t)
	d := newDistrictOn(t, e)
	for i := 0; i < 3; i++ {
		d.deposit(fmt.Sprintf("插花 %d", i), 32)
	}
	rule := d.published(d.exemptionRule("manual"))
	other := nid(t, 300)
	// A keyed request reserves its key: on a store that carries
	// reservations, with a read (is the key new?) and inside the request's
	// own write; otherwise with a write of its own before it runs.
	keyed := func(calls map[string]int) map[string]int {
		if e.store.CarriesReservations() {
			calls["GetIdempotency"] = 1
		} else {
			calls["ReserveIdempotency"] = 1
		}
		return calls
	}

	tests := []struct {
		name string
		req  req
		want int
		max  map[string]int
	}{
		// Signing in reads the account; the record reuses it.
		{"read own record", req{method: "GET", path: "/api/v1/learners/me/record", token: d.learner}, 200,
			map[string]int{"GetAccount": 1}},
		{"issue outcome, existing learner, with Idempotency-Key",
			req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, headers: map[string]string{"Idempotency-Key": "calls-1"}, body: outcomeBody(d.nationalID, "林静", "书法", 16)}, 201,
			keyed(map[string]int{"GetUser": 1, "GetInstitution": 1, "GetCreditPolicy": 1, "GetAccountByNationalIDHash": 1,
				"UpdateAccount": 1, "CompleteIdempotency": 1})},
		{"issue outcome, new learner",
			req{method: "POST", path: "/api/v1/outcomes", token: d.issuer.staff, body: outcomeBody(other, "路人", "摄影", 16)}, 201,
			// The new account is created holding the outcome and its audit entries: one write.
			map[string]int{"GetUser": 1, "GetInstitution": 1, "GetCreditPolicy": 1, "GetAccountByNationalIDHash": 1, "CreateAccount": 1}},
		{"apply for a conversion",
			req{method: "POST", path: "/api/v1/conversions", token: d.learner, headers: map[string]string{"Idempotency-Key": "calls-2"}, body: map[string]string{"ruleId": rule}}, 201,
			keyed(map[string]int{"GetAccount": 1, "GetRule": 1, "UpdateAccount": 1, "CompleteIdempotency": 1})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.ResetCalls()
			e.must(tc.want, tc.req)
			got := f.CallCounts()
			names := slices.Sorted(maps.Keys(got))
			var lines []string
			for _, n := range names {
				lines = append(lines, fmt.Sprintf("%s=%d", n, got[n]))
			}
			t.Logf("%s: %s", tc.name, strings.Join(lines, " "))
			for _, n := range names {
				if got[n] > tc.max[n] {
					t.Errorf("%s: %s called %d times, recorded budget %d", tc.name, n, got[n], tc.max[n])
				}
			}
			if tc.req.headers["Idempotency-Key"] != "" {
				// The stored response is written after the answer; a replay
				// waits for it, so the next case counts only its own calls.
				e.must(tc.want, tc.req)
			}
		})
	}
}
