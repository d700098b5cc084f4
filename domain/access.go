package domain

import (
	"time"

	"github.com/google/uuid"
)

// AccessorKind is the closed set of parties whose reads of a learner's
// record are shown to the learner: the learner's own reads are not.
type AccessorKind string

const (
	AccessorInstitution AccessorKind = "institution" // staff or API client through a grant
	AccessorCentre      AccessorKind = "centre"      // an admin at the credit bank centre
	AccessorHelper      AccessorKind = "helper"      // a learner named as helper
)

// AccessAction is the closed set of things an accessor did with the record.
type AccessAction string

const (
	AccessReadRecord        AccessAction = "record.read"
	AccessLookup            AccessAction = "learner.lookup"
	AccessPreviewConversion AccessAction = "conversion.preview"
	AccessApplyConversion   AccessAction = "conversion.apply"
)

// AccessEntry is one read of (or act on) the record by someone other than
// the learner. Name is the accessor's display name as it was at the time:
// institutions are renamed and helpers' grants end, and the log must still
// say who it was.
type AccessEntry struct {
	ID            uuid.UUID
	At            time.Time
	Kind          AccessorKind
	ActorID       uuid.UUID // user, client or helper account
	InstitutionID uuid.UUID // for institution reads
	Name          string
	Action        AccessAction
	Detail        string // e.g. the conversion applied for
}

// MaxAccessLog bounds the access log kept on the account: the account is
// loaded whole for every change, so the log must not grow with a lifetime
// of reads. The audit log keeps every entry; the account keeps the newest.
const MaxAccessLog = 200

// AccessCoalesceWindow folds repeated reads: an institution paging through
// a record, or a helper's screen reloading, is one access, not a write per
// request.
const AccessCoalesceWindow = 10 * time.Minute

// RecordAccess appends an entry to the account's access log, dropping the
// oldest beyond MaxAccessLog. It reports false, changing nothing, when the
// read is folded into a recent one (see AccessedRecently).
func (a *Account) RecordAccess(e AccessEntry, now time.Time) bool {
	if a.AccessedRecently(e, now) {
		return false
	}
	e.ID, e.At = NewID(), Now(now)
	a.AccessLog = append(a.AccessLog, e)
	if over := len(a.AccessLog) - MaxAccessLog; over > 0 {
		a.AccessLog = append([]AccessEntry(nil), a.AccessLog[over:]...)
	}
	return true
}

// AccessedRecently reports whether the same accessor did the same read
// within AccessCoalesceWindow, so that the caller can skip the write
// altogether. Acts (a conversion applied) are never folded.
func (a *Account) AccessedRecently(e AccessEntry, now time.Time) bool {
	if e.Action == AccessApplyConversion {
		return false
	}
	t := Now(now)
	for i := len(a.AccessLog) - 1; i >= 0; i-- {
		prev := a.AccessLog[i]
		if t.Sub(prev.At) >= AccessCoalesceWindow {
			return false
		}
		if prev.ActorID == e.ActorID && prev.Kind == e.Kind && prev.Action == e.Action && prev.Detail == e.Detail {
			return true
		}
	}
	return false
}
