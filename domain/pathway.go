package domain

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// A pathway tells a learner, for one published rule, either that they can
// apply now or what is missing and which catalogue courses would close the
// gap. The shortfall is the rule evaluation's own (the one preview shows);
// the course suggestions come from the same compiled condition.

// MaxSuggestions bounds the course options listed per rule.
const MaxSuggestions = 5

// CourseSuggestion is one way to close a shortfall: completing every course
// in it (usually one) would satisfy the rule's condition and total.
type CourseSuggestion struct {
	Courses []Course
	Hours   float64 // total study hours, the first ranking key
	Credits float64 // credits the courses would bank under the policy
	// CourseCredits is what each of Courses would bank, in order.
	CourseCredits []float64
	// StartsOn is the earliest next start among the courses (nil: none
	// scheduled), the second ranking key.
	StartsOn *time.Time
}

// Pathway is one rule seen from one learner's record.
type Pathway struct {
	Rule        Rule
	Evaluation  Evaluation
	Ready       bool // eligible now: the learner can apply
	Suggestions []CourseSuggestion
}

// Catalogue is the district's courses prepared for suggestion: ranked,
// with the credits each would bank, and indexed by category and institution
// so that a rule only looks at the courses its match items could accept.
// It refers to the courses passed to NewCatalogue, which must not change
// while it is in use.
type Catalogue struct {
	entries  []catEntry
	byCat    map[Category][]int
	byIssuer map[uuid.UUID][]int
	today    time.Time
}

type catEntry struct {
	course  *Course
	credits float64
	units   int   // credits in half units
	start   int64 // next start as Unix seconds; unscheduled when none or past
}

const unscheduled = int64(1) << 62

// fullMarks judges a course not yet taken by what the institution
// advertises: the learner can still reach any score the course offers.
var fullMarks = 100.0

// outcome is what completing the course would bank, as rules see it.
func (e *catEntry) outcome(today time.Time) Outcome {
	c := e.course
	return Outcome{
		ID: c.ID, IssuerID: c.InstitutionID, Category: c.Category, Title: c.Title, CourseCode: c.Code,
		Hours: c.Hours, Credits: e.credits, Level: c.Level, UnitCode: c.UnitCode, Result: Result{Score: &fullMarks},
		CompletedOn: today, Status: OutcomeActive,
	}
}

// NewCatalogue prepares courses for suggestions under the credit policy.
// Courses that would bank nothing under the policy are left out: they cannot
// close a credit shortfall and no rule can count them.
func NewCatalogue(courses []Course, policy CreditPolicy, now time.Time) *Catalogue {
	cat := &Catalogue{byCat: map[Category][]int{}, byIssuer: map[uuid.UUID][]int{}, today: DateOf(now)}
	cat.entries = make([]catEntry, 0, len(courses))
	for i := range courses {
		c := &courses[i]
		credits := c.CreditsUnder(policy)
		if credits <= 0 {
			continue
		}
		start := unscheduled
		if c.NextStart != nil && !c.NextStart.Before(cat.today) {
			start = c.NextStart.Unix()
		}
		cat.entries = append(cat.entries, catEntry{course: c, credits: credits, units: halfUnits(credits), start: start})
	}
	// Ranking order once, so every later list is already in it.
	slices.SortFunc(cat.entries, func(a, b catEntry) int { return a.compare(&b) })
	for i, e := range cat.entries {
		cat.byCat[e.course.Category] = append(cat.byCat[e.course.Category], i)
		cat.byIssuer[e.course.InstitutionID] = append(cat.byIssuer[e.course.InstitutionID], i)
	}
	return cat
}

// compare ranks by fewest hours, then earliest start, then code and ID so
// that the order never depends on the order courses were loaded in.
func (e *catEntry) compare(f *catEntry) int {
	switch {
	case e.course.Hours != f.course.Hours:
		if e.course.Hours < f.course.Hours {
			return -1
		}
		return 1
	case e.start != f.start:
		if e.start < f.start {
			return -1
		}
		return 1
	case e.course.Code != f.course.Code:
		if e.course.Code < f.course.Code {
			return -1
		}
		return 1
	}
	return bytes.Compare(e.course.ID[:], f.course.ID[:])
}

// Len is the number of usable courses.
func (c *Catalogue) Len() int { return len(c.entries) }

// PlanPathways evaluates every rule for the account and, for each rule it is
// not yet eligible for, suggests courses. Rules keep the given order; rules
// not in effect at now, and rules the learner already holds a live
// conversion of (applying again would be refused), are left out.
func PlanPathways(rules []Rule, acc *Account, cat *Catalogue, now time.Time) []Pathway {
	out := make([]Pathway, 0, len(rules))
	applied := map[string]bool{}
	if acc != nil {
		for _, c := range acc.Conversions {
			if c.Live() {
				applied[c.RuleCode] = true
			}
		}
	}
	shared := map[string][]int{}
	var sorted []Outcome
	if acc != nil {
		sorted = append(make([]Outcome, 0, len(acc.Outcomes)), acc.Outcomes...)
		sortCandidates(sorted)
	}
	for _, r := range rules {
		if !r.EffectiveAt(now) || applied[r.Code] {
			continue
		}
		run := &evalRun{rule: r, acc: acc, now: now, sorted: sorted}
		if run.acc == nil {
			run.acc = &Account{}
		}
		ev := run.run()
		p := Pathway{Rule: r, Evaluation: ev, Ready: ev.Eligible}
		if !ev.Eligible {
			p.Suggestions = cat.suggest(run, ev, shared)
		}
		out = append(out, p)
	}
	return out
}

// Suggest lists up to MaxSuggestions ways to close the shortfall of rule's
// evaluation for acc at now (the one Evaluate and preview give), ranked by
// fewest total hours, then earliest start. It returns nothing when the
// learner is eligible, when the rule's caps are used up (no course can
// help) or when the catalogue holds nothing that would help.
//
// The gap has two parts, as in the evaluation's shortfall: condition items
// that no usable outcome matches, and credits missing from the required
// total. A course closes an item if the item's match accepts the outcome the
// course would bank. The cheapest ways to make the condition satisfiable
// are found over the tree (all: every failing item; any: one branch; n_of:
// the missing number of items); each gets the best-ranked distinct course
// per item, and then courses relevant to the condition top up missing
// credits. Alternatives take the next-ranked course for one item or for the
// top-up. When every item already matches but the shortfall remains (the
// matching outcomes overlap), one more relevant course is suggested.
func (c *Catalogue) Suggest(rule Rule, acc *Account, now time.Time) []CourseSuggestion {
	run := &evalRun{rule: rule, acc: acc, now: now}
	if run.acc == nil {
		run.acc = &Account{}
	}
	return c.suggest(run, run.run(), map[string][]int{})
}

// suggest is Suggest with the catalogue scan of each distinct match item
// shared across the rules of one answer (rules often repeat items such as
// "one community outcome").
func (c *Catalogue) suggest(run *evalRun, ev Evaluation, shared map[string][]int) []CourseSuggestion {
	// run.root is nil when the rule itself is invalid.
	if ev.Eligible || ev.Shortfall == nil || c == nil || len(c.entries) == 0 || run.root == nil {
		return nil
	}
	for _, cp := range run.rule.Caps {
		if FloorHalf(cp.MaxCredits-run.awardedUnder(cp.Scope)) <= 0 {
			return nil
		}
	}
	root, target, have, now := run.root, run.target, run.have, run.now
	p := &planner{cat: c, now: now, accepted: map[*condNode][]int{}, shared: shared}
	var plans []CourseSuggestion
	seen := map[string]bool{}
	for _, fix := range p.fixes(root) {
		slots := make([]slot, 0, len(fix.leaves)+1)
		for _, leaf := range fix.leaves {
			slots = append(slots, slot{leaf: leaf})
		}
		// A plan that fixes the condition but leaves the total short needs
		// a top-up slot; so does a rule whose items all match already but
		// whose outcomes overlap (one outcome cannot serve two items): one
		// more relevant course gives the selection room.
		if have < target || len(slots) == 0 {
			slots = append(slots, slot{})
		}
		try := func(choice []int) {
			if s, ok := p.complete(root, slots, choice, have, target); ok {
				if key := s.key(); !seen[key] {
					seen[key] = true
					plans = append(plans, s)
				}
			}
		}
		try(make([]int, len(slots)))
		// Alternatives: the k-th ranked course in one slot, the cheapest in
		// the others.
		for k := 1; k < MaxSuggestions; k++ {
			for i := range slots {
				choice := make([]int, len(slots))
				choice[i] = k
				try(choice)
			}
		}
	}
	slices.SortStableFunc(plans, func(a, b CourseSuggestion) int { return a.compare(b) })
	if len(plans) > MaxSuggestions {
		plans = plans[:MaxSuggestions]
	}
	return plans
}

// slot is one job in a plan: satisfy a failing match item (leaf), or, with
// leaf nil, add credits towards the required total.
type slot struct{ leaf *condNode }

type planner struct {
	cat      *Catalogue
	now      time.Time
	accepted map[*condNode][]int // catalogue entries each leaf accepts, ranked
	shared   map[string][]int    // the same, by match, across rules
	relevant []int               // entries some leaf accepts, ranked (lazily)
	relDone  bool
	byUnits  []int // relevant, most credits first (lazily)
}

// relevantByUnits orders the relevant entries by credits, most first, for
// topping up a total no single course closes.
func (p *planner) relevantByUnits(root *condNode) []int {
	if p.byUnits == nil {
		p.byUnits = slices.Clone(p.relevantEntries(root))
		slices.SortStableFunc(p.byUnits, func(a, b int) int { return p.cat.entries[b].units - p.cat.entries[a].units })
	}
	return p.byUnits
}

// accepts lists, in ranking order, the catalogue entries a leaf accepts,
// looking only at the courses of its category or issuers when it names them.
func (p *planner) accepts(leaf *condNode) []int {
	if got, ok := p.accepted[leaf]; ok {
		return got
	}
	m := leaf.match
	key := fmt.Sprintf("%+v", *m)
	out, ok := p.shared[key]
	if !ok {
		for _, i := range p.pool(m) {
			if m.Accepts(p.cat.entries[i].outcome(p.cat.today), p.now) {
				out = append(out, i)
			}
		}
		p.shared[key] = out
	}
	p.accepted[leaf] = out
	return out
}

func (p *planner) pool(m *Match) []int {
	switch {
	case m.Category != "":
		return p.cat.byCat[m.Category]
	case len(m.IssuerIDs) == 1:
		return p.cat.byIssuer[m.IssuerIDs[0]]
	}
	all := make([]int, len(p.cat.entries))
	for i := range all {
		all[i] = i
	}
	return all
}

// fixOption is one way to make a node satisfiable: the failing leaves to
// close, and the hours their cheapest courses take.
type fixOption struct {
	leaves []*condNode
	hours  float64
}

// fixes lists up to MaxSuggestions ways to make n satisfiable, cheapest
// first (all: every failing item; any: one branch; n_of: the missing
// number of items), or none when the catalogue cannot.
func (p *planner) fixes(n *condNode) []fixOption {
	if n.feasible {
		return []fixOption{{}}
	}
	if n.match != nil {
		acc := p.accepts(n)
		if len(acc) == 0 {
			return nil
		}
		return []fixOption{{leaves: []*condNode{n}, hours: p.cat.entries[acc[0]].course.Hours}}
	}
	switch n.op {
	case OpAll:
		out := []fixOption{{}}
		for _, ch := range n.children {
			if ch.feasible {
				continue
			}
			out = combine(out, p.fixes(ch))
			if len(out) == 0 {
				return nil
			}
		}
		return out
	case OpAny:
		var out []fixOption
		for _, ch := range n.children {
			out = append(out, p.fixes(ch)...)
		}
		return cheapest(out)
	}
	// n_of: choose the missing number among the failing items, by dynamic
	// programming over "how many items fixed so far".
	missing := n.need() - n.okKids
	byCount := make([][]fixOption, missing+1)
	byCount[0] = []fixOption{{}}
	for _, ch := range n.children {
		if ch.feasible {
			continue
		}
		opts := p.fixes(ch)
		if len(opts) == 0 {
			continue
		}
		for j := missing; j >= 1; j-- {
			byCount[j] = cheapest(append(byCount[j], combine(byCount[j-1], opts)...))
		}
	}
	return byCount[missing]
}

// combine pairs every option of a with every option of b.
func combine(a, b []fixOption) []fixOption {
	var out []fixOption
	for _, x := range a {
		for _, y := range b {
			out = append(out, fixOption{leaves: append(slices.Clip(x.leaves), y.leaves...), hours: x.hours + y.hours})
		}
	}
	return cheapest(out)
}

// cheapest sorts options by hours and keeps MaxSuggestions of them.
func cheapest(opts []fixOption) []fixOption {
	slices.SortStableFunc(opts, func(a, b fixOption) int {
		switch {
		case a.hours < b.hours:
			return -1
		case a.hours > b.hours:
			return 1
		}
		return len(a.leaves) - len(b.leaves)
	})
	if len(opts) > MaxSuggestions {
		opts = opts[:MaxSuggestions]
	}
	return opts
}

// relevantEntries lists the entries any leaf of the condition accepts.
func (p *planner) relevantEntries(root *condNode) []int {
	if p.relDone {
		return p.relevant
	}
	p.relDone = true
	mark := make([]bool, len(p.cat.entries))
	for _, l := range root.leaves(nil) {
		for _, i := range p.accepts(l) {
			mark[i] = true
		}
	}
	for i, ok := range mark { // entry order is ranking order
		if ok {
			p.relevant = append(p.relevant, i)
		}
	}
	return p.relevant
}

// complete builds the plan taking, for each slot, its choice-th usable
// course (distinct across slots); the top-up slot takes courses until the
// total is met. False when a slot has no such course.
func (p *planner) complete(root *condNode, slots []slot, choice []int, have, target int) (CourseSuggestion, bool) {
	used := map[int]bool{}
	var picked []int
	units := have
	var topUp []int
	for si, s := range slots {
		if s.leaf == nil {
			topUp = append(topUp, si)
			continue
		}
		i, ok := nth(p.accepts(s.leaf), choice[si], used)
		if !ok {
			return CourseSuggestion{}, false
		}
		used[i] = true
		picked = append(picked, i)
		units += p.cat.entries[i].units
	}
	for _, si := range topUp {
		if units >= target && len(picked) > 0 {
			continue // the items' courses already bring the total
		}
		// The choice-th course that alone closes the remaining total, else
		// (for the cheapest plan only) the largest courses until it is met.
		need := max(target-units, 1)
		if i, ok := nthCloser(p.cat, p.relevantEntries(root), need, choice[si], used); ok {
			used[i] = true
			picked = append(picked, i)
			units += p.cat.entries[i].units
			continue
		}
		if choice[si] > 0 {
			return CourseSuggestion{}, false
		}
		for _, i := range p.relevantByUnits(root) {
			if units >= target {
				break
			}
			if !used[i] {
				used[i] = true
				picked = append(picked, i)
				units += p.cat.entries[i].units
			}
		}
	}
	if units < target || len(picked) == 0 {
		return CourseSuggestion{}, false
	}
	slices.Sort(picked)
	s := CourseSuggestion{}
	for _, i := range picked {
		e := p.cat.entries[i]
		s.Courses = append(s.Courses, *e.course)
		s.CourseCredits = append(s.CourseCredits, float64(e.units)/2)
		s.Hours += e.course.Hours
		s.Credits += float64(e.units) / 2
		if e.start != unscheduled && (s.StartsOn == nil || e.course.NextStart.Before(*s.StartsOn)) {
			d := *e.course.NextStart
			s.StartsOn = &d
		}
	}
	return s, true
}

// nthCloser is the k-th unused entry of a ranked list that alone brings at
// least need half credits.
func nthCloser(cat *Catalogue, list []int, need, k int, used map[int]bool) (int, bool) {
	for _, i := range list {
		if used[i] || cat.entries[i].units < need {
			continue
		}
		if k == 0 {
			return i, true
		}
		k--
	}
	return 0, false
}

// nth is the k-th entry of a ranked list not already used.
func nth(list []int, k int, used map[int]bool) (int, bool) {
	for _, i := range list {
		if used[i] {
			continue
		}
		if k == 0 {
			return i, true
		}
		k--
	}
	return 0, false
}

func (s CourseSuggestion) compare(t CourseSuggestion) int {
	switch {
	case s.Hours != t.Hours:
		if s.Hours < t.Hours {
			return -1
		}
		return 1
	case (s.StartsOn == nil) != (t.StartsOn == nil):
		if s.StartsOn != nil {
			return -1
		}
		return 1
	case s.StartsOn != nil && !s.StartsOn.Equal(*t.StartsOn):
		return s.StartsOn.Compare(*t.StartsOn)
	case len(s.Courses) != len(t.Courses):
		return len(s.Courses) - len(t.Courses)
	}
	return 0
}

func (s CourseSuggestion) key() string {
	b := make([]byte, 0, len(s.Courses)*16)
	for _, c := range s.Courses {
		b = append(b, c.ID[:]...)
	}
	return string(b)
}
