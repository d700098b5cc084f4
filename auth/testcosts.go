package auth

import "testing"

// UseCheapPasswordHashing makes every password hash this test binary creates
// (and the dummy verification of unknown users) cost the least a stored
// hash may: 8 MiB and one pass instead of 19 MiB and two. Under the race
// detector one default hash takes about half a second, and the API and
// browser suites create and sign in users thousands of times; what they test
// does not depend on the cost, which this package's own tests pin. It takes
// the *testing.M of a TestMain, so that nothing but a test binary can lower
// the costs, and before any test runs, so that no test sees them change.
func UseCheapPasswordHashing(*testing.M) {
	loweredParams.Store(&argonParams{memoryKiB: minMemoryKiB, time: 1, threads: 1, saltLen: 16, keyLen: 32})
}
