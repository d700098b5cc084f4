package domain

import (
	"time"

	"github.com/google/uuid"
)

// ImportState is the closed set of bulk-import job states.
type ImportState string

const (
	ImportQueued  ImportState = "queued"
	ImportRunning ImportState = "running"
	ImportDone    ImportState = "done"
	ImportFailed  ImportState = "failed"
)

// ImportRowError says why one CSV row was not banked.
type ImportRowError struct {
	Line   int
	Column string // the header as the file wrote it
	Reason string
	// Code is the kind of problem (ImportRequired …), which the client
	// words in its reader's language; Field is the column's field
	// (nationalId, hours …), so that the wording can be the field's own.
	Code  ImportProblem
	Field string
	// Record is the row's cells as the file wrote them, so that the failed
	// rows can be handed back as a CSV to correct and send again.
	Record []string
}

// ImportProblem is the closed set of reasons an import row is reported.
type ImportProblem string

const (
	ImportRequired   ImportProblem = "required"   // an empty required cell
	ImportNumber     ImportProblem = "number"     // not a number
	ImportWhole      ImportProblem = "whole"      // not a whole number
	ImportDate       ImportProblem = "date"       // not a date
	ImportYesNo      ImportProblem = "yesno"      // not yes or no
	ImportInvalid    ImportProblem = "invalid"    // refused by validation (Reason says how)
	ImportDuplicate  ImportProblem = "duplicate"  // already in the bank: not a failure
	ImportExample    ImportProblem = "example"    // the template's example row, skipped
	ImportUnreadable ImportProblem = "unreadable" // a line CSV cannot parse
	ImportForbidden  ImportProblem = "forbidden"  // the institution may not issue it
	ImportInternal   ImportProblem = "internal"   // ours; re-send to retry
)

// ImportJob tracks a bulk CSV deposit.
type ImportJob struct {
	ID            uuid.UUID
	InstitutionID uuid.UUID
	CreatedBy     string
	State         ImportState
	Total         int
	Done          int
	OK            int
	Failed        int
	Created       int // accounts created for unknown learners
	Duplicates    int
	Skipped       int // example rows of the template, not imported
	Errors        []ImportRowError
	// FileName is the uploaded file's name and Header its header line as
	// written, for the import history and the failed-rows CSV.
	FileName  string
	Header    []string
	CreatedAt time.Time
	UpdatedAt time.Time
	// Owner is the epoch of the process running the job; a running job
	// whose process is gone was interrupted.
	Owner string
}
