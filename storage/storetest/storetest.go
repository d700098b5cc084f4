// Package storetest is the contract every storage adapter must pass. Run it
// from the adapter's tests with a function that opens a fresh, empty store:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) storage.Store { ... })
//	}
//
// Subtest names are stable ("Accounts/CASConflict", "NotFound/GetRule", …)
// so the same list can be compared across adapters.
//
// Behaviour the port leaves open and this suite pins down, so adapters agree:
//   - a malformed paging cursor is domain.ErrInvalid;
//   - UseRefreshToken on a revoked (not yet used) token is domain.ErrConflict;
//   - DeleteIdempotency of an absent key, a completed one or one held by
//     another owner is not an error and changes nothing;
//   - ListSigningKeys is ordered by CreatedAt, then KID;
//   - ListAudit's time range is [From, To);
//   - SaveCreditPolicy with Version 0 when a policy exists is domain.ErrStale,
//     with Version > 0 when none exists domain.ErrNotFound.
package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
)

// Opener returns a fresh, empty store for one subtest and arranges (with
// t.Cleanup) for it to be closed.
type Opener func(t *testing.T) storage.Store

type contractTest struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}

type group struct {
	name  string
	tests []contractTest
}

// Run runs the whole contract, one fresh store per subtest.
func Run(t *testing.T, open func(t *testing.T) storage.Store) {
	groups := []group{
		{"Accounts", accountTests()},
		{"Institutions", institutionTests()},
		{"Users", userTests()},
		{"Clients", clientTests()},
		{"RefreshTokens", refreshTokenTests()},
		{"Idempotency", idempotencyTests()},
		{"CarriedReservations", carriedReservationTests()},
		{"Epochs", epochTests()},
		{"SigningKeys", signingKeyTests()},
		{"Rules", ruleTests()},
		{"Audit", auditTests()},
		{"Imports", importTests()},
		{"Settings", settingsTests()},
		{"NotFound", notFoundTests()},
		{"Paging", pagingTests()},
		{"Helpers", helperTests()},
		{"RoundTrip", roundTripTests()},
		{"Health", healthTests()},
		{"Courses", courseTests()},
		{"StatusIndexes", statusIndexTests()},
		{"Framework", frameworkTests()},
		{"Units", unitTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.fn(t, open(t))
				})
			}
		})
	}
}

func now() time.Time { return domain.Now(time.Now()) }

func noErr(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func deepEqual(t *testing.T, got, want any, what string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s differs:\n got %+v\nwant %+v", what, got, want)
	}
}

func healthTests() []contractTest {
	return []contractTest{
		{"Ping", func(t *testing.T, s storage.Store) {
			noErr(t, s.Ping(t.Context()), "ping")
		}},
	}
}
