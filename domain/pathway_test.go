package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

type engCourse struct {
	code, title string
	cat         domain.Category
	hours       float64
	credits     float64
	level       int
	start       time.Time
	inst        uuid.UUID
}

func engCatalogue(t testing.TB, cs ...engCourse) []domain.Course {
	t.Helper()
	var out []domain.Course
	for _, c := range cs {
		in := domain.CourseInput{Code: c.code, Title: c.title, Category: string(c.cat), Hours: c.hours, Level: c.level, Place: "学习中心"}
		if c.credits > 0 {
			cr := c.credits
			in.Credits = &cr
		}
		if !c.start.IsZero() {
			s := c.start
			in.NextStart = &s
		}
		if c.inst == uuid.Nil {
			c.inst = engIssuerA
		}
		course, err := domain.NewCourse(in, c.inst, engNow)
		if err != nil {
			t.Fatalf("course %s: %v", c.code, err)
		}
		out = append(out, course)
	}
	return out
}

// The district catalogue the pathway tests suggest from.
var engCourses = []engCourse{
	{code: "SF-101", title: "硬笔书法入门", cat: domain.CategoryCommunity, hours: 32, start: engDate(2025, 9, 1)},
	{code: "TJ-24", title: "二十四式太极拳", cat: domain.CategoryCommunity, hours: 16, start: engDate(2025, 7, 1)},
	{code: "YY-1", title: "家庭园艺", cat: domain.CategoryCommunity, hours: 16, start: engDate(2025, 10, 1)},
	{code: "SQ-64", title: "社区治理大讲堂", cat: domain.CategoryCommunity, hours: 64},
	{code: "OLD-1", title: "往期课程", cat: domain.CategoryCommunity, hours: 16, start: engDate(2024, 1, 1)}, // start passed: unscheduled
	{code: "IT-EXCEL", title: "Excel 办公应用", cat: domain.CategoryVocational, hours: 48, credits: 3, start: engDate(2025, 8, 1)},
	{code: "DG-1", title: "低压电工", cat: domain.CategoryVocational, hours: 96, start: engDate(2025, 7, 15)},
	{code: "SY-1", title: "老年摄影", cat: domain.CategorySenior, hours: 24, start: engDate(2025, 9, 10)},
	{code: "YYY-3", title: "育婴员（三级）", cat: domain.CategoryCertificate, hours: 80, level: 3, start: engDate(2025, 8, 20)},
	{code: "B-ONLY", title: "乙校社区课", cat: domain.CategoryCommunity, hours: 40, inst: engIssuerB},
}

func suggestionCodes(s domain.CourseSuggestion) string {
	var codes []string
	for _, c := range s.Courses {
		codes = append(codes, c.Code)
	}
	return strings.Join(codes, "+")
}

func TestPathwaySuggestions(t *testing.T) {
	capped := func(r *domain.Rule) { r.Caps = []domain.Cap{{Scope: domain.CapLifetime, MaxCredits: 2}} }
	tests := []struct {
		name      string
		outcomes  []engOut
		applied   bool // the account already used the rule's cap at its institution
		cond      domain.Group
		mods      []func(*domain.Rule)
		ready     bool
		shortfall string   // part of the evaluation's shortfall message
		want      []string // course codes of each suggestion, in rank order
	}{
		{name: "no outcome of the category: fewest hours, then earliest start",
			cond: engCat(domain.CategoryCommunity), shortfall: "没有符合的成果",
			want: []string{"TJ-24", "YY-1", "OLD-1", "SF-101", "B-ONLY"}},
		{name: "credits short: one course that closes the total",
			outcomes: []engOut{{title: "插花", credits: 2}},
			cond:     engCat(domain.CategoryCommunity), mods: []func(*domain.Rule){func(r *domain.Rule) { r.MinTotalCredits = 4 }},
			shortfall: "需要再获得 2 学分 community 类成果",
			want:      []string{"SF-101", "B-ONLY", "SQ-64"}},
		{name: "one item of an all group missing",
			outcomes:  []engOut{{title: "插花"}},
			cond:      engAll(engM(domain.Match{Category: domain.CategoryCommunity}), engM(domain.Match{Category: domain.CategoryVocational})),
			shortfall: "condition.items[1]", want: []string{"IT-EXCEL", "DG-1"}},
		{name: "any group: the cheaper branch",
			cond:      engAny(engM(domain.Match{Category: domain.CategorySenior}), engM(domain.Match{Category: domain.CategoryCertificate, MinLevel: 3})),
			shortfall: "需至少满足 1 项", want: []string{"SY-1", "YYY-3"}},
		{name: "n of 3: the two cheapest items, distinct courses",
			cond: engNOf(2, engM(domain.Match{Category: domain.CategoryCommunity}), engM(domain.Match{Category: domain.CategoryVocational}),
				engM(domain.Match{Category: domain.CategorySenior})),
			shortfall: "需满足 2 项", want: []string{"TJ-24+SY-1", "YY-1+SY-1", "OLD-1+SY-1", "SY-1+SF-101", "TJ-24+IT-EXCEL"}},
		{name: "level below the match: only the level-3 course",
			outcomes: []engOut{{title: "育婴员（五级）", cat: domain.CategoryCertificate, level: 5 - 4}},
			cond:     engCat(domain.CategoryCertificate), mods: []func(*domain.Rule){func(r *domain.Rule) {
				r.Condition = engAll(engM(domain.Match{Category: domain.CategoryCertificate, MinLevel: 3}))
			}},
			shortfall: "等级 ≥ 3", want: []string{"YYY-3"}},
		{name: "issuer restriction narrows the catalogue",
			cond:      engAll(engM(domain.Match{Category: domain.CategoryCommunity, IssuerIDs: []uuid.UUID{engIssuerB}})),
			shortfall: "没有符合的成果", want: []string{"B-ONLY"}},
		{name: "nothing in the catalogue helps", cond: engCat(domain.CategoryAcademic), mods: []func(*domain.Rule){func(r *domain.Rule) {}},
			shortfall: "没有符合的成果", want: nil},
		{name: "eligible: ready, no suggestions", outcomes: []engOut{{title: "插花"}}, cond: engCat(domain.CategoryCommunity), ready: true},
		{name: "cap used up: no course can help", outcomes: []engOut{{title: "插花"}, {title: "茶艺"}}, applied: true,
			cond: engCat(domain.CategoryCommunity), mods: []func(*domain.Rule){capped}, shortfall: "转换上限", want: nil},
	}
	catalogue := domain.NewCatalogue(engCatalogue(t, engCourses...), domain.DefaultCreditPolicy(), engNow)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			acc := engAccount(t)
			for _, o := range tc.outcomes {
				engDeposit(t, acc, o)
			}
			rule := engRule(tc.cond, tc.mods...)
			if tc.applied {
				earlier := rule
				earlier.Code = "CB-EARLIER"
				if _, err := acc.Apply(earlier, engNow); err != nil {
					t.Fatalf("earlier conversion: %v", err)
				}
			}
			ps := domain.PlanPathways([]domain.Rule{rule}, acc, catalogue, engNow)
			if len(ps) != 1 {
				t.Fatalf("%d pathways, want 1", len(ps))
			}
			p := ps[0]
			if p.Ready != tc.ready {
				t.Fatalf("ready = %v, want %v:\n%s", p.Ready, tc.ready, engDump(p.Evaluation))
			}
			if !tc.ready && (p.Evaluation.Shortfall == nil || !strings.Contains(p.Evaluation.Shortfall.Message, tc.shortfall)) {
				t.Fatalf("shortfall %+v does not mention %q", p.Evaluation.Shortfall, tc.shortfall)
			}
			var got []string
			for _, s := range p.Suggestions {
				got = append(got, suggestionCodes(s))
			}
			if strings.Join(got, " | ") != strings.Join(tc.want, " | ") {
				t.Fatalf("suggestions\n got %v\nwant %v", got, tc.want)
			}
			for i, s := range p.Suggestions {
				if i > 0 && s.Hours < p.Suggestions[i-1].Hours {
					t.Fatalf("suggestion %d has fewer hours than the one before", i)
				}
				closesTheGap(t, acc, rule, s)
			}
		})
	}
}

// closesTheGap banks every course of a suggestion on a copy of the account
// and checks the rule then holds: a suggestion must be true, not plausible.
func closesTheGap(t *testing.T, acc *domain.Account, rule domain.Rule, s domain.CourseSuggestion) {
	t.Helper()
	cp := *acc
	cp.Outcomes = append([]domain.Outcome(nil), acc.Outcomes...)
	cp.Ledger = append([]domain.LedgerEntry(nil), acc.Ledger...)
	for _, c := range s.Courses {
		engDeposit(t, &cp, engOut{title: c.Title, cat: c.Category, code: c.Code, hours: c.Hours, level: c.Level,
			completed: domain.DateOf(engNow), issuer: c.InstitutionID, score: 90, credits: func() float64 {
				if c.Credits != nil {
					return *c.Credits
				}
				return 0
			}()})
	}
	if ev := domain.Evaluate(rule, &cp, engNow); !ev.Eligible {
		t.Errorf("completing %s does not make the learner eligible:\n%s", suggestionCodes(s), engDump(ev))
	}
}

func TestPlanPathwaysSkipsAppliedAndOutOfEffectRules(t *testing.T) {
	acc := engAccount(t)
	engDeposit(t, acc, engOut{title: "插花"})
	applied := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Code = "APPLIED" })
	if _, err := acc.Apply(applied, engNow); err != nil {
		t.Fatal(err)
	}
	future := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Code = "FUTURE"; r.EffectiveFrom = engDate(2026, 1, 1) })
	draft := engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Code = "DRAFT"; r.Status = domain.RuleDraft })
	open := engRule(engCat(domain.CategorySenior), func(r *domain.Rule) { r.Code = "OPEN" })
	ps := domain.PlanPathways([]domain.Rule{applied, future, draft, open}, acc, domain.NewCatalogue(nil, domain.DefaultCreditPolicy(), engNow), engNow)
	if len(ps) != 1 || ps[0].Rule.Code != "OPEN" || ps[0].Ready || len(ps[0].Suggestions) != 0 {
		t.Fatalf("pathways = %+v, want only OPEN, short, without suggestions (empty catalogue)", ps)
	}
}

// BenchmarkPathways is the budget: a learner with 200 outcomes
// against 50 published rules and a 5 000-course district catalogue, all in
// ≤ 20 ms per answer (catalogue preparation included).
func BenchmarkPathways(b *testing.B) {
	acc := benchAccount(b, 200)
	cats := []domain.Category{domain.CategoryCommunity, domain.CategoryVocational, domain.CategorySenior,
		domain.CategoryCertificate, domain.CategoryOnline}
	var specs []engCourse
	for i := range 5000 {
		specs = append(specs, engCourse{code: fmt.Sprintf("C%04d", i), title: fmt.Sprintf("课程 %d 书法", i), cat: cats[i%len(cats)],
			hours: float64(8 * (1 + i%12)), level: i % 4, start: engNow.AddDate(0, 0, i%180), inst: []uuid.UUID{engIssuerA, engIssuerB}[i%2]})
	}
	courses := engCatalogue(b, specs...)
	var rules []domain.Rule
	for i := range 50 {
		var cond domain.Group
		switch i % 5 {
		case 0: // met: community outcomes, a small total
			cond = engAll(engM(domain.Match{Category: domain.CategoryCommunity}), engM(domain.Match{MinHours: 16}))
		case 1: // missing a category
			cond = engAll(engM(domain.Match{Category: domain.CategoryCommunity}), engM(domain.Match{Category: cats[2+i%3]}))
		case 2: // any of two missing kinds
			cond = engAny(engM(domain.Match{Category: domain.CategorySenior}), engM(domain.Match{Category: domain.CategoryCertificate, MinLevel: 2}))
		case 3: // n of with a title constraint
			cond = engNOf(2, engM(domain.Match{Category: domain.CategoryVocational}), engM(domain.Match{TitleContains: "书法"}),
				engM(domain.Match{Category: domain.CategoryOnline}))
		default: // a total beyond what the record holds
			cond = engAll(engM(domain.Match{Category: domain.CategoryVocational}))
		}
		total := float64(2 + i%4)
		if i%5 == 4 {
			total = 200
		}
		rules = append(rules, engRule(cond, func(r *domain.Rule) {
			r.Code = fmt.Sprintf("BENCH-%02d", i)
			r.MinTotalCredits = total
		}))
	}
	policy := domain.DefaultCreditPolicy()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ps := domain.PlanPathways(rules, acc, domain.NewCatalogue(courses, policy, engNow), engNow)
		if len(ps) != len(rules) {
			b.Fatalf("%d pathways", len(ps))
		}
	}
}
