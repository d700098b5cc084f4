package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// AccountStatus is the closed set of account states.
type AccountStatus string

const (
	AccountActive    AccountStatus = "active"
	AccountSuspended AccountStatus = "suspended"
)

// PersonalData holds the learner's identifiers in protected form only: sealed
// (encrypted) values, a keyed lookup hash and masked display strings. The
// domain never sees the cipher keys.
type PersonalData struct {
	NationalIDSealed string
	NationalIDHash   string
	NationalIDMasked string
	PhoneSealed      string
	PhoneMasked      string
}

// Account is a learner's 学习账户 and the unit of consistency: every change is
// load → method → save-if-version-unchanged.
type Account struct {
	ID           uuid.UUID
	Version      int64
	Name         string
	PII          PersonalData
	BirthDate    time.Time
	PasswordHash string // empty until the learner claims the account
	// CredentialsChangedAt ends every session opened before it: a changed or
	// reset password signs the account out everywhere.
	CredentialsChangedAt *time.Time
	// SessionGen is the account's session generation: every token carries
	// the generation it was issued at, and a token of any other generation is
	// refused. Bumping it ends every session at once, which a timestamp
	// cannot do for sessions opened within the same clock tick.
	SessionGen  int64
	Status      AccountStatus
	CreatedAt   time.Time
	Outcomes    []Outcome
	Conversions []Conversion
	Ledger      []LedgerEntry
	Grants      []Grant
	Helpers     []HelperGrant
	// AccessLog is the newest reads of the record by others (MaxAccessLog).
	AccessLog []AccessEntry
	// AlertsSeenAt is the learner's last look at their alerts: decisions
	// after it are news.
	AlertsSeenAt *time.Time
}

// ValidateName checks a person's name as registered.
func ValidateName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" || utf8.RuneCountInString(n) > 50 {
		return "", Invalid("name", "required, at most 50 characters")
	}
	if p := plainTextProblem(n); p != "" {
		return "", Invalid("name", p)
	}
	return n, nil
}

// NewAccount opens an account for a verified identity.
func NewAccount(name string, pii PersonalData, birth time.Time, now time.Time) (*Account, error) {
	n, err := ValidateName(name)
	if err != nil {
		return nil, err
	}
	return &Account{
		ID:        NewID(),
		Name:      n,
		PII:       pii,
		BirthDate: DateOf(birth),
		Status:    AccountActive,
		CreatedAt: Now(now),
	}, nil
}

// Claimed reports whether the learner has set a password.
func (a *Account) Claimed() bool { return a.PasswordHash != "" }

// SetPassword stores a new password hash (a change, or claiming the
// account) and ends every session.
func (a *Account) SetPassword(hash string, now time.Time) {
	t := Now(now)
	a.PasswordHash, a.CredentialsChangedAt = hash, &t
	a.EndSessions()
}

// EndSessions ends every session of the account: tokens issued before now
// are refused from the next request on.
func (a *Account) EndSessions() { a.SessionGen++ }

// ResetCredentials returns the account to unclaimed, after the centre has
// checked the resident's identity in person: they then register again with
// a new password. Every session ends.
func (a *Account) ResetCredentials(now time.Time) error {
	if !a.Claimed() {
		return Invalid("account", "account is not claimed; nothing to reset")
	}
	t := Now(now)
	a.PasswordHash, a.CredentialsChangedAt = "", &t
	a.EndSessions()
	return nil
}

// SessionStartedBefore reports whether a session (a token issued at
// issuedAt) predates the last credential change and must end.
func SessionStartedBefore(changedAt *time.Time, issuedAt time.Time) bool {
	// Token times have second precision; compare at that precision so that
	// a token issued just after a change is not refused.
	return changedAt != nil && issuedAt.Before(changedAt.Truncate(time.Second))
}

// Outcome finds an outcome by id.
func (a *Account) Outcome(id uuid.UUID) (*Outcome, bool) {
	for i := range a.Outcomes {
		if a.Outcomes[i].ID == id {
			return &a.Outcomes[i], true
		}
	}
	return nil, false
}

// Deposit banks a validated outcome and records it in the ledger. The same
// achievement from the same issuer is refused as a duplicate.
func (a *Account) Deposit(o Outcome, now time.Time) error {
	if a.Status != AccountActive {
		return Invalid("learner", "account is suspended")
	}
	if err := o.CheckCompletedAfterBirth(a.BirthDate); err != nil {
		return err
	}
	for _, existing := range a.Outcomes {
		if existing.Status == OutcomeActive && existing.SameAs(o) {
			return ErrDuplicate
		}
	}
	o.AccountID = a.ID
	a.Outcomes = append(a.Outcomes, o)
	id := o.ID
	a.appendLedger(LedgerDeposit, o.Credits, &id, nil, now)
	return nil
}

// Revoke withdraws an outcome issued by mistake. Only its issuer may revoke it;
// to anyone else it does not exist. Conversions that used it go back to review.
func (a *Account) Revoke(outcomeID, issuerID uuid.UUID, reason string, now time.Time) (*Outcome, error) {
	o, ok := a.Outcome(outcomeID)
	if !ok || o.IssuerID != issuerID {
		return nil, ErrNotFound
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return nil, Invalid("reason", "required, at most 500 characters")
	}
	if o.Status == OutcomeRevoked {
		return nil, ErrConflict
	}
	t := Now(now)
	o.Status = OutcomeRevoked
	o.RevokedReason = reason
	o.RevokedAt = &t
	a.reviewConversionsUsing(outcomeID, now)
	id := o.ID
	a.appendLedger(LedgerRevoke, -o.Credits, &id, nil, now)
	return o, nil
}

// Balance summarises the account at now. Expired and revoked outcomes do not
// count; pending conversions hold (earmark) credits; approved exclusive ones
// have spent them.
type Balance struct {
	Banked     float64
	Available  float64
	Earmarked  float64
	Spent      float64
	ByCategory map[Category]float64
	ByYear     map[int]float64
}

// Balance computes the account's balance at now.
func (a *Account) Balance(now time.Time) Balance {
	b := Balance{ByCategory: map[Category]float64{}, ByYear: map[int]float64{}}
	for _, o := range a.Outcomes {
		if !o.Counts(now) {
			continue
		}
		b.Banked += o.Credits
		b.ByCategory[o.Category] += o.Credits
		b.ByYear[o.CompletedOn.Year()] += o.Credits
	}
	for _, c := range a.Conversions {
		// A certificate that expired after a conversion used it has left
		// Banked already; counting its credits as held too would take them
		// off the balance twice.
		gone := min(a.expiredCredits(c, now), c.Earmarked+c.Spent)
		fromEarmark := min(gone, c.Earmarked)
		b.Earmarked += c.Earmarked - fromEarmark
		b.Spent += c.Spent - (gone - fromEarmark)
	}
	b.Available = b.Banked - b.Earmarked - b.Spent
	return b
}

// expiredCredits sums the credits of a conversion's outcomes that are still
// active but have expired by now.
func (a *Account) expiredCredits(c Conversion, now time.Time) float64 {
	total := 0.0
	for _, u := range c.Evaluation.Used {
		if o, ok := a.Outcome(u.OutcomeID); ok && o.Status == OutcomeActive && !o.Counts(now) {
			total += o.Credits
		}
	}
	return total
}

// IssuerIDs lists the distinct issuers of the account's outcomes: the
// secondary index "outcomes by issuer" is built from it.
func (a *Account) IssuerIDs() []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	var out []uuid.UUID
	for _, o := range a.Outcomes {
		if !seen[o.IssuerID] {
			seen[o.IssuerID] = true
			out = append(out, o.IssuerID)
		}
	}
	return out
}

// QueueKeys are "<institutionId>:<status>" for every conversion: the secondary
// index behind each institution's review queue.
func (a *Account) QueueKeys() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range a.Conversions {
		k := c.InstitutionID.String() + ":" + string(c.Status)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
