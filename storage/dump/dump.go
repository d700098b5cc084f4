// Package dump moves a whole credit bank between stores of any kind as JSON
// lines: `creditbank export` writes every record, `creditbank import` loads
// such a file into an empty store. SQLite → MongoDB migration is export then
// import.
//
// Format: the first line is {"kind":"format","doc":{"name":"creditbank-export","version":1}};
// each further line is {"kind":K,"doc":D} where D is the storage/record
// document of kind K, in this order of kinds: creditPolicy, framework,
// signingKey, institution, user, client, rule, unit, course, account, audit,
// statusIndex, verificationCode — each kind sorted by ID (units by code,
// audit by sequence number, status list positions by list and index). The
// same store content therefore always
// exports to the same bytes, whatever the store engine.
//
// Not exported, on purpose: refresh tokens (sessions; users sign in again),
// idempotency records (short-lived replay protection) and bulk-import job
// progress (history of finished uploads, not of the record).
package dump

import (
	"fmt"

	"creditbank/storage"
)

// Store is what Export reads and Import writes: the parts of the port that
// hold the district's records. The server's own bookkeeping (sessions,
// idempotency records, epochs, import jobs) is left out, as the format says.
type Store interface {
	storage.Settings
	storage.Frameworks
	storage.Units
	storage.Keys
	storage.Institutions
	storage.Users
	storage.Clients
	storage.Rules
	storage.Courses
	storage.Accounts
	storage.Audit
	storage.StatusIndexes
	storage.VerificationCodes
}

// Format identifies the file; Version changes when a reader of the previous
// version could no longer load the file correctly.
const (
	FormatName    = "creditbank-export"
	FormatVersion = 1
)

// Record kinds, in export order.
const (
	KindFormat       = "format"
	KindCreditPolicy = "creditPolicy"
	KindFramework    = "framework"
	KindSigningKey   = "signingKey"
	KindInstitution  = "institution"
	KindUser         = "user"
	KindClient       = "client"
	KindRule         = "rule"
	KindUnit         = "unit"
	KindCourse       = "course"
	KindAccount      = "account"
	KindAudit        = "audit"
	// KindStatusIndex is an outcome's revocation bit position: credentials
	// already handed out point at it, so it must survive a move.
	KindStatusIndex = "statusIndex"
	// KindVerificationCode is a printed transcript's short code: paper
	// handed out must keep verifying after a move.
	KindVerificationCode = "verificationCode"
)

// kindOrder ranks kinds so that Import can insist on export order, which
// keeps a file's meaning independent of how it was produced.
var kindOrder = map[string]int{
	KindFormat: 0, KindCreditPolicy: 1, KindFramework: 2, KindSigningKey: 3, KindInstitution: 4,
	KindUser: 5, KindClient: 6, KindRule: 7, KindUnit: 8, KindCourse: 9, KindAccount: 10, KindAudit: 11,
	KindStatusIndex: 12, KindVerificationCode: 13,
}

// FormatDoc is the first line's document.
type FormatDoc struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

// Counts says how many records of each kind an import loaded.
type Counts struct {
	CreditPolicy int `json:"creditPolicy"`
	Framework    int `json:"framework,omitempty"`
	Units        int `json:"units,omitempty"`
	SigningKeys  int `json:"signingKeys"`
	Institutions int `json:"institutions"`
	Users        int `json:"users"`
	Clients      int `json:"clients"`
	Rules        int `json:"rules"`
	Courses      int `json:"courses"`
	Accounts     int `json:"accounts"`
	Audit        int `json:"audit"`
	StatusIndex  int `json:"statusIndexes"`
	Codes        int `json:"verificationCodes"`
}

// Total is the number of records.
func (c Counts) Total() int {
	return c.CreditPolicy + c.Framework + c.Units + c.SigningKeys + c.Institutions + c.Users + c.Clients + c.Rules + c.Courses + c.Accounts + c.Audit + c.StatusIndex + c.Codes
}

func (c *Counts) add(kind string) {
	switch kind {
	case KindCreditPolicy:
		c.CreditPolicy++
	case KindFramework:
		c.Framework++
	case KindUnit:
		c.Units++
	case KindSigningKey:
		c.SigningKeys++
	case KindInstitution:
		c.Institutions++
	case KindUser:
		c.Users++
	case KindClient:
		c.Clients++
	case KindRule:
		c.Rules++
	case KindCourse:
		c.Courses++
	case KindAccount:
		c.Accounts++
	case KindAudit:
		c.Audit++
	case KindStatusIndex:
		c.StatusIndex++
	case KindVerificationCode:
		c.Codes++
	}
}

// String is a one-line summary for command output.
func (c Counts) String() string {
	s := fmt.Sprintf("%d records: %d credit policy, %d signing keys, %d institutions, %d users, %d clients, %d rules, %d courses, %d accounts, %d audit entries, %d status list positions, %d verification codes",
		c.Total(), c.CreditPolicy, c.SigningKeys, c.Institutions, c.Users, c.Clients, c.Rules, c.Courses, c.Accounts, c.Audit, c.StatusIndex, c.Codes)
	if c.Framework+c.Units > 0 {
		s += fmt.Sprintf(", %d framework, %d units", c.Framework, c.Units)
	}
	return s
}

// envelope is one line.
type envelope struct {
	Kind string `json:"kind"`
	Doc  any    `json:"doc"`
}
