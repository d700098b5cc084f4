package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"creditbank/domain"

	"github.com/google/uuid"
)

// Fixed clock and institutions shared by the rule-engine tests.
var (
	engNow     = time.Date(2025, 6, 15, 10, 0, 0, 0, time.UTC)
	engInst    = uuid.MustParse("0190a000-0000-7000-8000-000000000001") // converting institution
	engOther   = uuid.MustParse("0190a000-0000-7000-8000-000000000002") // another converting institution
	engIssuerA = uuid.MustParse("0190a000-0000-7000-8000-00000000000a")
	engIssuerB = uuid.MustParse("0190a000-0000-7000-8000-00000000000b")
)

// engOut describes an outcome to deposit; zero fields get sensible defaults.
type engOut struct {
	title     string
	cat       domain.Category
	code      string
	credits   float64
	hours     float64
	score     float64
	grade     string
	passed    bool
	level     int
	completed time.Time
	expires   *time.Time
	issuer    uuid.UUID
	unit      string
}

func engDate(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func engAccount(t *testing.T) *domain.Account {
	t.Helper()
	a, err := domain.NewAccount("李四", domain.PersonalData{}, engDate(1980, 3, 1), engNow)
	if err != nil {
		t.Fatalf("NewAccount: %v", err)
	}
	return a
}

func engDeposit(t *testing.T, a *domain.Account, o engOut) domain.Outcome {
	t.Helper()
	if o.cat == "" {
		o.cat = domain.CategoryCommunity
	}
	if o.hours == 0 {
		o.hours = 32
	}
	if o.completed.IsZero() {
		o.completed = engDate(2024, 9, 1)
	}
	if o.issuer == uuid.Nil {
		o.issuer = engIssuerA
	}
	in := domain.OutcomeInput{
		Category: string(o.cat), Title: o.title, CourseCode: o.code, Hours: o.hours,
		Level: o.level, CompletedOn: o.completed, ExpiresOn: o.expires, UnitCode: o.unit,
	}
	if o.credits > 0 {
		c := o.credits
		in.Credits = &c
	}
	switch {
	case o.grade != "":
		in.Result.Grade = o.grade
	case o.passed:
		p := true
		in.Result.Passed = &p
	default:
		s := o.score
		if s == 0 {
			s = 70
		}
		in.Result.Score = &s
	}
	out, err := domain.NewOutcome(in, o.issuer, a.ID, domain.DefaultCreditPolicy(), engNow)
	if err != nil {
		t.Fatalf("NewOutcome %q: %v", o.title, err)
	}
	if err := a.Deposit(out, engNow); err != nil {
		t.Fatalf("Deposit %q: %v", o.title, err)
	}
	return out
}

func engM(m domain.Match) domain.Item { return domain.Item{Match: &m} }
func engG(g domain.Group) domain.Item { return domain.Item{Group: &g} }

func engAll(items ...domain.Item) domain.Group {
	return domain.Group{Op: domain.OpAll, Items: items}
}
func engAny(items ...domain.Item) domain.Group {
	return domain.Group{Op: domain.OpAny, Items: items}
}
func engNOf(n int, items ...domain.Item) domain.Group {
	return domain.Group{Op: domain.OpNOf, N: n, Items: items}
}

// engCat is the most common condition: one outcome of a category.
func engCat(c domain.Category) domain.Group { return engAll(engM(domain.Match{Category: c})) }

// engRule is a valid, published, effective, exclusive, manual credit rule
// awarding 2 credits; mods adjust it per test.
func engRule(cond domain.Group, mods ...func(*domain.Rule)) domain.Rule {
	r := domain.Rule{
		ID:            domain.NewID(),
		Code:          "CB-TEST",
		Version:       1,
		Status:        domain.RulePublished,
		Name:          "测试规则",
		InstitutionID: engInst,
		Purpose:       domain.PurposeCredit,
		Condition:     cond,
		Award:         domain.Award{Mode: domain.AwardFixed, Credits: 2},
		Exclusive:     true,
		Approval:      domain.ApprovalManual,
		EffectiveFrom: engDate(2020, 1, 1),
	}
	for _, m := range mods {
		m(&r)
	}
	return r
}

func engCodes(ev domain.Evaluation) []string {
	var out []string
	for _, s := range ev.Trace {
		out = append(out, s.Code)
	}
	return out
}

func engUsed(ev domain.Evaluation) []string {
	var out []string
	for _, u := range ev.Used {
		out = append(out, u.Title)
	}
	return out
}

// engTraceHas finds a step with the code whose message contains every part.
func engTraceHas(t *testing.T, ev domain.Evaluation, code string, parts ...string) {
	t.Helper()
	for _, s := range ev.Trace {
		if s.Code != code {
			continue
		}
		ok := true
		for _, p := range parts {
			if !strings.Contains(s.Message, p) {
				ok = false
			}
		}
		if ok {
			return
		}
	}
	t.Errorf("no trace step %s containing %q; trace:\n%s", code, parts, engDump(ev))
}

func engDump(ev domain.Evaluation) string {
	var b strings.Builder
	for _, s := range ev.Trace {
		b.WriteString("  " + s.Code + ": " + s.Message + "\n")
	}
	return b.String()
}

// engLiveExclusiveOverlap reports an outcome used by two live exclusive
// conversions, or uuid.Nil.
func engLiveExclusiveOverlap(a *domain.Account) uuid.UUID {
	seen := map[uuid.UUID]bool{}
	for _, c := range a.Conversions {
		if !c.Live() || !c.Exclusive {
			continue
		}
		for _, u := range c.Evaluation.Used {
			if seen[u.OutcomeID] {
				return u.OutcomeID
			}
			seen[u.OutcomeID] = true
		}
	}
	return uuid.Nil
}

// engKinds renders ledger entries from index from as "kind ±credits".
func engKinds(a *domain.Account, from int) []string {
	var out []string
	for _, e := range a.Ledger[from:] {
		out = append(out, fmt.Sprintf("%s %+g", e.Kind, e.Credits))
	}
	return out
}
