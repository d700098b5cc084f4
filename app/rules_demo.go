package main

import (
	"context"
	"fmt"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
)

// demoRules are the demo district's conversion rules, published at seeding.
func demoRules(insts map[string]domain.Institution, from time.Time) []domain.Rule {
	match := func(m domain.Match) domain.Item { return domain.Item{Match: &m} }
	return []domain.Rule{
		{
			Code: "OU-EXEMPT-CS101", Name: "社区教育成果免修《计算机应用基础》",
			Description:   "社区教育类成果累计不少于 4 学分，可申请免修开放大学《计算机应用基础》（2 学分），由开放大学教务审核。",
			InstitutionID: insts["ou"].ID, Purpose: domain.PurposeExemption,
			Target:          domain.RuleTarget{CourseCode: "OU-CS-101", Credits: 2},
			Condition:       domain.Group{Op: domain.OpAll, Items: []domain.Item{match(domain.Match{Category: domain.CategoryCommunity})}},
			MinTotalCredits: 4,
			Award:           domain.Award{Mode: domain.AwardFixed, Credits: 2},
			Exclusive:       true, Approval: domain.ApprovalManual, EffectiveFrom: from,
		},
		{
			Code: "OU-ELECTIVE-SENIOR", Name: "老年大学课程认定选修学分",
			Description:   "老年大学单门课程不少于 32 学时且成绩不低于 80 分，自动认定开放大学选修课 1 学分。本规则每年最多认定 2 学分；此外，每人每年在开放大学经所有转换规则获得的学分合计不超过 6 学分。",
			InstitutionID: insts["ou"].ID, Purpose: domain.PurposeCredit,
			Target: domain.RuleTarget{CourseCode: "OU-ELECTIVE", Credits: 1},
			Condition: domain.Group{Op: domain.OpAll, Items: []domain.Item{
				match(domain.Match{Category: domain.CategorySenior, MinHours: 32, MinScore: 80})}},
			Award: domain.Award{Mode: domain.AwardFixed, Credits: 1},
			// Both kinds of cap, each as the description says: the rule's
			// own, and the institution's over all its rules.
			CapPerYear: 2,
			Caps:       []domain.Cap{{Scope: domain.CapPerYear, MaxCredits: 6}},
			Exclusive:  true, Approval: domain.ApprovalAuto, EffectiveFrom: from,
		},
		{
			Code: "HV-ADMIT-ECE", Name: "职业技能证书申请学前教育专业入学资格",
			Description:   "电工、育婴员、保育师三类四级及以上职业技能等级证书中任持两项，可申请示范职业技术学院学前教育专业（成人）入学资格，由招生办审核。",
			InstitutionID: insts["hv"].ID, Purpose: domain.PurposeAdmission,
			Target: domain.RuleTarget{ProgramCode: "HV-ECE-ADULT"},
			Condition: domain.Group{Op: domain.OpNOf, N: 2, Items: []domain.Item{
				match(domain.Match{Category: domain.CategoryCertificate, CourseCode: "CERT-ELEC-4", MinLevel: 4}),
				match(domain.Match{Category: domain.CategoryCertificate, CourseCode: "CERT-NURSE-4", MinLevel: 4}),
				match(domain.Match{Category: domain.CategoryCertificate, CourseCode: "CERT-CARE-4", MinLevel: 4}),
			}},
			// Admission by recognised learning is announced before it is final.
			NoticeDays: 5, Exclusive: false, Approval: domain.ApprovalManual, EffectiveFrom: from,
		},
		{
			Code: "OU-CREDIT-VOC", Name: "职业培训学分转换为开放大学专业学分",
			Description:   "近 5 年内职业培训或职业技能证书成果，按 0.5 的比例转换为开放大学专业课学分，终身累计不超过 10 学分。",
			InstitutionID: insts["ou"].ID, Purpose: domain.PurposeCredit,
			Target: domain.RuleTarget{ProgramCode: "OU-MECH"},
			Condition: domain.Group{Op: domain.OpAny, Items: []domain.Item{
				match(domain.Match{Category: domain.CategoryVocational, MaxAgeYears: 5}),
				match(domain.Match{Category: domain.CategoryCertificate, MaxAgeYears: 5}),
			}},
			MinTotalCredits: 4,
			Award:           domain.Award{Mode: domain.AwardSum, Ratio: 0.5},
			Caps:            []domain.Cap{{Scope: domain.CapLifetime, MaxCredits: 10}},
			Exclusive:       true, Approval: domain.ApprovalManual, EffectiveFrom: from,
		},
	}
}

// seedDemoRules creates and publishes the demo rules.
func seedDemoRules(ctx context.Context, svc *service.Service, insts map[string]domain.Institution) error {
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, domain.DistrictZone)
	for _, r := range demoRules(insts, from) {
		created, err := svc.CreateRule(ctx, service.System, service.Op{}, r)
		if err != nil {
			return fmt.Errorf("rule %s: %w", r.Code, err)
		}
		if _, err := svc.PublishRule(ctx, service.System, created.ID); err != nil {
			return fmt.Errorf("publish %s: %w", r.Code, err)
		}
	}
	return nil
}
