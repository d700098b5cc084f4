package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/storetest"
)

// TestOutcomeSearchBackfilledAtOpen pins that index rows written before
// the search columns existed (left NULL by migration 10) are filled in from
// the account documents at the next open, so a search finds them.
func TestOutcomeSearchBackfilledAtOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creditbank.db")
	s := openAt(t, path)
	now := time.Now()
	issuer := domain.NewID()
	a := storetest.NewAccount(now)
	a.Name = "周慧敏"
	if err := s.CreateAccount(t.Context(), nil, a); err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"摄影", "插花"} {
		acc, err := s.GetAccount(t.Context(), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.Deposit(storetest.NewOutcome(issuer, title, 1, now), now); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateAccount(t.Context(), nil, acc); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// As a database migrated from before the columns: every row unfilled.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE account_outcomes SET course_code = NULL, status = NULL, completed_on = NULL, learner_name = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s = openAt(t, path)
	found, _, err := s.SearchIssuedOutcomes(t.Context(), issuer, storage.OutcomeQuery{LearnerName: "慧敏", Status: domain.OutcomeActive}, storage.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 || found[0].LearnerName != "周慧敏" {
		t.Fatalf("after reopening, the search finds %d outcomes (%v), want both of 周慧敏's", len(found), found)
	}
}
