package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// Demo credentials are fixed so that the printed logins work on every run;
// they are for a local trial only.
const (
	demoAdminPassword   = "demo-admin-2026"
	demoStaffPassword   = "demo-staff-2026"
	demoLearnerPassword = "demo-learner-2026"
)

type demoLogin struct {
	Who, Username, Password string
}

type demoInstitution struct {
	key   string
	input domain.InstitutionInput
	staff []demoStaff
}

type demoStaff struct {
	username string
	perms    []string
}

var demoInstitutions = []demoInstitution{
	{"cc", domain.InstitutionInput{Name: "示范区社区教育学院", Kind: "community_college", Region: "示范区",
		Capabilities: []string{"issue"}, Categories: []string{"community", "online", "other"},
		Contact: domain.Contact{Address: "示范区文化路 18 号社区学习中心一楼报名处", Phone: "010-6512 3401", Website: "https://cc.demo-district.example/"}},
		[]demoStaff{{"cc.registrar", []string{"issue", "manage"}}}},
	{"vs", domain.InstitutionInput{Name: "示范区职业教育中心", Kind: "vocational_school", Region: "示范区",
		Capabilities: []string{"issue"}, Categories: []string{"vocational", "certificate"},
		Contact: domain.Contact{Address: "示范区工业大道 66 号教学楼 102 室", Phone: "010-6512 3402", Website: "https://vs.demo-district.example/"}},
		[]demoStaff{{"vs.registrar", []string{"issue", "manage"}}}},
	{"su", domain.InstitutionInput{Name: "示范区老年大学", Kind: "senior_university", Region: "示范区",
		Capabilities: []string{"issue"}, Categories: []string{"senior", "community"},
		Contact: domain.Contact{Address: "示范区健康路 9 号老年活动中心二楼", Phone: "010-6512 3403"}},
		[]demoStaff{{"su.registrar", []string{"issue", "manage"}}}},
	{"ou", domain.InstitutionInput{Name: "示范区开放大学", Kind: "open_university", Region: "示范区",
		Capabilities: []string{"issue", "convert"}, Categories: []string{"academic", "online"},
		Contact: domain.Contact{Address: "示范区学府路 1 号招生办公室", Phone: "010-6512 3404", Website: "https://ou.demo-district.example/"}},
		// Two reviewers: an appeal is decided by one who did not reject.
		[]demoStaff{{"ou.registrar", []string{"issue"}}, {"ou.reviewer", []string{"review", "manage"}}, {"ou.reviewer2", []string{"review"}}}},
	{"hv", domain.InstitutionInput{Name: "示范职业技术学院", Kind: "higher_vocational", Region: "示范区",
		Capabilities: []string{"convert"}},
		[]demoStaff{{"hv.reviewer", []string{"review", "manage"}}}},
}

type demoOutcome struct {
	issuer   string
	category string
	title    string
	code     string
	hours    float64
	credits  float64
	score    float64
	grade    string
	level    int
	unit     string // certification unit code
	done     string
	expires  string
	// monthsAgo, when set instead of done, dates the outcome relative to
	// the day of seeding, so the demo always has recent activity.
	monthsAgo int
}

type demoLearner struct {
	first17 string
	name    string
	phone   string
	claimed bool
	items   []demoOutcome
}

var demoLearners = []demoLearner{
	{"11010519620315123", "王秀兰", "13800138001", true, []demoOutcome{
		{issuer: "su", category: "senior", title: "老年书法（楷书）", code: "SU-CAL-01", hours: 48, score: 92, done: "2024-06-28"},
		{issuer: "su", category: "senior", title: "智能手机应用", code: "SU-PHN-02", hours: 32, score: 85, done: "2025-01-10"},
		{issuer: "cc", category: "community", title: "社区插花艺术", code: "CC-FLW-03", hours: 24, grade: "A", done: "2025-05-20"},
	}},
	{"11010519880722432", "李建国", "13900139002", true, []demoOutcome{
		{issuer: "cc", category: "community", title: "家庭理财基础", code: "CC-FIN-01", hours: 32, score: 88, done: "2024-03-15"},
		{issuer: "cc", category: "community", title: "社区英语（初级）", code: "CC-ENG-01", hours: 40, score: 81, done: "2024-11-30"},
		{issuer: "cc", category: "online", title: "Python 编程入门（网络课程）", code: "CC-PY-01", hours: 36, score: 90, done: "2025-04-02"},
		{issuer: "vs", category: "certificate", title: "电工职业技能等级证书（四级）", code: "CERT-ELEC-4", hours: 120, score: 78, level: 4, done: "2023-09-01", expires: "2028-09-01"},
		{issuer: "vs", category: "vocational", title: "电梯安装维修技术培训", code: "VS-ELV-01", hours: 80, score: 84, done: "2024-07-15"},
	}},
	{"11010519950108561", "张敏", "13700137003", true, []demoOutcome{
		{issuer: "vs", category: "certificate", title: "育婴员职业技能等级证书（四级）", code: "CERT-NURSE-4", hours: 96, score: 86, level: 4, done: "2024-05-18", expires: "2029-05-18"},
		{issuer: "vs", category: "certificate", title: "保育师职业技能等级证书（四级）", code: "CERT-CARE-4", hours: 96, score: 82, level: 4, done: "2024-12-20", expires: "2029-12-20"},
		{issuer: "ou", category: "academic", title: "学前教育学", code: "OU-ECE-101", hours: 54, credits: 3, score: 79, done: "2025-07-05"},
		{issuer: "cc", category: "community", title: "亲子沟通工作坊", code: "CC-PAR-02", hours: 16, grade: "B", monthsAgo: 3},
	}},
	// Learners of the framework demo: certification units at framework
	// levels (赵丽's admission is in public notice, 孙伟's rejection under
	// appeal).
	{"11010519900214331", "赵丽", "13600136004", true, []demoOutcome{
		{issuer: "vs", category: "certificate", title: "育婴员（四级）认证单元", code: "VT-206", unit: "VT-206", hours: 96, score: 88, level: 4, monthsAgo: 10},
		{issuer: "vs", category: "certificate", title: "保育师（四级）认证单元", code: "VT-207", unit: "VT-207", hours: 96, score: 84, level: 4, monthsAgo: 5},
	}},
	{"11010519850611247", "孙伟", "13500135005", true, []demoOutcome{
		{issuer: "cc", category: "community", title: "应急救护认证单元", code: "CE-104", unit: "CE-104", hours: 16, score: 90, level: 3, monthsAgo: 6},
		{issuer: "cc", category: "community", title: "家庭教育指导认证单元", code: "CE-105", unit: "CE-105", hours: 20, grade: "A", level: 3, monthsAgo: 4},
	}},
	{"11010519730930782", "陈志强", "", false, []demoOutcome{
		{issuer: "vs", category: "vocational", title: "中式烹调师培训", code: "VS-CHEF-01", hours: 160, score: 75, done: "2022-10-20"},
		{issuer: "cc", category: "community", title: "社区志愿服务与应急救护", code: "CC-AID-01", hours: 20, monthsAgo: 8},
	}},
}

// seedDemo creates the demo district once; running it again changes nothing.
func seedDemo(ctx context.Context, svc *service.Service) ([]demoLogin, error) {
	logins := []demoLogin{{"管理员 admin", "admin", demoAdminPassword}}
	for _, di := range demoInstitutions {
		for _, st := range di.staff {
			logins = append(logins, demoLogin{di.input.Name + " " + fmt.Sprint(st.perms), st.username, demoStaffPassword})
		}
	}
	for _, l := range demoLearners {
		if l.claimed {
			id, _ := domain.CompleteNationalID(l.first17)
			logins = append(logins, demoLogin{"学习者 " + l.name, string(id), demoLearnerPassword})
		}
	}
	existing, _, err := svc.ListInstitutions(ctx, storage.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return logins, seedDemoAdditions(ctx, svc)
	}
	insts := map[string]domain.Institution{}
	issuers := map[string]service.Actor{}
	for _, di := range demoInstitutions {
		created, err := svc.CreateInstitution(ctx, service.System, service.Op{}, di.input)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", di.input.Name, err)
		}
		insts[di.key] = created.Institution
		for _, st := range di.staff {
			u, err := svc.CreateStaff(ctx, service.System, service.Op{}, created.Institution.ID, service.StaffInput{
				Username: st.username, Password: demoStaffPassword, Perms: st.perms})
			if err != nil {
				return nil, fmt.Errorf("staff %s: %w", st.username, err)
			}
			if domain.HasPerm(u.Perms, domain.PermIssue) {
				issuers[di.key] = service.Actor{Role: domain.RoleStaff, ID: u.ID, InstitutionID: u.InstitutionID, Perms: u.Perms}
			}
		}
	}
	// Units before the outcomes that certify them.
	if err := seedDemoFramework(ctx, svc); err != nil {
		return nil, err
	}
	for _, l := range demoLearners {
		id, err := domain.CompleteNationalID(l.first17)
		if err != nil {
			return nil, err
		}
		if l.claimed {
			if _, _, err := svc.RegisterLearner(ctx, service.Actor{}, service.Op{}, service.RegisterInput{
				NationalID: string(id), Name: l.name, Phone: l.phone, Password: demoLearnerPassword}); err != nil {
				return nil, fmt.Errorf("learner %s: %w", l.name, err)
			}
		}
		for _, o := range l.items {
			if _, err := svc.IssueOutcome(ctx, issuers[o.issuer], service.Op{}, service.IssueInput{
				NationalID: string(id), Name: l.name, Outcome: o.input(svc.Now())}); err != nil && !errors.Is(err, domain.ErrDuplicate) {
				return nil, fmt.Errorf("outcome %s: %w", o.title, err)
			}
		}
	}
	if err := seedDemoRules(ctx, svc, insts); err != nil {
		return nil, err
	}
	if err := seedDemoAdditions(ctx, svc); err != nil {
		return nil, err
	}
	return logins, nil
}

// seedDemoAdditions seeds what later versions added to the demo district:
// on a fresh district right after the rest, on an existing one whatever is
// missing, so that seeding again changes nothing.
func seedDemoAdditions(ctx context.Context, svc *service.Service) error {
	if err := seedDemoCatalogue(ctx, svc); err != nil {
		return err
	}
	if err := seedDemoFramework(ctx, svc); err != nil {
		return err
	}
	return seedDemoDecisions(ctx, svc)
}

func (o demoOutcome) input(now time.Time) domain.OutcomeInput {
	in := domain.OutcomeInput{Category: o.category, Title: o.title, CourseCode: o.code, Hours: o.hours, Level: o.level, UnitCode: o.unit}
	in.CompletedOn, _ = time.Parse("2006-01-02", o.done)
	if o.monthsAgo > 0 {
		in.CompletedOn = domain.DateOf(now.AddDate(0, -o.monthsAgo, 0))
	}
	if o.expires != "" {
		t, _ := time.Parse("2006-01-02", o.expires)
		in.ExpiresOn = &t
	}
	if o.credits > 0 {
		c := o.credits
		in.Credits = &c
	}
	switch {
	case o.grade != "":
		in.Result.Grade = o.grade
	case o.score > 0:
		s := o.score
		in.Result.Score = &s
	default:
		passed := true
		in.Result.Passed = &passed
	}
	return in
}

func printDemoLogins(w io.Writer, logins []demoLogin, fixedAdmin bool) {
	fmt.Fprintln(w, "Demo district ready. Logins (local trial only):")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	// Usernames and passwords first: tabwriter aligns by bytes, which wide
	// Chinese names would throw off.
	fmt.Fprintln(tw, "  USERNAME\tPASSWORD\tWHO")
	for _, l := range logins {
		if l.Username == "admin" && !fixedAdmin {
			l.Password = "(CREDITBANK_ADMIN_PASSWORD)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", l.Username, l.Password, l.Who)
	}
	tw.Flush()
}
