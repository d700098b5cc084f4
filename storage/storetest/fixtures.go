package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

// randomHash stands in for an HMAC lookup hash: unique per call, same shape.
func randomHash() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func f64(v float64) *float64 { return &v }
func boolp(v bool) *bool     { return &v }
func timep(t time.Time) *time.Time {
	t = domain.Now(t)
	return &t
}

// NewAccount returns a fresh, valid account with a unique national-ID hash
// and no outcomes.
func NewAccount(now time.Time) *domain.Account {
	a, err := domain.NewAccount("张三", domain.PersonalData{
		NationalIDSealed: "sealed:" + randomHash(),
		NationalIDHash:   randomHash(),
		NationalIDMasked: "110101********123X",
	}, time.Date(1980, 5, 17, 0, 0, 0, 0, time.UTC), now)
	if err != nil {
		panic(err)
	}
	return a
}

// NewOutcome returns an active outcome issued by issuer, for deposit.
func NewOutcome(issuer uuid.UUID, title string, credits float64, now time.Time) domain.Outcome {
	return domain.Outcome{
		ID:          domain.NewID(),
		IssuerID:    issuer,
		Category:    domain.CategoryCommunity,
		Title:       title,
		CourseCode:  "C-" + title,
		Hours:       credits * 16,
		Credits:     credits,
		Result:      domain.Result{Passed: boolp(true)},
		CompletedOn: domain.DateOf(now.AddDate(0, -1, 0)),
		Status:      domain.OutcomeActive,
		IssuedAt:    domain.Now(now),
	}
}

// NewConversion returns a conversion addressed to institution with status.
func NewConversion(accountID, institution uuid.UUID, status domain.ConversionStatus, now time.Time) domain.Conversion {
	return domain.Conversion{
		ID:            domain.NewID(),
		AccountID:     accountID,
		RuleID:        domain.NewID(),
		RuleCode:      "R-1",
		RuleVersion:   1,
		RuleName:      "社区课程免修",
		InstitutionID: institution,
		Purpose:       domain.PurposeExemption,
		Status:        status,
		Evaluation:    domain.Evaluation{Eligible: true, AwardedCredits: 1, EvaluatedAt: domain.Now(now)},
		AppliedAt:     domain.Now(now),
	}
}

// NewRichAccount returns an account with every optional field set: personal
// data, a password, outcomes of every result kind (one revoked, one
// expiring), conversions in several states with full evaluations, a ledger
// holding deposit, revoke and reverse entries, and a withdrawn grant. Its
// outcomes are issued by issuer; its conversions are addressed to institution.
func NewRichAccount(issuer, institution uuid.UUID, now time.Time) *domain.Account {
	now = domain.Now(now)
	a := NewAccount(now)
	a.PII.PhoneSealed = "sealed:" + randomHash()
	a.PII.PhoneMasked = "138****5678"
	a.SetPassword("$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", now)

	scored := NewOutcome(issuer, "家庭理财", 2, now)
	scored.Category = domain.CategoryVocational
	scored.Result = domain.Result{Score: f64(88.5), PassMark: f64(70)}
	scored.CreditsStated = true
	scored.Level = 3
	scored.ExpiresOn = timep(domain.DateOf(now.AddDate(3, 0, 0)))
	scored.IssuedBy = "staff:" + domain.NewID().String()

	graded := NewOutcome(issuer, "摄影基础", 1.5, now)
	graded.Category = domain.CategorySenior
	graded.Result = domain.Result{Grade: "B"}

	passed := NewOutcome(issuer, "智能手机应用", 1, now)

	for _, o := range []domain.Outcome{scored, graded, passed} {
		if err := a.Deposit(o, now); err != nil {
			panic(err)
		}
	}

	review := NewConversion(a.ID, institution, domain.ConversionPending, now)
	review.Exclusive = true
	review.Earmarked = 1.5
	review.Evaluation = domain.Evaluation{
		Eligible: true, AwardedCredits: 1.5, UsedCredits: 1.5,
		Used: []domain.UsedOutcome{{OutcomeID: graded.ID, Title: graded.Title, Category: graded.Category, Credits: graded.Credits}},
		Trace: []domain.TraceStep{
			domain.NewTraceStep("match.ok", "摄影基础 matched item 1", &domain.StepFacts{Form: "used",
				Item:     &domain.ItemRef{Path: "condition.items[0]", Number: "1", Match: &domain.Match{Category: domain.CategorySenior, IssuerIDs: []uuid.UUID{issuer}, MinScore: 60, UnitCodes: []string{"U-1"}}},
				Outcomes: []domain.OutcomeRef{{Title: graded.Title, Category: graded.Category, Credits: graded.Credits}},
				Misses:   []domain.NearMiss{{Title: passed.Title, Field: "category", Have: "community", Want: "senior"}},
				Date:     timep(graded.CompletedOn)}),
			domain.NewTraceStep("award.sum", "1.5 credits", &domain.StepFacts{Ratio: 1, From: 1.5, Raw: 1.5, Credits: 1.5}),
			{Code: "award.none", Message: "a step without data, as stored before steps kept it"},
		},
		EvaluatedAt: now,
	}
	short := domain.NewShortfall(0.5, "需要再获得 0.5 学分 community 类成果", &domain.ShortfallDetail{Reason: domain.ShortItemsAndCredits,
		Missing:    []domain.MissingPart{{Item: domain.ItemRef{Path: "condition.items[1]", Number: "2", Op: domain.OpNOf, N: 2}, Possible: 1}},
		Categories: []domain.Category{domain.CategoryCommunity, domain.CategoryOnline}})
	review.Evaluation.Shortfall = &short
	approved := NewConversion(a.ID, institution, domain.ConversionApproved, now)
	approved.Spent = 1
	approved.DecidedAt = timep(now)
	approved.DecidedBy = "staff:" + domain.NewID().String()
	approved.Note = "同意免修"
	approved.Purpose = domain.PurposeCredit
	pending := NewConversion(a.ID, institution, domain.ConversionPending, now)
	a.Conversions = append(a.Conversions, review, approved, pending)

	// Revoking the graded outcome sends the conversion that used it to
	// review and writes a "reverse" ledger entry carrying a conversion id.
	if _, err := a.Revoke(graded.ID, issuer, "录入错误", now); err != nil {
		panic(err)
	}
	g, err := a.GrantAccess(institution, 30, now)
	if err != nil {
		panic(err)
	}
	if _, err := a.GrantAccess(domain.NewID(), 7, now); err != nil {
		panic(err)
	}
	if err := a.WithdrawGrant(g.ID, now); err != nil {
		panic(err)
	}
	addAssistance(a, now)
	if err := a.MarkAlertsSeen(now, now); err != nil {
		panic(err)
	}
	return a
}

// NewRule returns a minimal valid draft rule.
func NewRule(institution uuid.UUID, code string, version int, now time.Time) *domain.Rule {
	return &domain.Rule{
		ID:            domain.NewID(),
		Code:          code,
		Version:       version,
		Status:        domain.RuleDraft,
		Name:          "社区教育学分认定 " + code,
		InstitutionID: institution,
		Purpose:       domain.PurposeCredit,
		Condition: domain.Group{Op: domain.OpAll, Items: []domain.Item{
			{Match: &domain.Match{Category: domain.CategoryCommunity}},
		}},
		Award:         domain.Award{Mode: domain.AwardSum, Ratio: 1},
		Approval:      domain.ApprovalManual,
		EffectiveFrom: domain.DateOf(now),
		CreatedAt:     domain.Now(now),
	}
}

// NewRichRule returns a published rule with every optional field set and a
// condition nested three levels deep.
func NewRichRule(institution uuid.UUID, code string, now time.Time) *domain.Rule {
	now = domain.Now(now)
	r := NewRule(institution, code, 2, now)
	r.Status = domain.RulePublished
	r.Description = "社区教育课程累计学分可认定为开放大学通识课学分"
	r.Purpose = domain.PurposeExemption
	r.Target = domain.RuleTarget{CourseCode: "OU-101", ProgramCode: "P-GE", Credits: 3}
	r.Condition = domain.Group{Op: domain.OpAll, Items: []domain.Item{
		{Match: &domain.Match{
			Category:      domain.CategoryCommunity,
			IssuerIDs:     []uuid.UUID{domain.NewID(), domain.NewID()},
			CourseCode:    "C-1",
			TitleContains: "理财",
			MinLevel:      2,
			MinScore:      75,
			MinCredits:    0.5,
			MinHours:      8,
			MaxAgeYears:   5,
		}},
		{Group: &domain.Group{Op: domain.OpNOf, N: 2, Items: []domain.Item{
			{Match: &domain.Match{Category: domain.CategorySenior}},
			{Match: &domain.Match{Category: domain.CategoryOnline, MinCredits: 1}},
			{Group: &domain.Group{Op: domain.OpAny, Items: []domain.Item{
				{Match: &domain.Match{CourseCode: "X-9"}},
				{Match: &domain.Match{TitleContains: "书法"}},
			}}},
		}}},
	}}
	r.MinTotalCredits = 4.5
	r.Award = domain.Award{Mode: domain.AwardFixed, Credits: 3, Ratio: 0.5}
	r.Caps = []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 6}, {Scope: domain.CapLifetime, MaxCredits: 20}}
	r.Exclusive = true
	r.Approval = domain.ApprovalAuto
	r.EffectiveTo = timep(domain.DateOf(now.AddDate(2, 0, 0)))
	r.CreatedBy = "admin:" + domain.NewID().String()
	r.PublishedAt = timep(now)
	// Not a state a published rule reaches; here every field must survive
	// the store.
	r.Submission = domain.Submission{State: domain.SubmissionReturned, At: timep(now), By: "admin:" + domain.NewID().String(), Note: "请写明免修的课程"}
	r.Revision = 4
	return r
}
