package domain_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"creditbank/domain"

	"github.com/google/uuid"
)

// engConv is a conversion already on the account, as the workflow would have
// left it: status, institution, exclusivity, award, decision time and the
// outcomes it used (titles looked up on the account).
func engConv(t *testing.T, a *domain.Account, st domain.ConversionStatus, inst uuid.UUID, exclusive bool, awarded float64, at time.Time, titles ...string) {
	t.Helper()
	c := domain.Conversion{
		ID: domain.NewID(), AccountID: a.ID, RuleID: domain.NewID(), RuleCode: "OLD-" + domain.NewID().String()[:8],
		RuleName: "旧规则", InstitutionID: inst, Exclusive: exclusive, Status: st, AppliedAt: at, DecidedAt: &at,
		Evaluation: domain.Evaluation{Eligible: true, AwardedCredits: awarded},
	}
	for _, title := range titles {
		found := false
		for _, o := range a.Outcomes {
			if o.Title == title {
				c.Evaluation.Used = append(c.Evaluation.Used, domain.UsedOutcome{OutcomeID: o.ID, Title: o.Title, Category: o.Category, Credits: o.Credits})
				found = true
			}
		}
		if !found {
			t.Fatalf("engConv: no outcome %q", title)
		}
	}
	a.Conversions = append(a.Conversions, c)
}

type engEvalCase struct {
	name     string
	outs     []engOut
	setup    func(t *testing.T, a *domain.Account)
	rule     domain.Rule
	at       time.Time
	eligible bool
	used     []string // titles in candidate order
	award    float64
	steps    [][]string // code, then substrings its message must contain
	absent   []string   // codes that must not appear
}

func engRunEval(t *testing.T, tc engEvalCase) domain.Evaluation {
	t.Helper()
	a := engAccount(t)
	for _, o := range tc.outs {
		engDeposit(t, a, o)
	}
	if tc.setup != nil {
		tc.setup(t, a)
	}
	at := tc.at
	if at.IsZero() {
		at = engNow
	}
	ev := domain.Evaluate(tc.rule, a, at)
	if ev.Eligible != tc.eligible {
		t.Fatalf("eligible = %v, want %v; trace:\n%s", ev.Eligible, tc.eligible, engDump(ev))
	}
	if got := engUsed(ev); !slices.Equal(got, tc.used) {
		t.Errorf("used = %q, want %q; trace:\n%s", got, tc.used, engDump(ev))
	}
	if ev.AwardedCredits != tc.award {
		t.Errorf("awarded = %v, want %v; trace:\n%s", ev.AwardedCredits, tc.award, engDump(ev))
	}
	for _, s := range tc.steps {
		engTraceHas(t, ev, s[0], s[1:]...)
	}
	for _, code := range tc.absent {
		if slices.Contains(engCodes(ev), code) {
			t.Errorf("trace has %s, want none:\n%s", code, engDump(ev))
		}
	}
	last := ev.Trace[len(ev.Trace)-1].Code
	if want := map[bool]string{true: "eligible", false: "not_eligible"}[tc.eligible]; last != want {
		t.Errorf("last trace step %s, want %s", last, want)
	}
	if tc.eligible == (ev.Shortfall != nil) {
		t.Errorf("shortfall %+v with eligible=%v", ev.Shortfall, ev.Eligible)
	}
	return ev
}

func TestEvaluateMatchFields(t *testing.T) {
	m := func(m domain.Match) domain.Rule { return engRule(engAll(engM(m))) }
	cases := []engEvalCase{
		{
			name: "category",
			outs: []engOut{{title: "书法", cat: domain.CategoryCommunity, credits: 2}, {title: "太极", cat: domain.CategorySenior, credits: 1}},
			rule: m(domain.Match{Category: domain.CategoryCommunity}), eligible: true, used: []string{"书法"}, award: 2,
			steps: [][]string{{"match.ok", "condition.items[0]", "community 类", "「书法」"}, {"group.all.ok", "condition", "1/1"}},
		},
		{
			name:  "category missing",
			outs:  []engOut{{title: "书法", cat: domain.CategoryCommunity, credits: 2}},
			rule:  m(domain.Match{Category: domain.CategoryOnline}),
			steps: [][]string{{"match.fail", "condition.items[0]", "没有符合的成果"}, {"group.all.fail", "0/1"}},
		},
		{
			name: "issuerIds any of",
			outs: []engOut{{title: "甲课", credits: 1, issuer: engIssuerA}, {title: "乙课", credits: 2, issuer: engIssuerB}},
			rule: m(domain.Match{IssuerIDs: []uuid.UUID{engOther, engIssuerB}}), eligible: true, used: []string{"乙课"}, award: 2,
		},
		{
			name: "courseCode is exact but case-insensitive",
			outs: []engOut{{title: "计算机基础", code: "CS101", credits: 2}, {title: "计算机进阶", code: "CS1011", credits: 1}},
			rule: m(domain.Match{CourseCode: "cs101"}), eligible: true, used: []string{"计算机基础"}, award: 2,
		},
		{
			name: "titleContains is a case-insensitive substring",
			outs: []engOut{{title: "Python 编程入门", credits: 2}, {title: "Java 编程", credits: 1}},
			rule: m(domain.Match{TitleContains: "python"}), eligible: true, used: []string{"Python 编程入门"}, award: 2,
		},
		{
			name: "minLevel",
			outs: []engOut{{title: "电工四级", cat: domain.CategoryCertificate, level: 2, credits: 1}, {title: "电工三级", cat: domain.CategoryCertificate, level: 3, credits: 2}},
			rule: m(domain.Match{Category: domain.CategoryCertificate, MinLevel: 3}), eligible: true, used: []string{"电工三级"}, award: 2,
		},
		{
			name: "minScore uses the grade on the 100-point scale",
			outs: []engOut{{title: "英语写作", score: 75, credits: 1}, {title: "英语口语", grade: "A", credits: 2}},
			rule: m(domain.Match{MinScore: 80}), eligible: true, used: []string{"英语口语"}, award: 2,
		},
		{
			name:  "minScore: a plain pass counts as 60",
			outs:  []engOut{{title: "社区志愿服务", passed: true, credits: 1}},
			rule:  m(domain.Match{Category: domain.CategoryCommunity, MinScore: 61}),
			steps: [][]string{{"match.fail", "「社区志愿服务」成绩 60 低于 61"}},
		},
		{
			name: "minCredits",
			outs: []engOut{{title: "短课", credits: 1}, {title: "长课", credits: 3}},
			rule: m(domain.Match{MinCredits: 2}), eligible: true, used: []string{"长课"}, award: 2,
		},
		{
			name: "minHours",
			outs: []engOut{{title: "短课", hours: 20, credits: 1}, {title: "长课", hours: 40}},
			rule: m(domain.Match{MinHours: 32}), eligible: true, used: []string{"长课"}, award: 2,
		},
		{
			name: "maxAgeYears keeps recent outcomes",
			outs: []engOut{{title: "旧课", credits: 1, completed: engDate(2018, 5, 1)}, {title: "新课", credits: 2, completed: engDate(2023, 5, 1)}},
			rule: m(domain.Match{MaxAgeYears: 5}), eligible: true, used: []string{"新课"}, award: 2,
		},
		{
			name: "maxAgeYears includes the day exactly N years ago",
			outs: []engOut{{title: "边界课", credits: 1, completed: engDate(2020, 6, 15)}},
			rule: m(domain.Match{MaxAgeYears: 5}), eligible: true, used: []string{"边界课"}, award: 2,
		},
		{
			name:  "maxAgeYears excludes the day before",
			outs:  []engOut{{title: "过期课", credits: 1, completed: engDate(2020, 6, 14)}},
			rule:  m(domain.Match{Category: domain.CategoryCommunity, MaxAgeYears: 5}),
			steps: [][]string{{"match.fail", "「过期课」完成于 2020-06-14，已超过 5 年"}},
		},
		{
			name: "every constraint of one match must hold",
			outs: []engOut{
				{title: "Python 基础", code: "PY1", credits: 2, score: 90, hours: 32, level: 2, issuer: engIssuerA},
				{title: "Python 基础", code: "PY1", credits: 1.5, score: 90, hours: 32, level: 2, issuer: engIssuerB},
			},
			rule: m(domain.Match{
				Category: domain.CategoryCommunity, IssuerIDs: []uuid.UUID{engIssuerA}, CourseCode: "py1", TitleContains: "PYTHON",
				MinLevel: 2, MinScore: 90, MinCredits: 2, MinHours: 32, MaxAgeYears: 3,
			}),
			eligible: true, used: []string{"Python 基础"}, award: 2,
			steps: [][]string{{"match.ok", "2 学分"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func TestEvaluateGroups(t *testing.T) {
	com, sen, onl, cer := domain.CategoryCommunity, domain.CategorySenior, domain.CategoryOnline, domain.CategoryCertificate
	cat := func(c domain.Category) domain.Item { return engM(domain.Match{Category: c}) }
	// depth 4: all[ any[ all[ any[community, academic], senior ], certificate ], online ]
	deep := engAll(
		engG(engAny(
			engG(engAll(
				engG(engAny(cat(com), cat(domain.CategoryAcademic))),
				cat(sen),
			)),
			cat(cer),
		)),
		cat(onl),
	)
	cases := []engEvalCase{
		{
			name: "nested groups take the cheaper branch of an any",
			outs: []engOut{{title: "社区课", cat: com, credits: 1}, {title: "老年课", cat: sen, credits: 1}, {title: "网课", cat: onl, credits: 1}, {title: "证书", cat: cer, credits: 3}},
			rule: engRule(deep), eligible: true, used: []string{"社区课", "老年课", "网课"}, award: 2,
			steps: [][]string{
				{"match.ok", "condition.items[0].items[0].items[0].items[0]", "「社区课」"},
				{"group.any.ok", "condition.items[0].items[0].items[0]", "1/2"},
				{"group.all.ok", "condition.items[0].items[0]", "2/2"},
				{"group.any.ok", "condition.items[0]", "1/2"},
				{"group.all.ok", "condition（全部满足）", "2/2"},
			},
		},
		{
			name: "nested groups switch branch when it is cheaper",
			outs: []engOut{{title: "社区课", cat: com, credits: 1}, {title: "老年课", cat: sen, credits: 1}, {title: "网课", cat: onl, credits: 1}, {title: "证书", cat: cer, credits: 1.5}},
			rule: engRule(deep), eligible: true, used: []string{"网课", "证书"}, award: 2,
			steps: [][]string{{"match.ok", "condition.items[0].items[1]", "「证书」"}},
		},
		{
			name:  "nested groups name the deep item that fails",
			outs:  []engOut{{title: "社区课", cat: com, credits: 1}, {title: "网课", cat: onl, credits: 1}},
			rule:  engRule(deep),
			steps: [][]string{{"match.fail", "condition.items[0].items[0].items[1]", "senior"}, {"group.any.fail", "condition.items[0]", "0/2"}},
		},
		{
			name: "n_of takes the cheapest n items",
			outs: []engOut{{title: "社区课", cat: com, credits: 3}, {title: "老年课", cat: sen, credits: 1}, {title: "网课", cat: onl, credits: 1.5}},
			rule: engRule(engNOf(2, cat(com), cat(sen), cat(onl))), eligible: true, used: []string{"老年课", "网课"}, award: 2,
			steps: [][]string{{"group.n_of.ok", "condition（满足其中 2 项）", "2/3"}},
		},
		{
			name:  "n_of short of n",
			outs:  []engOut{{title: "社区课", cat: com, credits: 3}},
			rule:  engRule(engNOf(2, cat(com), cat(sen), cat(onl))),
			steps: [][]string{{"group.n_of.fail", "可满足 1/3 项，需要 2 项"}, {"match.ok", "condition.items[0]", "「社区课」"}},
		},
		{
			name: "any with one match",
			outs: []engOut{{title: "网课", cat: onl, credits: 1}},
			rule: engRule(engAny(cat(sen), cat(onl))), eligible: true, used: []string{"网课"}, award: 2,
		},
		{
			name:  "all needs distinct outcomes",
			outs:  []engOut{{title: "社区课", cat: com, credits: 1}},
			rule:  engRule(engAll(cat(com), engM(domain.Match{TitleContains: "社区"}))),
			steps: [][]string{{"select.fail", "同一成果只能使用一次"}},
		},
		{
			name: "all with two distinct outcomes",
			outs: []engOut{{title: "社区课一", cat: com, credits: 1, completed: engDate(2024, 1, 1)}, {title: "社区课二", cat: com, credits: 1, completed: engDate(2024, 2, 1)}},
			rule: engRule(engAll(cat(com), engM(domain.Match{TitleContains: "社区"}))), eligible: true, used: []string{"社区课一", "社区课二"}, award: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func TestEvaluateMinTotalCredits(t *testing.T) {
	com := domain.CategoryCommunity
	min := func(c float64) func(*domain.Rule) { return func(r *domain.Rule) { r.MinTotalCredits = c } }
	cases := []engEvalCase{
		{
			name: "3, 2, 2 with minimum 4 uses 2 + 2",
			outs: []engOut{{title: "甲", credits: 3}, {title: "乙", credits: 2, completed: engDate(2024, 1, 1)}, {title: "丙", credits: 2, completed: engDate(2024, 2, 1)}},
			rule: engRule(engCat(com), min(4)), eligible: true, used: []string{"乙", "丙"}, award: 2,
			steps: [][]string{{"total.ok", "合计 4 学分", "另用 「丙」"}},
		},
		{
			name: "one outcome of exactly the minimum beats a larger pair",
			outs: []engOut{{title: "甲", credits: 2}, {title: "乙", credits: 3}, {title: "丙", credits: 4}},
			rule: engRule(engCat(com), min(4)), eligible: true, used: []string{"丙"}, award: 2,
		},
		{
			name: "smallest sum above the minimum",
			outs: []engOut{{title: "甲", credits: 1.5}, {title: "乙", credits: 2.5}, {title: "丙", credits: 3.5}},
			rule: engRule(engCat(com), min(3.5)), eligible: true, used: []string{"丙"}, award: 2,
		},
		{
			name:  "only outcomes matching some item count towards the total",
			outs:  []engOut{{title: "社区课", credits: 2}, {title: "老年课", cat: domain.CategorySenior, credits: 5}},
			rule:  engRule(engCat(com), min(4)),
			steps: [][]string{{"total.short", "合计 2 学分，要求 4 学分"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func TestEvaluateAward(t *testing.T) {
	sum := func(ratio, min float64) func(*domain.Rule) {
		return func(r *domain.Rule) {
			r.Award = domain.Award{Mode: domain.AwardSum, Ratio: ratio}
			r.MinTotalCredits = min
		}
	}
	cases := []engEvalCase{
		{
			name: "fixed",
			outs: []engOut{{title: "甲", credits: 5}},
			rule: engRule(engCat(domain.CategoryCommunity), func(r *domain.Rule) { r.Award.Credits = 3.5 }), eligible: true, used: []string{"甲"}, award: 3.5,
			steps: [][]string{{"award.fixed", "固定授予 3.5 学分"}}, absent: []string{"award.sum", "round.half"},
		},
		{
			name: "ratio of the credits used",
			outs: []engOut{{title: "甲", credits: 3}},
			rule: engRule(engCat(domain.CategoryCommunity), sum(0.5, 0)), eligible: true, used: []string{"甲"}, award: 1.5,
			steps: [][]string{{"award.sum", "0.5 × 3 学分 = 1.5 学分"}}, absent: []string{"round.half"},
		},
		{
			name: "ratio rounds down to half credits",
			outs: []engOut{{title: "甲", credits: 2.5}},
			rule: engRule(engCat(domain.CategoryCommunity), sum(0.5, 0)), eligible: true, used: []string{"甲"}, award: 1,
			steps: [][]string{{"award.sum", "= 1.25 学分"}, {"round.half", "1.25 → 1 学分"}},
		},
		{
			name: "ratio selects enough credits for half a credit",
			outs: []engOut{{title: "甲", credits: 1}, {title: "乙", credits: 2}},
			rule: engRule(engCat(domain.CategoryCommunity), sum(0.3, 0)), eligible: true, used: []string{"乙"}, award: 0.5,
			steps: [][]string{{"round.half", "0.6 → 0.5"}},
		},
		{
			name:  "ratio with too few credits for half a credit",
			outs:  []engOut{{title: "甲", credits: 1}},
			rule:  engRule(engCat(domain.CategoryCommunity), sum(0.25, 0)),
			steps: [][]string{{"total.short", "要求 2 学分"}},
		},
		{
			name: "admission awards no credits",
			outs: []engOut{{title: "证书", cat: domain.CategoryCertificate, credits: 2}},
			rule: engRule(engCat(domain.CategoryCertificate), func(r *domain.Rule) {
				r.Purpose, r.Target.ProgramCode, r.Award, r.Exclusive = domain.PurposeAdmission, "GZ-ELEC", domain.Award{}, false
			}),
			eligible: true, used: []string{"证书"}, award: 0,
			steps: [][]string{{"award.none"}, {"eligible", "资格认定通过"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func TestEvaluateCaps(t *testing.T) {
	caps := func(cs ...domain.Cap) func(*domain.Rule) { return func(r *domain.Rule) { r.Caps = cs } }
	perYear := func(c float64) domain.Cap { return domain.Cap{Scope: domain.CapPerYear, MaxCredits: c} }
	lifetime := func(c float64) domain.Cap { return domain.Cap{Scope: domain.CapLifetime, MaxCredits: c} }
	outs := []engOut{{title: "甲", credits: 3}}
	approved, pending, rejected, review := domain.ConversionApproved, domain.ConversionPending, domain.ConversionRejected, domain.ConversionNeedsReview
	cases := []engEvalCase{
		{
			name: "per_year counts only this calendar year at this institution",
			outs: outs,
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, approved, engInst, false, 3, engDate(2025, 3, 1))
				engConv(t, a, approved, engInst, false, 3, engDate(2024, 12, 31))
				engConv(t, a, approved, engOther, false, 5, engDate(2025, 2, 1))
			},
			rule: engRule(engCat(domain.CategoryCommunity), caps(perYear(4))), eligible: true, used: []string{"甲"}, award: 1,
			steps: [][]string{{"cap.per_year", "2025 年度", "已获转换 3 学分", "剩余 1 学分", "由 2 减为 1"}},
		},
		{
			name: "per_year ignores last year",
			outs: outs,
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, approved, engInst, false, 3, engDate(2024, 12, 31))
			},
			rule: engRule(engCat(domain.CategoryCommunity), caps(perYear(4))), eligible: true, used: []string{"甲"}, award: 2,
			steps: [][]string{{"cap.per_year", "已获转换 0 学分", "未超过上限 4 学分"}},
		},
		{
			name: "per_year counts pending and needs_review, not rejected",
			outs: outs,
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, pending, engInst, false, 1, engDate(2025, 1, 10))
				engConv(t, a, review, engInst, false, 1, engDate(2025, 1, 11))
				engConv(t, a, rejected, engInst, false, 2, engDate(2025, 1, 12))
			},
			rule: engRule(engCat(domain.CategoryCommunity), caps(perYear(3))), eligible: true, used: []string{"甲"}, award: 1,
		},
		{
			name: "per_year reached",
			outs: outs,
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, approved, engInst, false, 4, engDate(2025, 1, 10))
			},
			rule:  engRule(engCat(domain.CategoryCommunity), caps(perYear(4))),
			steps: [][]string{{"cap.per_year", "已达上限 4 学分"}},
		},
		{
			name: "lifetime counts every year",
			outs: outs,
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, approved, engInst, false, 3, engDate(2021, 5, 1))
				engConv(t, a, approved, engInst, false, 1, engDate(2025, 5, 1))
			},
			rule:  engRule(engCat(domain.CategoryCommunity), caps(perYear(10), lifetime(4))),
			steps: [][]string{{"cap.per_year", "已获转换 1 学分"}, {"cap.lifetime", "累计", "已获转换 4 学分", "已达上限 4 学分"}},
		},
		{
			name: "lifetime leaves a remainder",
			outs: outs,
			setup: func(t *testing.T, a *domain.Account) {
				engConv(t, a, approved, engInst, false, 3.5, engDate(2021, 5, 1))
			},
			rule: engRule(engCat(domain.CategoryCommunity), caps(lifetime(4))), eligible: true, used: []string{"甲"}, award: 0.5,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func TestEvaluateCandidates(t *testing.T) {
	com := domain.CategoryCommunity
	revoke := func(title string) func(*testing.T, *domain.Account) {
		return func(t *testing.T, a *domain.Account) {
			t.Helper()
			for _, o := range a.Outcomes {
				if o.Title == title {
					if _, err := a.Revoke(o.ID, o.IssuerID, "录入错误", engNow); err != nil {
						t.Fatalf("Revoke: %v", err)
					}
				}
			}
		}
	}
	held := func(st domain.ConversionStatus, exclusive bool) func(*testing.T, *domain.Account) {
		return func(t *testing.T, a *domain.Account) { engConv(t, a, st, engOther, exclusive, 0, engNow, "甲") }
	}
	twoOuts := []engOut{{title: "甲", credits: 1}, {title: "乙", credits: 2}}
	nonExclusive := func(r *domain.Rule) { r.Exclusive = false }
	cases := []engEvalCase{
		{
			name: "revoked outcomes are not candidates", outs: twoOuts, setup: revoke("甲"),
			rule: engRule(engCat(com)), eligible: true, used: []string{"乙"}, award: 2,
			steps: [][]string{{"excluded.revoked", "「甲」已撤销"}, {"candidates", "可用成果 1 项，共 2 学分"}},
		},
		{
			name: "expired outcomes are not candidates",
			outs: []engOut{
				{title: "旧证", cat: domain.CategoryCertificate, credits: 1, completed: engDate(2022, 1, 1), expires: ptrTime(engDate(2025, 6, 15))},
				{title: "新证", cat: domain.CategoryCertificate, credits: 2, completed: engDate(2022, 1, 1), expires: ptrTime(engDate(2025, 6, 16))},
			},
			rule: engRule(engCat(domain.CategoryCertificate)), eligible: true, used: []string{"新证"}, award: 2,
			steps: [][]string{{"excluded.expired", "「旧证」已于 2025-06-15 过期"}},
		},
		{
			name: "outcomes completed after the evaluation time are not candidates",
			outs: []engOut{{title: "甲", credits: 1, completed: engDate(2024, 9, 1)}},
			rule: engRule(engCat(com)), at: engDate(2024, 8, 31),
			steps: [][]string{{"excluded.not_completed", "「甲」完成日期 2024-09-01"}, {"candidates", "可用成果 0 项"}},
		},
		{
			name: "an outcome held by a live exclusive conversion is not a candidate", outs: twoOuts,
			setup: held(domain.ConversionApproved, true),
			rule:  engRule(engCat(com)), eligible: true, used: []string{"乙"}, award: 2,
			steps: [][]string{{"excluded.exclusive", "「甲」已被转换申请「旧规则」"}},
		},
		{
			name: "needs_review still holds its outcomes", outs: twoOuts,
			setup: held(domain.ConversionNeedsReview, true),
			rule:  engRule(engCat(com)), eligible: true, used: []string{"乙"}, award: 2,
		},
		{
			name: "a non-exclusive rule may use an exclusively held outcome", outs: twoOuts,
			setup: held(domain.ConversionApproved, true),
			rule:  engRule(engCat(com), nonExclusive), eligible: true, used: []string{"甲"}, award: 2,
			absent: []string{"excluded.exclusive"},
		},
		{
			name: "a non-exclusive conversion holds nothing", outs: twoOuts,
			setup: held(domain.ConversionApproved, false),
			rule:  engRule(engCat(com)), eligible: true, used: []string{"甲"}, award: 2,
		},
		{
			name: "a rejected conversion releases its outcomes", outs: twoOuts,
			setup: held(domain.ConversionRejected, true),
			rule:  engRule(engCat(com)), eligible: true, used: []string{"甲"}, award: 2,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { engRunEval(t, tc) })
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func TestEvaluateShortfallText(t *testing.T) {
	com, sen := domain.CategoryCommunity, domain.CategorySenior
	cases := []struct {
		name    string
		outs    []engOut
		rule    domain.Rule
		credits float64
		message string
	}{
		{
			name:    "credits missing of one category",
			outs:    []engOut{{title: "甲", credits: 2}, {title: "乙", hours: 8}},
			rule:    engRule(engCat(com), func(r *domain.Rule) { r.MinTotalCredits = 4 }),
			credits: 1.5,
			message: "需要再获得 1.5 学分 community 类成果",
		},
		{
			name:    "credits missing of either category",
			outs:    []engOut{{title: "甲", credits: 1}, {title: "乙", cat: sen, credits: 1}},
			rule:    engRule(engAny(engM(domain.Match{Category: com}), engM(domain.Match{Category: sen})), func(r *domain.Rule) { r.MinTotalCredits = 5 }),
			credits: 3,
			message: "需要再获得 3 学分 community 或 senior 类成果",
		},
		{
			name:    "credits missing without a category",
			outs:    []engOut{{title: "Python", credits: 1}},
			rule:    engRule(engAll(engM(domain.Match{TitleContains: "python"})), func(r *domain.Rule) { r.MinTotalCredits = 2 }),
			credits: 1,
			message: "需要再获得 1 学分符合条件的成果",
		},
		{
			name:    "an item nothing matches",
			outs:    []engOut{{title: "甲", credits: 2}},
			rule:    engRule(engAll(engM(domain.Match{Category: com}), engM(domain.Match{Category: sen, MinHours: 32}))),
			message: "条件未满足：condition.items[1]（senior 类（老年教育），学时 ≥ 32）没有符合的成果",
		},
		{
			name:    "an item nothing matches and credits missing",
			outs:    []engOut{{title: "甲", credits: 2}},
			rule:    engRule(engAll(engM(domain.Match{Category: com}), engM(domain.Match{Category: sen})), func(r *domain.Rule) { r.MinTotalCredits = 3 }),
			credits: 1,
			message: "条件未满足：condition.items[1]（senior 类（老年教育））没有符合的成果；另外需要再获得 1 学分 community 或 senior 类成果",
		},
		{
			name: "n_of names the items that cannot be met",
			outs: []engOut{{title: "甲", credits: 2}},
			rule: engRule(engNOf(2, engM(domain.Match{Category: com}), engM(domain.Match{Category: sen}),
				engM(domain.Match{Category: domain.CategoryOnline}))),
			message: "条件未满足：condition 需满足 2 项，目前只有 1 项可满足，其余：condition.items[1]（senior 类（老年教育））没有符合的成果；condition.items[2]（online 类（网络课程））没有符合的成果",
		},
		{
			name:    "overlapping matches",
			outs:    []engOut{{title: "甲", credits: 2}},
			rule:    engRule(engAll(engM(domain.Match{Category: com}), engM(domain.Match{MinCredits: 1}))),
			message: "符合各条件项的成果有重叠，同一成果只能使用一次：需要更多不同的成果",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := engAccount(t)
			for _, o := range tc.outs {
				engDeposit(t, a, o)
			}
			ev := domain.Evaluate(tc.rule, a, engNow)
			if ev.Eligible || ev.Shortfall == nil {
				t.Fatalf("eligible = %v, shortfall %v; want a shortfall", ev.Eligible, ev.Shortfall)
			}
			if ev.Shortfall.Message != tc.message || ev.Shortfall.Credits != tc.credits {
				t.Errorf("shortfall = %v %q\nwant      %v %q", ev.Shortfall.Credits, ev.Shortfall.Message, tc.credits, tc.message)
			}
			if len(ev.Used) != 0 || ev.AwardedCredits != 0 {
				t.Errorf("not eligible but used %v, awarded %v", engUsed(ev), ev.AwardedCredits)
			}
		})
	}
}

func TestEvaluateIsDeterministic(t *testing.T) {
	a := engAccount(t)
	// Equal credits and dates make the outcome ID the deciding key.
	for _, title := range []string{"甲", "乙", "丙", "丁", "戊"} {
		engDeposit(t, a, engOut{title: title, credits: 2, completed: engDate(2024, 3, 1)})
	}
	engDeposit(t, a, engOut{title: "己", credits: 1, cat: domain.CategorySenior})
	engDeposit(t, a, engOut{title: "庚", credits: 1.5, cat: domain.CategorySenior})
	rule := engRule(engAll(
		engG(engNOf(2, engM(domain.Match{Category: domain.CategoryCommunity}), engM(domain.Match{Category: domain.CategorySenior}), engM(domain.Match{MinCredits: 2}))),
	), func(r *domain.Rule) { r.MinTotalCredits = 5; r.Award = domain.Award{Mode: domain.AwardSum, Ratio: 0.5} })
	want := domain.Evaluate(rule, a, engNow)
	if !want.Eligible {
		t.Fatalf("not eligible:\n%s", engDump(want))
	}
	rng := newEngRand(7)
	for i := range 50 {
		b := *a
		b.Outcomes = slices.Clone(a.Outcomes)
		rng.Shuffle(len(b.Outcomes), func(i, j int) { b.Outcomes[i], b.Outcomes[j] = b.Outcomes[j], b.Outcomes[i] })
		got := domain.Evaluate(rule, &b, engNow)
		if !engSameEvaluation(got, want) {
			t.Fatalf("shuffle %d: evaluation differs\ngot:\n%s\nwant:\n%s", i, engDump(got), engDump(want))
		}
	}
}

func engSameEvaluation(a, b domain.Evaluation) bool {
	return a.Eligible == b.Eligible && a.AwardedCredits == b.AwardedCredits && a.UsedCredits == b.UsedCredits &&
		slices.Equal(a.Used, b.Used) && reflect.DeepEqual(a.Trace, b.Trace) && a.EvaluatedAt.Equal(b.EvaluatedAt) &&
		reflect.DeepEqual(a.Shortfall, b.Shortfall)
}

func TestEvaluateInvalidRuleIsNotEligible(t *testing.T) {
	a := engAccount(t)
	engDeposit(t, a, engOut{title: "甲", credits: 2})
	rule := engRule(domain.Group{Op: domain.OpAll})
	ev := domain.Evaluate(rule, a, engNow)
	if ev.Eligible {
		t.Fatal("an empty condition must not make everyone eligible")
	}
	engTraceHas(t, ev, "rule.invalid", "condition.items")
}

func TestEvaluateBoundsLargeSearches(t *testing.T) {
	// 40 interchangeable outcomes and a rule asking for 20 distinct ones of
	// them plus a total: the exhaustive search would explode, the bound and
	// pruning keep it small and the answer is still the cheapest.
	a := engAccount(t)
	for i := range 40 {
		engDeposit(t, a, engOut{title: "课程" + string(rune('A'+i)), credits: float64(1 + i%3), completed: engDate(2024, 1, 1+i%28)})
	}
	var items []domain.Item
	for range 20 {
		items = append(items, engM(domain.Match{Category: domain.CategoryCommunity}))
	}
	rule := engRule(engAll(items...), func(r *domain.Rule) { r.MinTotalCredits = 30 })
	ev := domain.Evaluate(rule, a, engNow)
	if !ev.Eligible {
		t.Fatalf("not eligible:\n%s", engDump(ev))
	}
	if ev.UsedCredits != 30 {
		t.Errorf("used %v credits, want the minimum 30", ev.UsedCredits)
	}
	seen := map[uuid.UUID]bool{}
	for _, u := range ev.Used {
		if seen[u.OutcomeID] {
			t.Fatalf("outcome %s used twice", u.Title)
		}
		seen[u.OutcomeID] = true
	}
}

func TestEvaluateFallsBackToGreedyPastTheBound(t *testing.T) {
	// The first branch looks satisfiable item by item but needs 12 distinct
	// community outcomes of only 11: proving that takes more steps than the
	// bound allows, so the greedy fallback decides, and it finds the second
	// branch.
	a := engAccount(t)
	for i := range 11 {
		engDeposit(t, a, engOut{title: "社区课" + string(rune('A'+i)), credits: 1})
	}
	engDeposit(t, a, engOut{title: "网课", cat: domain.CategoryOnline, credits: 2})
	var items []domain.Item
	for range 12 {
		items = append(items, engM(domain.Match{Category: domain.CategoryCommunity}))
	}
	rule := engRule(engAny(engG(engAll(items...)), engM(domain.Match{Category: domain.CategoryOnline})))
	ev := domain.Evaluate(rule, a, engNow)
	if !ev.Eligible || !slices.Equal(engUsed(ev), []string{"网课"}) {
		t.Fatalf("eligible=%v used=%q, want the online branch:\n%s", ev.Eligible, engUsed(ev), engDump(ev))
	}
}
