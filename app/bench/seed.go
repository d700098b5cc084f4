package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"creditbank/app/service"
	"creditbank/domain"
)

// benchLearner is what the load needs to act for a seeded learner.
type benchLearner struct {
	ID         uuid.UUID
	NationalID string
	Name       string
}

// benchIssuer is one issuing institution with its API client.
type benchIssuer struct {
	Inst       domain.Institution
	ClientID   string
	Secret     string
	Categories []domain.Category
}

// benchDistrict is the seeded district: institutions, rules and learners.
type benchDistrict struct {
	issuers   []benchIssuer // community college, vocational school, senior university
	converter domain.Institution
	rules     []domain.Rule // published; the first ones are the "apply" rules every learner meets
	applyable int           // how many leading rules every seeded learner is eligible for
	learners  []benchLearner
	heavy     benchLearner // one learner with heavyOutcomes outcomes
}

var benchSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
var benchGiven = []rune("秀兰建国志强淑芬丽华明杰海燕文静国庆春梅德明玉英桂香永红晓东佳怡子涵浩然雨欣俊峰成刚宏伟美玲")

// benchName makes a plausible two- or three-character Chinese name.
func benchName(r *rand.Rand) string {
	n := []rune{benchSurnames[r.IntN(len(benchSurnames))], benchGiven[r.IntN(len(benchGiven))]}
	if r.IntN(3) > 0 {
		n = append(n, benchGiven[r.IntN(len(benchGiven))])
	}
	return string(n)
}

// benchNationalID derives a valid, unique ID for learner i: Tongliang's
// region code, a birth date spread over 1940–2005 by a bijection of i/1000,
// and i%1000 as the sequence number.
func benchNationalID(i int) (domain.NationalID, time.Time) {
	const days = 24000 // 1940-01-01 + 24000 days ≈ 2005
	day := (i / 1000 * 7919) % days
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day)
	id, err := domain.CompleteNationalID(fmt.Sprintf("500151%s%03d", birth.Format("20060102"), i%1000))
	if err != nil {
		panic(err) // the construction above always yields a valid prefix
	}
	return id, birth
}

var benchCourses = map[domain.Category][]string{
	domain.CategoryCommunity:   {"智能手机应用", "家庭急救常识", "社区书法", "家庭理财入门", "摄影基础", "普通话提升"},
	domain.CategoryOnline:      {"网络安全常识", "短视频制作", "办公软件在线课"},
	domain.CategoryVocational:  {"电工基础", "中式烹调", "育婴技能", "电子商务运营", "汽车维修入门"},
	domain.CategoryCertificate: {"电工四级", "育婴员四级", "保育师四级", "中式烹调师四级"},
	domain.CategorySenior:      {"老年声乐", "太极拳", "国画山水", "养生保健", "葫芦丝演奏"},
}

// benchOutcome makes one realistic passed outcome of category c, completed
// within the last ten years.
func benchOutcome(r *rand.Rand, c domain.Category, n int, now time.Time) domain.OutcomeInput {
	titles := benchCourses[c]
	t := titles[r.IntN(len(titles))]
	score := float64(60 + r.IntN(41))
	in := domain.OutcomeInput{
		Category: string(c), Title: t, CourseCode: fmt.Sprintf("%s-%03d-%d", c[:3], r.IntN(200), n),
		Hours:       float64(8 * (1 + r.IntN(8))),
		CompletedOn: now.AddDate(0, 0, -1-r.IntN(3650)).Truncate(24 * time.Hour),
	}
	in.Result.Score = &score
	if c == domain.CategoryCertificate {
		in.Level = 3 + r.IntN(3)
		exp := in.CompletedOn.AddDate(5, 0, 0)
		in.ExpiresOn = &exp
	}
	return in
}

// benchAccount builds a learner's account with m outcomes spread over the
// three sectors; the first is always a community outcome of 16+ hours, so
// that every learner meets the "apply" rules.
func benchAccount(r *rand.Rand, svc *service.Service, d *benchDistrict, i, m int, policy domain.CreditPolicy, now time.Time) (*domain.Account, benchLearner, error) {
	nid, birth := benchNationalID(i)
	name := benchName(r)
	pii, err := svc.SealIdentity(nid)
	if err != nil {
		return nil, benchLearner{}, err
	}
	acc, err := domain.NewAccount(name, pii, birth, now)
	if err != nil {
		return nil, benchLearner{}, err
	}
	for k := 0; k < m; k++ {
		iss := d.issuers[k%len(d.issuers)]
		c := iss.Categories[r.IntN(len(iss.Categories))]
		if k == 0 {
			iss, c = d.issuers[0], domain.CategoryCommunity
		}
		in := benchOutcome(r, c, k, now)
		if k == 0 {
			in.Hours = 32
		}
		o, err := domain.NewOutcome(in, iss.Inst.ID, acc.ID, policy, now)
		if err != nil {
			return nil, benchLearner{}, fmt.Errorf("seed outcome: %w", err)
		}
		o.IssuedBy = iss.ClientID
		if err := acc.Deposit(o, now); err != nil {
			return nil, benchLearner{}, err
		}
	}
	return acc, benchLearner{ID: acc.ID, NationalID: string(nid), Name: name}, nil
}

// seedBenchDistrict creates institutions and rules through the service and
// learners straight into the store (from many goroutines, so the store
// groups their commits), reporting progress on stderr.
func seedBenchDistrict(ctx context.Context, svc *service.Service, learners, perLearner, rules, heavyOutcomes int, progress io.Writer) (*benchDistrict, error) {
	d := &benchDistrict{}
	sectors := []struct {
		name, kind string
		cats       []domain.Category
	}{
		{"铜梁区社区教育学院", "community_college", []domain.Category{domain.CategoryCommunity, domain.CategoryOnline}},
		{"铜梁区职业教育中心", "vocational_school", []domain.Category{domain.CategoryVocational, domain.CategoryCertificate}},
		{"铜梁区老年大学", "senior_university", []domain.Category{domain.CategorySenior}},
	}
	for _, s := range sectors {
		cats := make([]string, len(s.cats))
		for i, c := range s.cats {
			cats[i] = string(c)
		}
		ni, err := svc.CreateInstitution(ctx, service.System, service.Op{}, domain.InstitutionInput{Name: s.name, Kind: s.kind, Region: "铜梁区",
			Capabilities: []string{"issue"}, Categories: cats})
		if err != nil {
			return nil, err
		}
		d.issuers = append(d.issuers, benchIssuer{Inst: ni.Institution, ClientID: ni.ClientID, Secret: ni.ClientSecret, Categories: s.cats})
	}
	ou, err := svc.CreateInstitution(ctx, service.System, service.Op{}, domain.InstitutionInput{Name: "重庆开放大学铜梁分校", Kind: "open_university",
		Region: "铜梁区", Capabilities: []string{"convert"}})
	if err != nil {
		return nil, err
	}
	d.converter = ou.Institution
	if err := d.seedRules(ctx, svc, rules); err != nil {
		return nil, err
	}

	policy, err := svc.CreditPolicy(ctx)
	if err != nil {
		return nil, err
	}
	now := svc.Now()
	d.learners = make([]benchLearner, learners)
	bar := newProgressBar(progress, "seeding learners", learners)
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	next := make(chan int, 256)
	var wg sync.WaitGroup
	for w := 0; w < 32; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			for i := range next {
				acc, l, err := benchAccount(r, svc, d, i, perLearner, policy, now)
				if err == nil {
					err = svc.Store().CreateAccount(ctx, nil, acc)
				}
				if err != nil {
					once.Do(func() { firstErr = err })
					continue
				}
				d.learners[i] = l
				bar.set(int(done.Add(1)))
			}
		}(w)
	}
	for i := 0; i < learners && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	bar.finish()
	if firstErr != nil {
		return nil, fmt.Errorf("seed learners: %w", firstErr)
	}
	if heavyOutcomes > 0 {
		r := rand.New(rand.NewPCG(7, 7))
		acc, l, err := benchAccount(r, svc, d, learners, heavyOutcomes, policy, now)
		if err != nil {
			return nil, err
		}
		if err := svc.Store().CreateAccount(ctx, nil, acc); err != nil {
			return nil, err
		}
		d.heavy = l
	}
	return d, nil
}

// seedRules publishes n rules at the converting institution: a few that
// every learner meets (for apply + approve), the rest a realistic mix of
// conditions so that preview has real work to do.
func (d *benchDistrict) seedRules(ctx context.Context, svc *service.Service, n int) error {
	from := time.Date(2020, 1, 1, 0, 0, 0, 0, domain.DistrictZone)
	match := func(m domain.Match) domain.Item { return domain.Item{Match: &m} }
	cats := []domain.Category{domain.CategoryCommunity, domain.CategoryVocational, domain.CategorySenior, domain.CategoryCertificate, domain.CategoryOnline}
	d.applyable = min(5, n)
	for i := 0; i < n; i++ {
		r := domain.Rule{
			Code: fmt.Sprintf("BENCH-%03d", i), Name: fmt.Sprintf("压测转换规则 %d", i),
			InstitutionID: d.converter.ID, Purpose: domain.PurposeCredit,
			Target: domain.RuleTarget{CourseCode: fmt.Sprintf("OU-%03d", i), Credits: 1},
			Award:  domain.Award{Mode: domain.AwardFixed, Credits: 1}, Approval: domain.ApprovalManual, EffectiveFrom: from,
		}
		switch {
		case i < d.applyable:
			// Met by the community outcome of 2 credits every learner holds;
			// not exclusive, so a learner may hold several of these.
			r.Condition = domain.Group{Op: domain.OpAll, Items: []domain.Item{match(domain.Match{Category: domain.CategoryCommunity})}}
			r.MinTotalCredits = 1
		case i%3 == 0:
			r.Condition = domain.Group{Op: domain.OpNOf, N: 2, Items: []domain.Item{
				match(domain.Match{Category: cats[i%5], MinScore: 70}),
				match(domain.Match{Category: cats[(i+1)%5], MinHours: 16}),
				match(domain.Match{Category: cats[(i+2)%5], MaxAgeYears: 5}),
			}}
			r.Exclusive = true
		case i%3 == 1:
			r.Condition = domain.Group{Op: domain.OpAny, Items: []domain.Item{
				match(domain.Match{Category: cats[i%5]}), match(domain.Match{Category: cats[(i+3)%5], MinScore: 85})}}
			r.MinTotalCredits = float64(2 + i%6)
			r.Award = domain.Award{Mode: domain.AwardSum, Ratio: 0.5}
			r.Caps = []domain.Cap{{Scope: domain.CapLifetime, MaxCredits: 10}}
			r.Exclusive = true
		default:
			r.Condition = domain.Group{Op: domain.OpAll, Items: []domain.Item{
				match(domain.Match{Category: cats[i%5], MinHours: 24}),
				{Group: &domain.Group{Op: domain.OpAny, Items: []domain.Item{
					match(domain.Match{Category: cats[(i+1)%5]}), match(domain.Match{Category: cats[(i+2)%5], MinScore: 75})}}},
			}}
			r.Approval = domain.ApprovalAuto
		}
		created, err := svc.CreateRule(ctx, service.System, service.Op{}, r)
		if err != nil {
			return fmt.Errorf("bench rule %d: %w", i, err)
		}
		published, err := svc.PublishRule(ctx, service.System, created.ID)
		if err != nil {
			return fmt.Errorf("publish bench rule %d: %w", i, err)
		}
		d.rules = append(d.rules, published)
	}
	return nil
}

// progressBar draws "label [#####     ] n/total" on a terminal line.
type progressBar struct {
	w       io.Writer
	label   string
	total   int
	mu      sync.Mutex
	shown   int
	started time.Time
}

func newProgressBar(w io.Writer, label string, total int) *progressBar {
	return &progressBar{w: w, label: label, total: total, started: time.Now()}
}

func (p *progressBar) set(n int) {
	step := max(1, p.total/100)
	p.mu.Lock()
	defer p.mu.Unlock()
	if n <= p.shown || (n != p.total && n-p.shown < step) {
		return
	}
	p.shown = n
	const width = 30
	filled := width * n / max(1, p.total)
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < filled {
			bar[i] = '#'
		}
	}
	fmt.Fprintf(p.w, "\r%s [%s] %d/%d (%s)", p.label, bar, n, p.total, time.Since(p.started).Round(time.Second))
}

func (p *progressBar) finish() {
	p.set(p.total)
	fmt.Fprintln(p.w)
}

func newBenchRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
