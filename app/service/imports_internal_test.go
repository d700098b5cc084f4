package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage/sqlite"
)

func TestRowOutcomeIDsFollowRowOrderAndDifferBetweenJobs(t *testing.T) {
	jobA, jobB := domain.NewID(), domain.NewID()
	seen := map[uuid.UUID]bool{}
	var prev uuid.UUID
	for _, row := range []int{0, 1, 2, 15, 16, 17, 255, 256, 4095, 4096, 4097, 65535, 65536, MaxImportRows - 1, 1<<30 - 1} {
		for _, job := range []uuid.UUID{jobA, jobB} {
			id := rowOutcomeID(job, row)
			if id.Version() != 7 || id.Variant() != uuid.RFC4122 {
				t.Fatalf("row %d: %s is version %d, variant %v", row, id, id.Version(), id.Variant())
			}
			if !bytes.Equal(id[:6], job[:6]) {
				t.Errorf("row %d: %s lost the job's time prefix %s", row, id, job)
			}
			if seen[id] {
				t.Fatalf("row %d: %s given twice", row, id)
			}
			seen[id] = true
			if id == legacyRowOutcomeID(job, row) {
				t.Errorf("row %d: same ID under both derivations", row)
			}
			if id != rowOutcomeID(job, row) {
				t.Errorf("row %d: derivation is not deterministic", row)
			}
		}
		id := rowOutcomeID(jobA, row)
		if row > 0 && !(bytes.Compare(prev[:], id[:]) < 0 && prev.String() < id.String()) {
			t.Errorf("row %d: %s does not sort after the previous row's %s", row, id, prev)
		}
		prev = id
	}
}

// A job interrupted by a process that derived row IDs the earlier way is
// still settled exactly by this one.
func TestSettlingFindsRowsBankedUnderEitherDerivation(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "bank.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc := New(store, nil, nil, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	now := time.Now()
	job := &domain.ImportJob{ID: domain.NewID(), InstitutionID: domain.NewID(), State: domain.ImportRunning, Total: 10, Done: 4,
		CreatedAt: domain.Now(now.Add(-time.Hour)), Owner: "gone"}
	banked := map[int]uuid.UUID{5: legacyRowOutcomeID(job.ID, 5), 7: rowOutcomeID(job.ID, 7), 9: legacyRowOutcomeID(job.ID, 9)}
	acc, err := domain.NewAccount("张三", domain.PersonalData{}, time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), now)
	if err != nil {
		t.Fatal(err)
	}
	for row, id := range banked {
		o, err := domain.NewOutcome(domain.OutcomeInput{Category: string(domain.CategoryCommunity), Title: fmt.Sprintf("导入课程 %d", row), Hours: 8, Result: domain.Result{Grade: "B"},
			CompletedOn: domain.DateOf(now.AddDate(0, -1, 0))}, job.InstitutionID, acc.ID, domain.DefaultCreditPolicy(), now)
		if err != nil {
			t.Fatalf("row %d: %v", row, err)
		}
		o.ID = id
		if err := acc.Deposit(o, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.CreateAccount(ctx, nil, acc); err != nil {
		t.Fatal(err)
	}
	settled, err := svc.settleInterrupted(ctx, job)
	if err != nil {
		t.Fatal(err)
	}
	if settled.OK != len(banked) || settled.State != domain.ImportFailed {
		t.Fatalf("settled %v with %d rows ok, want failed with %d", settled.State, settled.OK, len(banked))
	}
	note := settled.Errors[len(settled.Errors)-1].Reason
	if !strings.Contains(note, "data rows 6, 8, 10 were banked") {
		t.Errorf("note does not name the banked rows 6, 8 and 10: %s", note)
	}
}

// Rows are handed to workers a learner at a time: every learner's rows
// together and in file order (one worker banks them one after the other),
// learners in order of their first row, the same national ID written in
// either case one learner, and only the window's rows.
func TestRowsByLearnerKeepsEachLearnersRowsInFileOrder(t *testing.T) {
	id := func(first17 string) string {
		t.Helper()
		n, err := domain.CompleteNationalID(first17)
		if err != nil {
			t.Fatal(err)
		}
		return string(n)
	}
	a, b := "11010519491231002X", id("11010519800101001")
	lowerA := strings.ToLower(a)
	rows := []csvRow{}
	for _, nid := range []string{"before the window", a, b, lowerA, "not an ID", b, a, "not an ID", "after the window"} {
		rows = append(rows, csvRow{input: IssueInput{NationalID: nid}})
	}
	got := rowsByLearner(rows, 1, 8)
	want := [][]int{{1, 3, 6}, {2, 5}, {4, 7}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("learners %v, want %v", got, want)
	}
}
