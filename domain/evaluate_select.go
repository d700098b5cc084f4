package domain

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"time"
)

// Selection picks the outcomes a rule uses.
//
// Candidates are sorted by credits ascending, then completedOn ascending, then
// outcome ID (byte order): a total order, so the result never depends on the
// order outcomes are stored in the account.
//
// The search is an exhaustive branch and bound over the condition tree: every
// match item takes one distinct candidate, groups combine items (all: every
// item; any: one; n_of: n of them, chosen in item order), and when the
// credits of the chosen outcomes are below the required total, further
// candidates that match some item of the condition top them up. The best
// selection has the fewest credits; among equals the first one found wins,
// i.e. the one that takes earlier candidates for earlier items (branches
// that cannot beat the best so far are cut, which keeps ties from exploding
// when many outcomes carry the same credits). A selection using exactly the
// required total cannot be beaten, so the search ends there, and a total
// beyond every relevant candidate is not searched for. The search stops after
// selectionBudget steps (depth ≤ 8 and ≤ 100 items keep real rules far below
// it); past the bound it keeps the best selection found so far or, if none
// was found, makes the greedy choice: each match item takes its first unused
// candidate, any/n_of take their first satisfiable items in order, and the
// top-up takes the smallest remaining candidates.

const selectionBudget = 200_000

// condNode is the condition tree compiled against one evaluation's candidates.
type condNode struct {
	path     string
	op       GroupOp
	n        int
	children []*condNode
	match    *Match
	accepts  []int // candidate indexes the match accepts, ascending
	// feasible is whether the node could be satisfied if outcomes could be
	// reused: a cheap necessary condition that prunes the search and names
	// what is missing.
	feasible bool
	okKids   int
}

func compile(g Group, path string, cands []Outcome, now time.Time) *condNode {
	n := &condNode{path: path, op: g.Op, n: g.N}
	for i, it := range g.Items {
		p := fmt.Sprintf("%s.items[%d]", path, i)
		var c *condNode
		if it.Group != nil {
			c = compile(*it.Group, p, cands, now)
		} else {
			c = &condNode{path: p, match: it.Match}
			for j, o := range cands {
				if it.Match.Accepts(o, now) {
					c.accepts = append(c.accepts, j)
				}
			}
			c.feasible = len(c.accepts) > 0
		}
		n.children = append(n.children, c)
		if c.feasible {
			n.okKids++
		}
	}
	n.feasible = n.okKids >= n.need()
	return n
}

// need is how many items of the group must hold.
func (n *condNode) need() int {
	switch n.op {
	case OpAll:
		return len(n.children)
	case OpAny:
		return 1
	default:
		return n.n
	}
}

func (n *condNode) leaves(out []*condNode) []*condNode {
	if n.match != nil {
		return append(out, n)
	}
	for _, c := range n.children {
		out = c.leaves(out)
	}
	return out
}

// pick assigns one candidate to a match item; leaf is nil for a top-up.
type pick struct {
	leaf *condNode
	idx  int
}

type selection struct {
	picks []pick
	units int   // credits × 2
	idx   []int // used candidates, ascending
}

// better keeps the first of equally cheap selections.
func (s *selection) better(t *selection) bool { return t == nil || s.units < t.units }

type selector struct {
	root     *condNode
	units    []int
	relevant []int // candidates accepted by at least one match item, ascending
	target   int   // required total, in half credits
	used     []bool
	picks    []pick
	sum      int
	steps    int
	best     *selection
}

func newSelector(root *condNode, cands []Outcome, target int) *selector {
	s := &selector{root: root, target: target, used: make([]bool, len(cands))}
	s.units = make([]int, len(cands))
	for i, o := range cands {
		s.units[i] = halfUnits(o.Credits)
	}
	rel := make([]bool, len(cands))
	for _, l := range root.leaves(nil) {
		for _, i := range l.accepts {
			rel[i] = true
		}
	}
	for i, ok := range rel {
		if ok {
			s.relevant = append(s.relevant, i)
		}
	}
	return s
}

// maxUnits is the most the relevant candidates can add up to.
func (s *selector) maxUnits() int {
	t := 0
	for _, i := range s.relevant {
		t += s.units[i]
	}
	return t
}

func (s *selector) run() *selection {
	// Every pick is a relevant candidate, so a total beyond all of them is
	// out of reach: searching would only burn the budget to learn so.
	if !s.root.feasible || s.maxUnits() < s.target {
		return nil
	}
	s.solve(s.root, func() { s.topUp(0) })
	if s.best == nil && s.steps >= selectionBudget {
		s.greedy()
	}
	return s.best
}

// exhausted also ends the search once the best selection uses exactly the
// required total: no selection can use less, and among equals the first
// found is kept anyway, so the rest of the search could not change the
// result.
func (s *selector) exhausted() bool {
	return s.steps >= selectionBudget || (s.best != nil && s.target > 0 && s.best.units <= s.target)
}

// bounded reports that adding candidate i cannot beat the best selection;
// candidates come in ascending credits, so every later one is out too.
func (s *selector) bounded(i int) bool {
	return s.best != nil && s.sum+s.units[i] >= s.best.units
}

func (s *selector) use(leaf *condNode, i int) {
	s.used[i] = true
	s.picks = append(s.picks, pick{leaf: leaf, idx: i})
	s.sum += s.units[i]
}

func (s *selector) undo(mark int) {
	for len(s.picks) > mark {
		p := s.picks[len(s.picks)-1]
		s.picks = s.picks[:len(s.picks)-1]
		s.used[p.idx] = false
		s.sum -= s.units[p.idx]
	}
}

// solve enumerates the ways to satisfy n with unused candidates, calling k
// after each one with the candidates still marked as used.
func (s *selector) solve(n *condNode, k func()) {
	if !n.feasible || s.exhausted() {
		return
	}
	if n.match != nil {
		for _, i := range n.accepts {
			if s.used[i] {
				continue
			}
			if s.bounded(i) {
				return
			}
			s.steps++
			if s.exhausted() {
				return
			}
			mark := len(s.picks)
			s.use(n, i)
			k()
			s.undo(mark)
		}
		return
	}
	switch n.op {
	case OpAll:
		s.sequence(n.children, 0, k)
	case OpAny:
		for _, c := range n.children {
			s.solve(c, k)
		}
	case OpNOf:
		s.choose(n.children, 0, n.n, k)
	}
}

func (s *selector) sequence(cs []*condNode, i int, k func()) {
	if i == len(cs) {
		k()
		return
	}
	s.solve(cs[i], func() { s.sequence(cs, i+1, k) })
}

func (s *selector) choose(cs []*condNode, from, need int, k func()) {
	if need == 0 {
		k()
		return
	}
	for i := from; i <= len(cs)-need; i++ {
		if !cs[i].feasible {
			continue
		}
		s.solve(cs[i], func() { s.choose(cs, i+1, need-1, k) })
	}
}

// topUp adds relevant candidates, in ascending order, until the total is met.
func (s *selector) topUp(from int) {
	if s.sum >= s.target {
		s.record()
		return
	}
	for j := from; j < len(s.relevant); j++ {
		i := s.relevant[j]
		if s.used[i] {
			continue
		}
		if s.bounded(i) {
			return
		}
		s.steps++
		if s.exhausted() {
			return
		}
		mark := len(s.picks)
		s.use(nil, i)
		s.topUp(j + 1)
		s.undo(mark)
	}
}

func (s *selector) record() {
	sel := &selection{units: s.sum, picks: slices.Clone(s.picks)}
	for _, p := range s.picks {
		sel.idx = append(sel.idx, p.idx)
	}
	slices.Sort(sel.idx)
	if sel.better(s.best) {
		s.best = sel
	}
}

// greedy is the documented fallback past the search bound: no backtracking
// across items, so it is linear in the size of the rule and the account.
func (s *selector) greedy() {
	s.undo(0)
	if !s.greedyNode(s.root) {
		s.undo(0)
		return
	}
	for _, i := range s.relevant {
		if s.sum >= s.target {
			break
		}
		if !s.used[i] {
			s.use(nil, i)
		}
	}
	if s.sum >= s.target {
		s.record()
	}
	s.undo(0)
}

func (s *selector) greedyNode(n *condNode) bool {
	if !n.feasible {
		return false
	}
	if n.match != nil {
		for _, i := range n.accepts {
			if !s.used[i] {
				s.use(n, i)
				return true
			}
		}
		return false
	}
	got := 0
	for _, c := range n.children {
		mark := len(s.picks)
		if s.greedyNode(c) {
			got++
			if n.op != OpAll && got == n.need() {
				return true
			}
		} else {
			s.undo(mark)
			if n.op == OpAll {
				return false
			}
		}
	}
	return got >= n.need()
}

// sortCandidates puts outcomes in the documented selection order.
func sortCandidates(os []Outcome) {
	slices.SortFunc(os, func(a, b Outcome) int {
		if c := halfUnits(a.Credits) - halfUnits(b.Credits); c != 0 {
			return c
		}
		if c := a.CompletedOn.Compare(b.CompletedOn); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
}

// halfUnits counts half credits; amounts in the bank are half-credit steps.
func halfUnits(credits float64) int { return int(math.Round(credits * 2)) }

// halfUnitsUp is the smallest whole number of half credits ≥ x.
func halfUnitsUp(x float64) int { return int(math.Ceil(x*2 - 1e-9)) }
