package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// demoFramework is an example learning-outcomes framework, labelled as one:
// the district's real framework is the education authority's to publish.
func demoFramework() domain.Framework {
	type lv struct{ zh, en, k, s, c string }
	levels := []lv{
		{"入门", "Entry", "了解日常生活与学习所需的基本常识", "在指导下完成简单、重复的任务", "在熟悉环境中按要求行事"},
		{"基础", "Foundation", "掌握某一领域的基础知识", "运用基本方法完成常规任务", "在一定指导下对自己的学习负责"},
		{"初级", "Elementary", "理解领域内的事实、原理与一般概念", "选择并运用基本工具解决常见问题", "在变化不大的情境中自主完成工作"},
		{"中级", "Intermediate", "掌握领域内较宽的事实与理论知识", "解决领域内具体问题，形成方案", "在可预见但会变化的情境中自我管理，指导他人的常规工作"},
		{"高级", "Advanced", "系统掌握领域知识并了解其边界", "综合运用技能创造性地解决抽象问题", "管理和监督会出现不可预见变化的工作"},
		{"专业", "Professional", "掌握领域前沿知识并能批判性理解", "解决复杂且不可预见的专业问题", "承担复杂技术或专业活动的决策责任"},
		{"精深", "Expert", "具备高度专门化的知识，作为原创思考的基础", "开展研究与创新，整合不同领域知识", "管理复杂多变的工作情境，对团队的专业发展负责"},
		{"卓越", "Leading", "处于领域最前沿，贯通相关学科", "运用最先进的技能解决关键问题", "在工作与学习中展现权威、创新与持续承诺"},
	}
	f := domain.Framework{
		NameZH: "示例学习成果框架（演示用，非官方）",
		NameEN: "Example learning-outcomes framework (demo only, not official)",
		Note:   "本框架仅为演示示例，不代表任何官方资历框架；级别与欧洲资历框架（EQF）的对应亦为示意。 This framework is an example for the demo only; it is not an official qualifications framework, and its EQF crosswalk is illustrative.",
	}
	for i, l := range levels {
		f.Levels = append(f.Levels, domain.FrameworkLevel{Level: i + 1, NameZH: "第" + fmt.Sprint(i+1) + "级 " + l.zh, NameEN: "Level " + fmt.Sprint(i+1) + " " + l.en,
			Knowledge: l.k, Skills: l.s, Competence: l.c, EQF: i + 1})
	}
	return f
}

type demoUnit struct {
	code, zh, en, category, assessment string
	level                              int
	credits, hours                     float64
	outcomes                           string
}

// demoUnits are certification units across the four sectors: community
// education, vocational training and certificates, senior education, and
// the open university's degree courses.
var demoUnits = []demoUnit{
	{"CE-101", "社区插花艺术", "Community flower arranging", "community", "practical", 2, 1.5, 24, "能独立完成三种基本花型的设计与制作"},
	{"CE-102", "家庭理财基础", "Household finance basics", "community", "exam", 2, 2, 32, "能编制家庭收支预算，识别常见金融诈骗"},
	{"CE-103", "社区英语（初级）", "Community English (elementary)", "community", "exam", 2, 2.5, 40, "能用英语进行日常问候、问路与购物"},
	{"CE-104", "应急救护", "First aid", "community", "practical", 3, 1, 16, "能规范实施心肺复苏与自动体外除颤"},
	{"CE-105", "家庭教育指导", "Family education guidance", "community", "portfolio", 3, 1, 20, "能分析常见亲子沟通问题并提出改进方案"},
	{"CE-106", "社区志愿服务组织", "Organising community volunteering", "community", "project", 4, 3, 48, "能策划并组织一次社区志愿服务活动"},
	{"VT-201", "低压电工作业", "Low-voltage electrical work", "vocational", "practical", 3, 4, 64, "能按规范完成低压线路的安装、检测与排障"},
	{"VT-202", "电梯维修保养", "Lift maintenance", "vocational", "practical", 4, 5, 80, "能完成电梯的日常保养与常见故障排除"},
	{"VT-203", "中式烹调", "Chinese cookery", "vocational", "practical", 3, 6, 96, "能独立完成二十道常见菜肴的制作"},
	{"VT-204", "办公软件高级应用", "Advanced office software", "vocational", "exam", 3, 3, 48, "能使用数据透视、邮件合并与宏完成办公任务"},
	{"VT-205", "电子商务运营", "E-commerce operations", "vocational", "project", 4, 4.5, 72, "能独立运营一个网店并分析其经营数据"},
	{"VT-206", "育婴员（四级）", "Infant care (level 4)", "certificate", "exam", 4, 6, 96, "能照料 0–3 岁婴幼儿生活并进行早期发展指导"},
	{"VT-207", "保育师（四级）", "Childcare worker (level 4)", "certificate", "exam", 4, 6, 96, "能组织托育机构一日生活并保障幼儿安全"},
	{"VT-208", "电工（四级）", "Electrician (level 4)", "certificate", "exam", 4, 7.5, 120, "能完成电气设备的安装、调试与维护"},
	{"VT-209", "养老护理员（四级）", "Elderly care worker (level 4)", "certificate", "observation", 4, 6.5, 104, "能为失能老人提供生活照料与基础护理"},
	{"SE-301", "书法（楷书）", "Calligraphy (regular script)", "senior", "portfolio", 2, 3, 48, "能临写楷书碑帖并完成一幅作品"},
	{"SE-302", "智能手机应用", "Using a smartphone", "senior", "practical", 1, 2, 32, "能使用手机完成通讯、出行、支付与防诈骗设置"},
	{"SE-303", "太极拳（二十四式）", "Tai chi (24 forms)", "senior", "observation", 2, 2, 32, "能完整、规范地演练二十四式太极拳"},
	{"SE-304", "合唱与声乐基础", "Choir and singing basics", "senior", "observation", 2, 2.5, 40, "能在合唱中准确演唱所在声部"},
	{"SE-305", "国画山水入门", "Landscape painting", "senior", "portfolio", 3, 3, 48, "能运用基本皴法完成一幅山水小品"},
	{"AC-401", "学前教育学", "Early childhood education", "academic", "exam", 5, 3, 54, "能运用学前教育基本理论分析保教实践"},
	{"AC-402", "计算机应用基础", "Computer fundamentals", "academic", "exam", 5, 3, 54, "能熟练使用操作系统、办公软件与网络服务"},
	{"AC-403", "社区治理概论", "Community governance", "academic", "coursework", 5, 2, 36, "能分析社区治理的主体、机制与典型案例"},
}

// seedDemoFramework saves the example framework and the demo units unless
// they exist; seeding again changes nothing.
func seedDemoFramework(ctx context.Context, svc *service.Service) error {
	fw, err := svc.Framework(ctx)
	if err != nil {
		return err
	}
	if !fw.Defined() {
		if _, err := svc.SetFramework(ctx, service.System, demoFramework(), nil); err != nil {
			return fmt.Errorf("framework: %w", err)
		}
	}
	for _, u := range demoUnits {
		if _, err := svc.Unit(ctx, u.code); err == nil {
			continue
		} else if !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		_, err := svc.CreateUnit(ctx, service.System, service.Op{}, domain.UnitInput{Code: u.code, TitleZH: u.zh, TitleEN: u.en,
			Level: u.level, Credits: u.credits, Hours: u.hours, Category: u.category, LearningOutcomes: u.outcomes,
			Assessment: u.assessment, QANote: "由颁发机构与区学分银行中心联合抽查评审材料（演示）", Status: string(domain.UnitActive)})
		if err != nil {
			return fmt.Errorf("unit %s: %w", u.code, err)
		}
	}
	return nil
}

// demoUnitRules are the rules on units and levels: an admission through a
// five-day public notice, and unit credits with the rule's own yearly cap.
func demoUnitRules(insts map[string]domain.Institution, from time.Time) []domain.Rule {
	match := func(m domain.Match) domain.Item { return domain.Item{Match: &m} }
	return []domain.Rule{
		{
			Code: "HV-ADMIT-UNITS", Name: "认证单元申请托育服务专业入学资格",
			Description:   "育婴员、保育师、养老护理员三个认证单元中取得任两项（框架第 4 级及以上），可申请示范职业技术学院托育服务专业（成人）入学资格；审核通过后公示 5 天。",
			InstitutionID: insts["hv"].ID, Purpose: domain.PurposeAdmission,
			Target: domain.RuleTarget{ProgramCode: "HV-CHILDCARE-ADULT"},
			Condition: domain.Group{Op: domain.OpNOf, N: 2, Items: []domain.Item{
				match(domain.Match{UnitCodes: []string{"VT-206"}, MinLevel: 4}),
				match(domain.Match{UnitCodes: []string{"VT-207"}, MinLevel: 4}),
				match(domain.Match{UnitCodes: []string{"VT-209"}, MinLevel: 4}),
			}},
			NoticeDays: 5, Approval: domain.ApprovalManual, EffectiveFrom: from,
		},
		{
			Code: "OU-CREDIT-UNITS", Name: "社区教育认证单元转换开放大学选修学分",
			Description:   "近 5 年内取得的社区教育认证单元（框架第 3 级及以上）任两项，按 1:1 转换为开放大学选修学分；本规则每年最多认定 3 学分，同一单元在本校只认定一次。",
			InstitutionID: insts["ou"].ID, Purpose: domain.PurposeCredit,
			Target: domain.RuleTarget{CourseCode: "OU-ELECTIVE"},
			Condition: domain.Group{Op: domain.OpNOf, N: 2, Items: []domain.Item{
				match(domain.Match{UnitCodes: []string{"CE-104", "CE-105", "CE-106"}, MinLevel: 3, MaxAgeYears: 5}),
				match(domain.Match{UnitCodes: []string{"CE-104", "CE-105", "CE-106"}, MinLevel: 3, MaxAgeYears: 5}),
			}},
			Award:      domain.Award{Mode: domain.AwardSum, Ratio: 1},
			CapPerYear: 3, Exclusive: true, Approval: domain.ApprovalManual, EffectiveFrom: from,
		},
	}
}

// seedDemoDecisions publishes the unit rules if missing and leaves one
// conversion in public notice and one rejection under appeal, each only if
// its learner has not applied yet.
func seedDemoDecisions(ctx context.Context, svc *service.Service) error {
	insts := map[string]domain.Institution{}
	all, _, err := svc.ListInstitutions(ctx, storage.Page{Limit: storage.MaxPageSize})
	if err != nil {
		return err
	}
	for _, di := range demoInstitutions {
		for _, i := range all {
			if i.Name == di.input.Name {
				insts[di.key] = i
			}
		}
	}
	if len(insts) != len(demoInstitutions) {
		return nil // not the demo district
	}
	from := time.Date(2024, 1, 1, 0, 0, 0, 0, domain.DistrictZone)
	ruleIDs := map[string]domain.Rule{}
	for _, r := range demoUnitRules(insts, from) {
		got, _, err := svc.Store().ListRules(ctx, storage.RuleFilter{Code: r.Code}, storage.Page{Limit: 1})
		if err != nil {
			return err
		}
		if len(got) > 0 {
			ruleIDs[r.Code] = got[0]
			continue
		}
		created, err := svc.CreateRule(ctx, service.System, service.Op{}, r)
		if err != nil {
			return fmt.Errorf("rule %s: %w", r.Code, err)
		}
		published, err := svc.PublishRule(ctx, service.System, created.ID)
		if err != nil {
			return fmt.Errorf("publish %s: %w", r.Code, err)
		}
		ruleIDs[r.Code] = published
	}
	// 赵丽 applies for admission; the college approves; the notice runs.
	if err := demoFlow(ctx, svc, "11010519900214331", ruleIDs["HV-ADMIT-UNITS"], "hv.reviewer", func(reviewer service.Actor, learner service.Actor, id uuid.UUID) error {
		_, err := svc.DecideConversion(ctx, reviewer, service.Op{}, id, service.Approve, "两项认证单元均达第 4 级，拟同意，公示 5 天（演示）")
		return err
	}); err != nil {
		return err
	}
	// 孙伟 applies for unit credits; a reviewer rejects; he appeals, and
	// the appeal waits for the other reviewer.
	return demoFlow(ctx, svc, "11010519850611247", ruleIDs["OU-CREDIT-UNITS"], "ou.reviewer", func(reviewer service.Actor, learner service.Actor, id uuid.UUID) error {
		if _, err := svc.DecideConversion(ctx, reviewer, service.Op{}, id, service.Reject, "学习证明材料未上传，暂不认定（演示）"); err != nil {
			return err
		}
		_, err := svc.AppealConversion(ctx, learner, service.Op{}, id, "两个单元的结业证书已由社区教育学院补报，请复核（演示）")
		return err
	})
}

// demoFlow applies the learner for the rule and lets decide act on the
// conversion, unless the learner already has a conversion of that rule.
func demoFlow(ctx context.Context, svc *service.Service, first17 string, rule domain.Rule, reviewerName string, decide func(reviewer, learner service.Actor, id uuid.UUID) error) error {
	id, err := domain.CompleteNationalID(first17)
	if err != nil {
		return err
	}
	pii, err := svc.SealIdentity(id)
	if err != nil {
		return err
	}
	acc, err := svc.Store().GetAccountByNationalIDHash(ctx, pii.NationalIDHash)
	if errors.Is(err, domain.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, c := range acc.Conversions {
		if c.RuleCode == rule.Code {
			return nil
		}
	}
	u, err := svc.Store().GetUserByUsername(ctx, reviewerName)
	if err != nil {
		return err
	}
	reviewer := service.Actor{Role: domain.RoleStaff, ID: u.ID, InstitutionID: u.InstitutionID, Perms: u.Perms}
	learner := service.Actor{Role: domain.RoleLearner, ID: acc.ID}
	c, err := svc.ApplyConversion(ctx, learner, service.Op{}, rule.ID)
	if err != nil {
		return fmt.Errorf("demo application %s: %w", rule.Code, err)
	}
	return decide(reviewer, learner, c.ID)
}
