package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"creditbank/app/service"
	"creditbank/domain"
	"creditbank/storage"
)

// demoCourse is one entry of a demo institution's catalogue; startIn is the
// number of months after seeding its next class starts (0: unscheduled).
type demoCourse struct {
	code, title, category string
	hours, credits        float64
	level, startIn        int
	online                bool
	place, capacity       string
}

// demoCatalogues are published by each issuing demo institution, through
// the registrar named here. They are chosen so that every demo learner has
// a pathway with courses to suggest (community credits for the open
// university's exemption, senior courses for its elective credit, the three
// certificates the college's admission rule names, vocational credits).
var demoCatalogues = []struct {
	registrar string
	courses   []demoCourse
}{
	{"cc.registrar", []demoCourse{
		{code: "CC-CAL-01", title: "硬笔书法入门", category: "community", hours: 24, startIn: 1, place: "文化路社区学校 301 教室", capacity: "限 30 人"},
		{code: "CC-FLW-04", title: "社区插花艺术（进阶）", category: "community", hours: 32, startIn: 2, place: "学院本部 花艺工作室", capacity: "限 20 人"},
		{code: "CC-FIN-02", title: "家庭理财进阶", category: "community", hours: 32, startIn: 1, place: "学院本部 报告厅", capacity: "名额充足"},
		{code: "CC-ENG-02", title: "社区英语（中级）", category: "community", hours: 40, startIn: 1, place: "文化路社区学校 204 教室", capacity: "限 35 人"},
		{code: "CC-TEA-01", title: "茶艺与茶文化", category: "community", hours: 24, startIn: 3, place: "学院本部 茶艺室", capacity: "限 16 人"},
		{code: "CC-PHO-01", title: "数码摄影基础", category: "community", hours: 32, startIn: 2, place: "滨河街道社区学校", capacity: "限 25 人"},
		{code: "CC-AID-02", title: "应急救护员培训（红十字）", category: "community", hours: 16, startIn: 1, place: "学院本部 实训室", capacity: "每期 40 人"},
		{code: "CC-PAR-03", title: "家庭教育指导", category: "community", hours: 20, startIn: 2, place: "滨河街道社区学校", capacity: "名额充足"},
		{code: "CC-LAW-01", title: "居民法律常识", category: "community", hours: 16, startIn: 1, place: "学院本部 报告厅", capacity: "名额充足"},
		{code: "CC-NUT-01", title: "家庭营养与膳食搭配", category: "community", hours: 24, startIn: 3, place: "文化路社区学校 烹饪教室", capacity: "限 24 人"},
		{code: "CC-GAR-01", title: "阳台园艺", category: "community", hours: 16, startIn: 2, place: "滨河街道社区学校 屋顶花园", capacity: "限 20 人"},
		{code: "CC-VOL-01", title: "社区志愿服务组织与管理", category: "community", hours: 48, startIn: 2, place: "学院本部 302 教室", capacity: "限 40 人"},
		{code: "CC-PY-02", title: "Python 数据分析（网络课程）", category: "online", hours: 40, startIn: 1, online: true, capacity: "不限"},
		{code: "CC-AI-01", title: "人工智能通识（网络课程）", category: "online", hours: 24, online: true, capacity: "不限，随到随学"},
		{code: "CC-VID-01", title: "短视频拍摄与剪辑（网络课程）", category: "online", hours: 32, startIn: 2, online: true, capacity: "不限"},
		{code: "CC-HIS-01", title: "本地历史文化系列讲座", category: "other", hours: 16, startIn: 1, place: "区图书馆 多功能厅", capacity: "名额充足"},
	}},
	{"vs.registrar", []demoCourse{
		{code: "VS-ELEC-01", title: "低压电工作业培训", category: "vocational", hours: 64, startIn: 1, place: "职教中心 电工实训楼", capacity: "限 30 人"},
		{code: "VS-ELV-02", title: "电梯维修保养进阶", category: "vocational", hours: 80, startIn: 3, place: "职教中心 电梯实训基地", capacity: "限 20 人"},
		{code: "VS-CHEF-02", title: "中式面点师培训", category: "vocational", hours: 96, startIn: 2, place: "职教中心 烹饪实训室", capacity: "限 24 人"},
		{code: "VS-BAR-01", title: "咖啡师培训", category: "vocational", hours: 48, startIn: 1, place: "职教中心 咖啡实训室", capacity: "限 16 人"},
		{code: "VS-CAR-01", title: "汽车美容与保养", category: "vocational", hours: 64, startIn: 2, place: "职教中心 汽修车间", capacity: "限 20 人"},
		{code: "VS-OFF-01", title: "办公软件高级应用", category: "vocational", hours: 48, startIn: 1, place: "职教中心 机房 A", capacity: "限 40 人"},
		{code: "VS-ECOM-01", title: "电子商务运营实务", category: "vocational", hours: 72, startIn: 2, place: "职教中心 电商实训室", capacity: "限 30 人"},
		{code: "VS-HOU-01", title: "家政服务员培训", category: "vocational", hours: 40, startIn: 1, place: "职教中心 家政实训室", capacity: "名额充足"},
		{code: "CERT-ELEC-4", title: "电工职业技能等级证书（四级）培训", category: "certificate", hours: 120, level: 4, startIn: 2, place: "职教中心 电工实训楼", capacity: "限 30 人"},
		{code: "CERT-NURSE-4", title: "育婴员职业技能等级证书（四级）培训", category: "certificate", hours: 96, level: 4, startIn: 1, place: "职教中心 母婴实训室", capacity: "限 25 人"},
		{code: "CERT-CARE-4", title: "保育师职业技能等级证书（四级）培训", category: "certificate", hours: 96, level: 4, startIn: 2, place: "职教中心 保育实训室", capacity: "限 25 人"},
		{code: "CERT-ELDER-4", title: "养老护理员职业技能等级证书（四级）培训", category: "certificate", hours: 104, level: 4, startIn: 3, place: "职教中心 护理实训室", capacity: "限 25 人"},
		{code: "CERT-CHEF-4", title: "中式烹调师职业技能等级证书（四级）培训", category: "certificate", hours: 120, level: 4, startIn: 3, place: "职教中心 烹饪实训室", capacity: "限 24 人"},
	}},
	{"su.registrar", []demoCourse{
		{code: "SU-CAL-02", title: "老年书法（行书）", category: "senior", hours: 48, startIn: 1, place: "老年大学 书画楼 201", capacity: "限 30 人，额满即止"},
		{code: "SU-PNT-01", title: "国画山水入门", category: "senior", hours: 48, startIn: 2, place: "老年大学 书画楼 305", capacity: "限 25 人"},
		{code: "SU-PHN-03", title: "智能手机进阶：出行与支付", category: "senior", hours: 24, startIn: 1, place: "老年大学 信息楼 机房", capacity: "限 30 人"},
		{code: "SU-TAI-01", title: "太极拳（二十四式）", category: "senior", hours: 32, startIn: 1, place: "老年大学 体育馆", capacity: "名额充足"},
		{code: "SU-SNG-01", title: "合唱与声乐基础", category: "senior", hours: 40, startIn: 2, place: "老年大学 艺术楼 排练厅", capacity: "限 50 人"},
		{code: "SU-DAN-01", title: "民族舞蹈", category: "senior", hours: 32, startIn: 3, place: "老年大学 艺术楼 舞蹈房", capacity: "限 30 人"},
		{code: "SU-HEA-01", title: "中医养生保健", category: "senior", hours: 24, startIn: 1, place: "老年大学 报告厅", capacity: "名额充足"},
		{code: "SU-KEY-01", title: "电子琴入门", category: "senior", hours: 36, startIn: 2, place: "老年大学 艺术楼 琴房", capacity: "限 20 人"},
		{code: "SU-PHO-01", title: "老年摄影", category: "senior", hours: 32, startIn: 2, place: "老年大学 信息楼 302", capacity: "限 25 人"},
		{code: "SU-CAL-03", title: "硬笔书法提高班", category: "community", hours: 32, startIn: 1, place: "滨河街道 老年活动中心", capacity: "限 30 人"},
		{code: "SU-ANTI-01", title: "防范电信诈骗专题课", category: "community", hours: 8, startIn: 1, place: "滨河街道 老年活动中心", capacity: "名额充足"},
	}},
	{"ou.registrar", []demoCourse{
		{code: "OU-CS-101", title: "计算机应用基础", category: "academic", hours: 54, credits: 3, startIn: 3, online: true, place: "开放大学 学习中心（线上为主）", capacity: "按学期招生"},
		{code: "OU-PSY-01", title: "心理健康与自我调适（网络课程）", category: "online", hours: 32, startIn: 1, online: true, capacity: "不限"},
	}},
}

// seedDemoCatalogue publishes each demo institution's catalogue if it has
// none yet, so that seeding again (or seeding a district created before
// catalogues existed) changes nothing or only adds what is missing.
func seedDemoCatalogue(ctx context.Context, svc *service.Service) error {
	now := svc.Now().In(domain.DistrictZone)
	firstOfMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for _, dc := range demoCatalogues {
		u, err := svc.Store().GetUserByUsername(ctx, dc.registrar)
		if errors.Is(err, domain.ErrNotFound) {
			continue // not the demo district
		}
		if err != nil {
			return err
		}
		actor := service.Actor{Role: domain.RoleStaff, ID: u.ID, InstitutionID: u.InstitutionID, Perms: u.Perms}
		existing, _, err := svc.InstitutionCourses(ctx, actor, domain.CourseQuery{}, storage.Page{Limit: 1})
		if err != nil {
			return fmt.Errorf("catalogue of %s: %w", dc.registrar, err)
		}
		if len(existing) > 0 {
			continue
		}
		for _, c := range dc.courses {
			in := domain.CourseInput{Code: c.code, Title: c.title, Category: c.category, Hours: c.hours, Level: c.level,
				Online: c.online, Place: c.place, CapacityNote: c.capacity}
			if c.credits > 0 {
				cr := c.credits
				in.Credits = &cr
			}
			if c.startIn > 0 {
				start := firstOfMonth.AddDate(0, c.startIn, 0)
				in.NextStart = &start
			}
			if _, err := svc.CreateCourse(ctx, actor, service.Op{}, service.CourseInput{CourseInput: in}); err != nil {
				return fmt.Errorf("course %s: %w", c.code, err)
			}
		}
	}
	return nil
}
