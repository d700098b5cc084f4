package domain_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

func TestCoreNewAccount(t *testing.T) {
	a, err := domain.NewAccount("  李四 ", domain.PersonalData{}, time.Date(1980, 1, 2, 13, 0, 0, 0, time.UTC), coreNow)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "李四" || a.Status != domain.AccountActive || a.Claimed() || a.ID == uuid.Nil {
		t.Fatalf("new account = %+v: want trimmed name, active, unclaimed, with id", a)
	}
	if !a.BirthDate.Equal(coreDate(1980, time.January, 2)) {
		t.Fatalf("birth date = %v, want the date only", a.BirthDate)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("名", 51)} {
		_, err := domain.NewAccount(bad, domain.PersonalData{}, coreNow, coreNow)
		coreWantField(t, err, "name")
	}
}

func TestCoreDepositAddsOutcomeAndLedgerEntry(t *testing.T) {
	a := coreAccount(t)
	issuer := domain.NewID()
	in := coreInput()
	in.Hours = 24
	o := coreDeposit(t, a, in, issuer)

	if len(a.Outcomes) != 1 || a.Outcomes[0].ID != o.ID {
		t.Fatalf("outcomes = %+v, want the deposited one", a.Outcomes)
	}
	if a.Outcomes[0].AccountID != a.ID {
		t.Fatalf("banked outcome belongs to %v, want the account %v", a.Outcomes[0].AccountID, a.ID)
	}
	if len(a.Ledger) != 1 {
		t.Fatalf("ledger has %d entries, want 1", len(a.Ledger))
	}
	e := a.Ledger[0]
	if e.Kind != domain.LedgerDeposit || e.Credits != 1.5 || e.BalanceAfter != 1.5 || e.Seq != 1 {
		t.Fatalf("ledger entry = %+v, want deposit seq 1 of 1.5 to 1.5", e)
	}
	if e.OutcomeID == nil || *e.OutcomeID != o.ID {
		t.Fatalf("ledger entry refers to %v, want outcome %v", e.OutcomeID, o.ID)
	}
	if e.PrevHash != domain.GenesisHash || len(e.Hash) != 64 {
		t.Fatalf("first entry prev=%q hash=%q, want genesis link and a SHA-256 hex", e.PrevHash, e.Hash)
	}
	if !e.At.Equal(coreNow) {
		t.Fatalf("entry time = %v, want %v", e.At, coreNow)
	}
	if got := a.Balance(coreNow).Banked; got != 1.5 {
		t.Fatalf("banked = %v, want 1.5", got)
	}
}

func TestCoreDepositDuplicate(t *testing.T) {
	issuer := domain.NewID()
	tests := []struct {
		name    string
		edit    func(in *domain.OutcomeInput)
		issuer  uuid.UUID
		wantDup bool
	}{
		{"same issuer, course, title and date", func(in *domain.OutcomeInput) {}, issuer, true},
		{"same achievement, different hours and score", func(in *domain.OutcomeInput) {
			in.Hours, in.Result = 32, domain.Result{Grade: "A"}
		}, issuer, true},
		{"same date, clock time differs", func(in *domain.OutcomeInput) {
			in.CompletedOn = in.CompletedOn.Add(9 * time.Hour)
		}, issuer, true},
		{"another issuer", func(in *domain.OutcomeInput) {}, domain.NewID(), false},
		{"another course", func(in *domain.OutcomeInput) { in.CourseCode = "CC-102" }, issuer, false},
		{"another title", func(in *domain.OutcomeInput) { in.Title = "社区书法进阶" }, issuer, false},
		{"another date", func(in *domain.OutcomeInput) { in.CompletedOn = coreDate(2024, time.March, 2) }, issuer, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := coreAccount(t)
			coreDeposit(t, a, coreInput(), issuer)
			in := coreInput()
			tt.edit(&in)
			second := coreOutcome(t, in, tt.issuer)
			err := a.Deposit(second, coreNow)
			if !tt.wantDup {
				if err != nil {
					t.Fatalf("Deposit: %v", err)
				}
				if len(a.Outcomes) != 2 || len(a.Ledger) != 2 {
					t.Fatalf("after a distinct deposit: %d outcomes, %d ledger entries, want 2 and 2", len(a.Outcomes), len(a.Ledger))
				}
				return
			}
			if !errors.Is(err, domain.ErrDuplicate) || !errors.Is(err, domain.ErrConflict) {
				t.Fatalf("Deposit of a duplicate: %v, want ErrDuplicate (a conflict)", err)
			}
			if len(a.Outcomes) != 1 || len(a.Ledger) != 1 || a.Balance(coreNow).Banked != 1 {
				t.Fatalf("a refused duplicate changed the account: %d outcomes, %d ledger entries, banked %v",
					len(a.Outcomes), len(a.Ledger), a.Balance(coreNow).Banked)
			}
		})
	}
}

func TestCoreDepositAfterRevokeIsAllowed(t *testing.T) {
	// A mistaken outcome is revoked and re-issued correctly: the revoked one
	// must not block the corrected deposit.
	a := coreAccount(t)
	issuer := domain.NewID()
	o := coreDeposit(t, a, coreInput(), issuer)
	if _, err := a.Revoke(o.ID, issuer, "分数录入错误", coreNow); err != nil {
		t.Fatal(err)
	}
	coreDeposit(t, a, coreInput(), issuer)
	if got := a.Balance(coreNow).Banked; got != 1 {
		t.Fatalf("banked = %v, want 1 (only the re-issued outcome)", got)
	}
}

func TestCoreDepositBeforeBirthRefused(t *testing.T) {
	for _, tc := range []struct {
		name      string
		completed time.Time
		ok        bool
	}{
		{"the day before birth", coreDate(1980, time.January, 1), false},
		{"years before birth", coreDate(1960, time.May, 1), false},
		{"on the birthday", coreDate(1980, time.January, 2), true},
		{"after birth", coreDate(1990, time.January, 1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := coreAccount(t) // born 1980-01-02
			in := coreInput()
			in.CompletedOn = tc.completed
			err := a.Deposit(coreOutcome(t, in, domain.NewID()), coreNow)
			if tc.ok {
				if err != nil {
					t.Fatalf("Deposit: %v", err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Field != "completedOn" {
				t.Fatalf("Deposit = %v, want a completedOn problem", err)
			}
			if len(a.Outcomes) != 0 || len(a.Ledger) != 0 {
				t.Fatalf("a refused deposit changed the account")
			}
		})
	}
}

func TestCoreDepositRefusedWhenSuspended(t *testing.T) {
	a := coreAccount(t)
	a.Status = domain.AccountSuspended
	err := a.Deposit(coreOutcome(t, coreInput(), domain.NewID()), coreNow)
	if err == nil {
		t.Fatal("suspended account accepted a deposit")
	}
	if len(a.Outcomes) != 0 || len(a.Ledger) != 0 {
		t.Fatalf("refused deposit changed the account: %d outcomes, %d entries", len(a.Outcomes), len(a.Ledger))
	}
}

func TestCoreRevoke(t *testing.T) {
	issuer := domain.NewID()
	later := coreNow.Add(time.Hour)
	tests := []struct {
		name    string
		by      func(o domain.Outcome) (uuid.UUID, uuid.UUID) // outcome id, revoking issuer
		reason  string
		twice   bool
		wantErr error
	}{
		{"by the issuer", func(o domain.Outcome) (uuid.UUID, uuid.UUID) { return o.ID, issuer }, "  分数录入错误  ", false, nil},
		{"by another issuer", func(o domain.Outcome) (uuid.UUID, uuid.UUID) { return o.ID, domain.NewID() }, "mistake", false, domain.ErrNotFound},
		{"unknown outcome", func(o domain.Outcome) (uuid.UUID, uuid.UUID) { return domain.NewID(), issuer }, "mistake", false, domain.ErrNotFound},
		{"empty reason", func(o domain.Outcome) (uuid.UUID, uuid.UUID) { return o.ID, issuer }, "   ", false, domain.ErrInvalid},
		{"reason of 501 runes", func(o domain.Outcome) (uuid.UUID, uuid.UUID) { return o.ID, issuer }, strings.Repeat("错", 501), false, domain.ErrInvalid},
		{"twice", func(o domain.Outcome) (uuid.UUID, uuid.UUID) { return o.ID, issuer }, "mistake", true, domain.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := coreAccount(t)
			keep := coreDeposit(t, a, func() domain.OutcomeInput {
				in := coreInput()
				in.Title, in.Hours = "保留的课程", 32
				return in
			}(), issuer)
			o := coreDeposit(t, a, coreInput(), issuer)
			id, by := tt.by(o)
			if tt.twice {
				if _, err := a.Revoke(id, by, tt.reason, coreNow); err != nil {
					t.Fatalf("first Revoke: %v", err)
				}
			}
			entriesBefore := len(a.Ledger)
			got, err := a.Revoke(id, by, tt.reason, later)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Revoke: %v, want %v", err, tt.wantErr)
				}
				if len(a.Ledger) != entriesBefore {
					t.Fatal("a refused revoke wrote to the ledger")
				}
				if tt.wantErr == domain.ErrInvalid {
					coreWantField(t, err, "reason")
				}
				if !tt.twice && a.Outcomes[1].Status != domain.OutcomeActive {
					t.Fatal("a refused revoke changed the outcome")
				}
				return
			}
			if err != nil {
				t.Fatalf("Revoke: %v", err)
			}
			stored, _ := a.Outcome(o.ID)
			if got != stored {
				t.Fatal("Revoke did not return the account's own outcome")
			}
			if stored.Status != domain.OutcomeRevoked || stored.RevokedReason != "分数录入错误" {
				t.Fatalf("revoked outcome = status %q reason %q", stored.Status, stored.RevokedReason)
			}
			if stored.RevokedAt == nil || !stored.RevokedAt.Equal(later) {
				t.Fatalf("RevokedAt = %v, want %v", stored.RevokedAt, later)
			}
			last := a.Ledger[len(a.Ledger)-1]
			if last.Kind != domain.LedgerRevoke || last.Credits != -1 || last.BalanceAfter != 2 ||
				last.OutcomeID == nil || *last.OutcomeID != o.ID {
				t.Fatalf("last ledger entry = %+v, want revoke of -1 for %v leaving 2", last, o.ID)
			}
			b := a.Balance(later)
			if b.Banked != 2 || b.ByCategory[domain.CategoryCommunity] != 2 {
				t.Fatalf("balance after revoke = %+v, want 2 (only %q)", b, keep.Title)
			}
			if err := a.VerifyLedger(); err != nil {
				t.Fatalf("ledger after revoke: %v", err)
			}
		})
	}
}

func TestCoreBalance(t *testing.T) {
	a := coreAccount(t)
	issuer := domain.NewID()
	deposit := func(cat string, hours float64, credits *float64, completed time.Time, expires *time.Time) domain.Outcome {
		t.Helper()
		in := coreInput()
		in.Category, in.Hours, in.Credits, in.CompletedOn, in.ExpiresOn = cat, hours, credits, completed, expires
		in.Title = cat + completed.Format("2006-01-02")
		return coreDeposit(t, a, in, issuer)
	}
	deposit("community", 24, nil, coreDate(2023, time.May, 1), nil)                                                 // 1.5
	deposit("community", 16, nil, coreDate(2024, time.May, 1), nil)                                                 // 1
	deposit("academic", 48, coreF(3), coreDate(2024, time.July, 1), nil)                                            // 3
	deposit("certificate", 40, coreF(4), coreDate(2024, time.January, 10), coreT(coreDate(2025, time.January, 10))) // expired
	deposit("certificate", 40, coreF(2), coreDate(2024, time.December, 1), coreT(coreDate(2028, time.January, 10))) // 2
	revoked := deposit("senior", 32, nil, coreDate(2025, time.March, 1), nil)                                       // 2, revoked
	if _, err := a.Revoke(revoked.ID, issuer, "wrong learner", coreNow); err != nil {
		t.Fatal(err)
	}

	b := a.Balance(coreNow)
	if b.Banked != 7.5 || b.Available != 7.5 || b.Earmarked != 0 || b.Spent != 0 {
		t.Fatalf("balance = %+v, want banked and available 7.5", b)
	}
	wantCat := map[domain.Category]float64{
		domain.CategoryCommunity: 2.5, domain.CategoryAcademic: 3, domain.CategoryCertificate: 2,
	}
	if !maps.Equal(b.ByCategory, wantCat) {
		t.Fatalf("by category = %v, want %v", b.ByCategory, wantCat)
	}
	wantYear := map[int]float64{2023: 1.5, 2024: 6}
	if !maps.Equal(b.ByYear, wantYear) {
		t.Fatalf("by year = %v, want %v", b.ByYear, wantYear)
	}

	// Before the certificate expired it counted.
	if got := a.Balance(coreDate(2025, time.January, 9)).ByCategory[domain.CategoryCertificate]; got != 6 {
		t.Fatalf("certificates before expiry = %v, want 6", got)
	}
}

func TestCoreBalanceConversionsHoldCredits(t *testing.T) {
	a := coreAccount(t)
	in := coreInput()
	in.Hours = 160
	coreDeposit(t, a, in, domain.NewID())
	a.Conversions = []domain.Conversion{
		{ID: domain.NewID(), Status: domain.ConversionPending, Earmarked: 3},
		{ID: domain.NewID(), Status: domain.ConversionApproved, Spent: 4},
	}
	b := a.Balance(coreNow)
	if b.Banked != 10 || b.Earmarked != 3 || b.Spent != 4 || b.Available != 3 {
		t.Fatalf("balance = %+v, want banked 10, earmarked 3, spent 4, available 3", b)
	}
}

func TestCoreIssuerIDsAndQueueKeysDistinct(t *testing.T) {
	a := coreAccount(t)
	i1, i2 := domain.NewID(), domain.NewID()
	for n, issuer := range []uuid.UUID{i1, i2, i1, i1} {
		in := coreInput()
		in.CourseCode = "C" + string(rune('0'+n))
		coreDeposit(t, a, in, issuer)
	}
	if got := a.IssuerIDs(); !slices.Equal(got, []uuid.UUID{i1, i2}) {
		t.Fatalf("IssuerIDs = %v, want [%v %v] in first-seen order", got, i1, i2)
	}

	c1, c2 := domain.NewID(), domain.NewID()
	a.Conversions = []domain.Conversion{
		{ID: domain.NewID(), InstitutionID: c1, Status: domain.ConversionPending},
		{ID: domain.NewID(), InstitutionID: c1, Status: domain.ConversionPending},
		{ID: domain.NewID(), InstitutionID: c1, Status: domain.ConversionApproved},
		{ID: domain.NewID(), InstitutionID: c2, Status: domain.ConversionPending},
	}
	want := []string{c1.String() + ":pending", c1.String() + ":approved", c2.String() + ":pending"}
	if got := a.QueueKeys(); !slices.Equal(got, want) {
		t.Fatalf("QueueKeys = %v, want %v", got, want)
	}
	if got := coreAccount(t).QueueKeys(); len(got) != 0 {
		t.Fatalf("QueueKeys of a new account = %v, want none", got)
	}
}

// A certificate spent by an approved conversion and then expired leaves the
// balance once, not twice: available never goes negative.
func TestCoreExpiredOutcomeHeldByConversionCountsOnce(t *testing.T) {
	acc := coreAccount(t)
	issuer := domain.NewID()
	in := coreInput()
	in.Category = "certificate"
	in.Hours = 64 // 4 credits
	exp := coreNow.AddDate(0, 6, 0)
	in.ExpiresOn = &exp
	cert, err := domain.NewOutcome(in, issuer, acc.ID, domain.DefaultCreditPolicy(), coreNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := acc.Deposit(cert, coreNow); err != nil {
		t.Fatal(err)
	}
	rule := domain.Rule{
		ID: domain.NewID(), Code: "R-CERT", Version: 1, Status: domain.RulePublished, Name: "证书转换",
		InstitutionID: domain.NewID(), Purpose: domain.PurposeExemption, Target: domain.RuleTarget{CourseCode: "X1", Credits: 2},
		Condition: domain.Group{Op: domain.OpAll, Items: []domain.Item{{Match: &domain.Match{Category: domain.CategoryCertificate}}}},
		Award:     domain.Award{Mode: domain.AwardFixed, Credits: 2}, Exclusive: true, Approval: domain.ApprovalAuto,
		EffectiveFrom: coreNow.AddDate(-1, 0, 0),
	}
	if _, err := acc.Apply(rule, coreNow); err != nil {
		t.Fatal(err)
	}
	if b := acc.Balance(coreNow); b.Spent != 4 || b.Available != 0 {
		t.Fatalf("before expiry: %+v", b)
	}
	later := coreNow.AddDate(1, 0, 0)
	b := acc.Balance(later)
	if b.Banked != 0 || b.Spent != 0 || b.Available != 0 {
		t.Errorf("after expiry: banked %v spent %v available %v, want all 0", b.Banked, b.Spent, b.Available)
	}
}
