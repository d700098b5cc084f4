package api

import "testing"

// The password budget's routes are recognised however routing would
// accept their paths; nothing else is.
func TestHashesPasswordMatchesRoutingOfPasswordRoutes(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         bool
	}{
		{"POST", "/api/v1/auth/login", true},
		{"POST", "/API/V1/Auth/Login/", true},
		{"POST", "/api/v1/learners", true},
		{"POST", "/api/v1/me/password", true},
		{"POST", "/api/v1/institutions/0b6f9a4e-8f0e-4c1e-9d7a-2f4c1a0b9e11/staff", true},
		{"POST", "/api/v1/institutions/x/staff/y/status", false},
		{"POST", "/api/v1/institutions/staff", false},
		{"GET", "/api/v1/auth/login", false},
		{"POST", "/api/v1/auth/refresh", false},
		{"POST", "/api/v1/learners/lookup", false},
	} {
		if got := hashesPassword(tc.method, tc.path); got != tc.want {
			t.Errorf("hashesPassword(%s %s) = %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}
