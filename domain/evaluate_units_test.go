package domain_test

import (
	"testing"

	"creditbank/domain"
)

// Rules on framework levels and certification units: minimum level, units
// (any / all / n of), recency, the rule's own yearly cap beside the
// institution's, and duplicate detection across conversions.
func TestEvaluateLevelsAndUnits(t *testing.T) {
	m := func(m domain.Match, mods ...func(*domain.Rule)) domain.Rule { return engRule(engAll(engM(m)), mods...) }
	unit := func(codes ...string) domain.Item { return engM(domain.Match{UnitCodes: codes}) }
	sum := func(r *domain.Rule) { r.Award = domain.Award{Mode: domain.AwardSum, Ratio: 1} }
	thisYear := engDate(2025, 3, 1)
	cases := []engEvalCase{
		{
			name:  "minLevel 4 refuses a level-3 outcome",
			outs:  []engOut{{title: "电工三级", credits: 2, level: 3}},
			rule:  m(domain.Match{MinLevel: 4}),
			steps: [][]string{{"match.fail", "等级 ≥ 4", "没有符合的成果", "等级 3 低于 4"}},
		},
		{
			name: "minLevel 4 accepts a level-4 outcome",
			outs: []engOut{{title: "电工三级", credits: 2, level: 3}, {title: "电工四级", credits: 3, level: 4}},
			rule: m(domain.Match{MinLevel: 4}), eligible: true, used: []string{"电工四级"}, award: 2,
			steps: [][]string{{"match.ok", "等级 ≥ 4", "「电工四级」"}},
		},
		{
			name: "unitCodes: any of the listed units",
			outs: []engOut{{title: "插花", credits: 1, unit: "CE-101"}, {title: "茶艺", credits: 2, unit: "CE-102"}},
			rule: m(domain.Match{UnitCodes: []string{"CE-102", "CE-103"}}), eligible: true, used: []string{"茶艺"}, award: 2,
			steps: [][]string{{"match.ok", "认证单元 CE-102、CE-103 之一", "「茶艺」"}},
		},
		{
			name:  "unitCodes: an outcome of another unit is named as such",
			outs:  []engOut{{title: "插花", credits: 1, unit: "CE-101"}, {title: "书法", credits: 1}},
			rule:  m(domain.Match{UnitCodes: []string{"CE-109"}}),
			steps: [][]string{{"match.fail", "认证单元 CE-109", "没有符合的成果"}},
		},
		{
			name: "all of two units, as a group",
			outs: []engOut{{title: "插花", credits: 1, unit: "CE-101"}, {title: "茶艺", credits: 1, unit: "CE-102"}, {title: "书法", credits: 1, unit: "CE-103"}},
			rule: engRule(engAll(unit("CE-101"), unit("CE-102"))), eligible: true, used: []string{"插花", "茶艺"}, award: 2,
			steps: [][]string{{"group.all.ok", "2/2"}},
		},
		{
			name:  "all of two units, one missing",
			outs:  []engOut{{title: "插花", credits: 1, unit: "CE-101"}},
			rule:  engRule(engAll(unit("CE-101"), unit("CE-102"))),
			steps: [][]string{{"match.fail", "认证单元 CE-102", "没有符合的成果"}},
		},
		{
			name: "two of three units",
			outs: []engOut{{title: "插花", credits: 1, unit: "CE-101"}, {title: "书法", credits: 1, unit: "CE-103"}},
			rule: engRule(engNOf(2, unit("CE-101"), unit("CE-102"), unit("CE-103"))), eligible: true, used: []string{"插花", "书法"}, award: 2,
			steps: [][]string{{"group.n_of.ok", "满足其中 2 项"}},
		},
		{
			name:  "recency window with a unit",
			outs:  []engOut{{title: "插花", credits: 1, unit: "CE-101", completed: engDate(2019, 5, 1)}},
			rule:  m(domain.Match{UnitCodes: []string{"CE-101"}, MaxAgeYears: 5}),
			steps: [][]string{{"match.fail", "近 5 年内完成", "已超过 5 年"}},
		},
		{
			name: "the rule's cap and the institution's cap both bind, both named",
			outs: []engOut{{title: "电工", credits: 6, unit: "VT-401"}, {title: "旧课", credits: 5}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionApproved, engInst, true, 5, thisYear, "旧课")
			},
			rule: m(domain.Match{UnitCodes: []string{"VT-401"}}, sum, func(r *domain.Rule) {
				r.Caps = []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 10}}
				r.CapPerYear = 4
			}),
			eligible: true, used: []string{"电工"}, award: 4,
			steps: [][]string{
				{"cap.per_year", "2025 年度在该机构已获转换 5 学分", "上限 10 学分", "剩余 5 学分", "由 6 减为 5 学分"},
				{"cap.rule_per_year", "本规则「测试规则」", "本规则年度上限 4 学分", "由 5 减为 4 学分"},
			},
		},
		{
			name: "the institution's cap exhausted refuses before the rule's",
			outs: []engOut{{title: "电工", credits: 6, unit: "VT-401"}, {title: "旧课", credits: 5}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionFinal, engInst, true, 10, thisYear, "旧课")
			},
			rule: m(domain.Match{UnitCodes: []string{"VT-401"}}, sum, func(r *domain.Rule) {
				r.Caps = []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 10}}
				r.CapPerYear = 4
			}),
			steps:  [][]string{{"cap.per_year", "已达上限 10 学分"}},
			absent: []string{"cap.rule_per_year"},
		},
		{
			name: "a unit counted by an approved conversion at the institution is refused, with the reason",
			outs: []engOut{{title: "插花（春）", credits: 2, unit: "CE-101"}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionApproved, engInst, false, 2, thisYear, "插花（春）")
			},
			rule: m(domain.Match{UnitCodes: []string{"CE-101"}}, func(r *domain.Rule) { r.Exclusive = false }),
			steps: [][]string{
				{"excluded.duplicate", "「插花（春）」的认证单元 CE-101", "已在本机构的转换申请「旧规则」", "不重复认定"},
				{"match.fail", "没有符合的成果"},
			},
		},
		{
			name: "the same unit at another institution counts again",
			outs: []engOut{{title: "插花（春）", credits: 2, unit: "CE-101"}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionApproved, engOther, false, 2, thisYear, "插花（春）")
			},
			rule: m(domain.Match{UnitCodes: []string{"CE-101"}}, func(r *domain.Rule) { r.Exclusive = false }), eligible: true, used: []string{"插花（春）"}, award: 2,
			absent: []string{"excluded.duplicate"},
		},
		{
			name: "a course counted before is refused too, even as another outcome",
			outs: []engOut{{title: "书法", code: "SF-101", credits: 2, completed: engDate(2023, 5, 1)}, {title: "书法（重修）", code: "sf-101", credits: 2}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionPending, engInst, true, 2, thisYear, "书法")
			},
			rule:  m(domain.Match{Category: domain.CategoryCommunity}),
			steps: [][]string{{"excluded.duplicate", "「书法（重修）」的课程 sf-101"}},
		},
		{
			name: "a rejected conversion counted nothing",
			outs: []engOut{{title: "插花（春）", credits: 2, unit: "CE-101"}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionRejected, engInst, true, 2, thisYear, "插花（春）")
			},
			rule: m(domain.Match{UnitCodes: []string{"CE-101"}}), eligible: true, used: []string{"插花（春）"}, award: 2,
		},
		{
			name: "the same unit twice on the record counts once",
			outs: []engOut{{title: "插花（春）", credits: 2, unit: "CE-101"}, {title: "插花（秋）", credits: 2, unit: "CE-101", completed: engDate(2024, 10, 1)}},
			rule: m(domain.Match{Category: domain.CategoryCommunity}, func(r *domain.Rule) { r.MinTotalCredits = 4 }),
			steps: [][]string{
				{"excluded.duplicate", "「插花（秋）」与「插花（春）」是同一认证单元 CE-101，只计一次"},
			},
		},
		{
			name: "admission eligibility may rely on a unit counted elsewhere",
			outs: []engOut{{title: "插花（春）", credits: 2, unit: "CE-101"}},
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, domain.ConversionApproved, engInst, false, 2, thisYear, "插花（春）")
			},
			rule: m(domain.Match{UnitCodes: []string{"CE-101"}}, func(r *domain.Rule) {
				r.Purpose, r.Target.ProgramCode, r.Award, r.Exclusive = domain.PurposeAdmission, "P1", domain.Award{}, false
			}),
			eligible: true, used: []string{"插花（春）"},
			absent: []string{"excluded.duplicate"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func TestRuleValidatesUnitsNoticeAndRuleCap(t *testing.T) {
	cases := []struct {
		name  string
		mod   func(r *domain.Rule)
		field string
	}{
		{"lower-case unit code", func(r *domain.Rule) {
			r.Condition = engAll(engM(domain.Match{UnitCodes: []string{"ce-1"}}))
		}, "condition.items[0].unitCodes[0]"},
		{"unit listed twice", func(r *domain.Rule) {
			r.Condition = engAll(engM(domain.Match{UnitCodes: []string{"CE-1", "CE-1"}}))
		}, "condition.items[0].unitCodes[1]"},
		{"negative notice", func(r *domain.Rule) { r.NoticeDays = -1 }, "noticeDays"},
		{"notice too long", func(r *domain.Rule) { r.NoticeDays = domain.MaxNoticeDays + 1 }, "noticeDays"},
		{"rule cap not in half credits", func(r *domain.Rule) { r.CapPerYear = 1.2 }, "capPerYear"},
		{"rule cap without an award", func(r *domain.Rule) {
			r.Purpose, r.Target.ProgramCode, r.Award, r.CapPerYear = domain.PurposeAdmission, "P1", domain.Award{}, 4
		}, "capPerYear"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := engRule(engCat(domain.CategoryCommunity))
			tc.mod(&r)
			err := r.Validate()
			ve, ok := err.(*domain.ValidationError)
			if !ok {
				t.Fatalf("Validate = %v, want a validation error", err)
			}
			found := false
			for _, p := range ve.Problems {
				found = found || p.Field == tc.field
			}
			if !found {
				t.Fatalf("problems %v do not name %s", ve.Problems, tc.field)
			}
		})
	}
	ok := engRule(engAll(engM(domain.Match{UnitCodes: []string{"CE-1", "VT-2"}, MinLevel: 3})), func(r *domain.Rule) {
		r.NoticeDays, r.CapPerYear = 5, 10
	})
	if err := ok.Validate(); err != nil {
		t.Fatalf("a valid rule on units: %v", err)
	}
}

// Pathways suggest the courses that lead to the units a rule still needs.
func TestPathwaySuggestsCoursesByMissingUnits(t *testing.T) {
	var courses []domain.Course
	for _, c := range []struct{ code, title, unit string }{
		{"CH-1", "茶艺入门", "CE-102"},
		{"CH-2", "茶艺（周末班）", "CE-102"},
		{"HX-1", "花艺", "CE-109"},
		{"SF-1", "书法", ""},
	} {
		course, err := domain.NewCourse(domain.CourseInput{Code: c.code, Title: c.title, Category: "community", Hours: 32,
			UnitCode: c.unit, Place: "学习中心"}, engIssuerA, engNow)
		if err != nil {
			t.Fatal(err)
		}
		courses = append(courses, course)
	}
	cat := domain.NewCatalogue(courses, domain.DefaultCreditPolicy(), engNow)
	acc := engAccount(t)
	engDeposit(t, acc, engOut{title: "插花", credits: 2, unit: "CE-101"})
	rule := engRule(engAll(engM(domain.Match{UnitCodes: []string{"CE-101"}}), engM(domain.Match{UnitCodes: []string{"CE-102"}})))
	ps := domain.PlanPathways([]domain.Rule{rule}, acc, cat, engNow)
	if len(ps) != 1 || ps[0].Ready {
		t.Fatalf("pathways = %+v", ps)
	}
	var got []string
	for _, s := range ps[0].Suggestions {
		got = append(got, suggestionCodes(s))
	}
	if len(got) != 2 || got[0] != "CH-1" || got[1] != "CH-2" {
		t.Fatalf("suggestions %v, want the two courses leading to unit CE-102", got)
	}
	// Completing the first makes the learner eligible.
	engDeposit(t, acc, engOut{title: "茶艺入门", unit: "CE-102", completed: domain.DateOf(engNow)})
	if ev := domain.Evaluate(rule, acc, engNow); !ev.Eligible {
		t.Fatalf("not eligible after the suggested course:\n%s", engDump(ev))
	}
}
