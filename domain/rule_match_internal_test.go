package domain

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestAcceptsAgreesWithMismatch: Accepts is the fast form of mismatch, so
// the two must never disagree on any constraint.
func TestAcceptsAgreesWithMismatch(t *testing.T) {
	now := time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)
	issuer, other := uuid.New(), uuid.New()
	score, pass := 75.0, true
	outcomes := []Outcome{
		{Category: CategoryCommunity, IssuerID: issuer, CourseCode: "SF-101", Title: "硬笔书法入门", Level: 2, Credits: 2, Hours: 32,
			Result: Result{Score: &score}, CompletedOn: time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)},
		{Category: CategorySenior, IssuerID: other, CourseCode: "sf-101 ", Title: "Excel Basics", Credits: 0.5, Hours: 8,
			Result: Result{Grade: "B"}, CompletedOn: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Category: CategoryCertificate, IssuerID: issuer, Title: "育婴员", Level: 3, Credits: 5, Hours: 80,
			Result: Result{Passed: &pass}, CompletedOn: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)},
	}
	matches := []Match{
		{Category: CategoryCommunity}, {Category: CategorySenior}, {IssuerIDs: []uuid.UUID{issuer}},
		{CourseCode: " SF-101"}, {CourseCode: "X"}, {TitleContains: "书法"}, {TitleContains: "excel"},
		{MinLevel: 2}, {MinLevel: 3}, {MinScore: 70}, {MinScore: 80}, {MinCredits: 1}, {MinHours: 16},
		{MaxAgeYears: 5}, {Category: CategoryCommunity, TitleContains: "书法", MinHours: 32, MaxAgeYears: 2},
	}
	for _, m := range matches {
		for _, o := range outcomes {
			if got, want := m.Accepts(o, now), m.mismatch(o, now) == ""; got != want {
				t.Errorf("match %+v on %q: Accepts %v, mismatch says %v", m, o.Title, got, want)
			}
		}
	}
}
