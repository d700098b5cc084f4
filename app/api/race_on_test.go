//go:build race

package api_test

// raceEnabled: the race detector slows CPU-bound loops several times over;
// the longest loops run in full in the suite's passes without it.
const raceEnabled = true
