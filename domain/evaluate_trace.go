package domain

import (
	"fmt"
	"slices"
	"strings"
)

// The trace speaks to learners and reviewers: Chinese messages, English
// codes, items named by the same JSON paths validation uses.

// maxListed bounds how many outcomes one trace step names.
const maxListed = 5

func opLabel(n *condNode) string {
	switch n.op {
	case OpAll:
		return "全部满足"
	case OpAny:
		return "满足任一项"
	default:
		return fmt.Sprintf("满足其中 %d 项", n.n)
	}
}

func (e *evalRun) outcomeLabel(i int) string {
	o := e.cands[i]
	return fmt.Sprintf("「%s」（%s，%s 学分）", o.Title, o.Category, num(o.Credits))
}

// traceSelection explains the chosen selection item by item, children before
// their group. Items in branches the selection did not need are left out.
func (e *evalRun) traceSelection(root *condNode, sel *selection) {
	byLeaf := map[*condNode]int{}
	for _, p := range sel.picks {
		if p.leaf != nil {
			byLeaf[p.leaf] = p.idx
		}
	}
	var walk func(n *condNode) bool
	walk = func(n *condNode) bool {
		if n.match != nil {
			i, ok := byLeaf[n]
			if ok {
				e.step("match.ok", &StepFacts{Form: "used", Item: n.ref(), Outcomes: []OutcomeRef{e.outcomeRef(i)}}, "%s（%s）：使用%s", n.path, n.match.describe(), e.outcomeLabel(i))
			}
			return ok
		}
		held := 0
		for _, c := range n.children {
			if walk(c) {
				held++
			}
		}
		if held > 0 || n == root {
			status := "ok"
			if held < n.need() {
				status = "fail"
			}
			e.step("group."+string(n.op)+"."+status, &StepFacts{Form: "held", Item: n.ref(), Held: held, Of: len(n.children), Need: n.need()}, "%s（%s）：满足 %d/%d 项", n.path, opLabel(n), held, len(n.children))
		}
		return held >= n.need()
	}
	walk(root)
}

// traceFeasibility explains a failed evaluation: for each item, which
// outcomes would match it, or why the closest ones do not.
func (e *evalRun) traceFeasibility(root *condNode) {
	var walk func(n *condNode)
	walk = func(n *condNode) {
		if n.match != nil {
			if len(n.accepts) > 0 {
				refs, more := e.refs(n.accepts)
				e.step("match.ok", &StepFacts{Form: "possible", Item: n.ref(), Count: len(n.accepts), Outcomes: refs, More: more}, "%s（%s）：符合的成果 %d 项：%s", n.path, n.match.describe(), len(n.accepts), e.listed(n.accepts))
				return
			}
			msg := fmt.Sprintf("%s（%s）：没有符合的成果", n.path, n.match.describe())
			if near := e.nearMisses(n.match); near != "" {
				msg += "；" + near
			}
			e.step("match.fail", &StepFacts{Item: n.ref(), Misses: e.nearMissFacts(n.match)}, "%s", msg)
			return
		}
		for _, c := range n.children {
			walk(c)
		}
		status := "ok"
		if !n.feasible {
			status = "fail"
		}
		e.step("group."+string(n.op)+"."+status, &StepFacts{Form: "possible", Item: n.ref(), Held: n.okKids, Of: len(n.children), Need: n.need()}, "%s（%s）：可满足 %d/%d 项，需要 %d 项", n.path, opLabel(n), n.okKids, len(n.children), n.need())
	}
	walk(root)
}

func (e *evalRun) listed(idx []int) string {
	var names []string
	for k, i := range idx {
		if k == maxListed {
			names = append(names, fmt.Sprintf("等 %d 项", len(idx)))
			break
		}
		names = append(names, e.outcomeLabel(i))
	}
	return strings.Join(names, "、")
}

// refs is listed as data: at most maxListed outcomes and how many more.
func (e *evalRun) refs(idx []int) ([]OutcomeRef, int) {
	var out []OutcomeRef
	for k, i := range idx {
		if k == maxListed {
			return out, len(idx) - maxListed
		}
		out = append(out, e.outcomeRef(i))
	}
	return out, 0
}

// nearMissFacts is nearMisses as data.
func (e *evalRun) nearMissFacts(m *Match) []NearMiss {
	var out []NearMiss
	for _, o := range e.cands {
		if len(out) == 3 {
			break
		}
		if m.Category != "" && o.Category != m.Category {
			continue
		}
		if field, have, want := m.mismatchOf(o, e.now); field != "" {
			out = append(out, NearMiss{Title: o.Title, Field: field, Have: have, Want: want})
		}
	}
	return out
}

// nearMisses names up to three candidates of the right kind and what each
// lacks; outcomes of another category are not worth listing.
func (e *evalRun) nearMisses(m *Match) string {
	var parts []string
	for _, o := range e.cands {
		if len(parts) == 3 {
			break
		}
		if m.Category != "" && o.Category != m.Category {
			continue
		}
		if why := m.mismatch(o, e.now); why != "" {
			parts = append(parts, "「"+o.Title+"」"+why)
		}
	}
	return strings.Join(parts, "；")
}

// shortfall says precisely what is missing when no selection exists: the
// items nothing matches, else the missing credits, else that the matching
// outcomes overlap and one outcome cannot serve two items.
func (e *evalRun) shortfall(root *condNode, sel *selector, target int) Shortfall {
	deficit := max(target-sel.maxUnits(), 0)
	credits := float64(deficit) / 2
	need := fmt.Sprintf("需要再获得 %s 学分%s", num(credits), kindPhrase(root))
	if deficit > 0 {
		e.step("total.short", &StepFacts{Credits: float64(sel.maxUnits()) / 2, Required: float64(target) / 2}, "符合条件的成果合计 %s 学分，要求 %s 学分", num(float64(sel.maxUnits())/2), num(float64(target)/2))
	}
	cats := categoriesOf(root)
	switch {
	case !root.feasible && deficit > 0:
		return Shortfall{Credits: credits, Message: "条件未满足：" + explainMissing(root) + "；另外" + need,
			detail: &ShortfallDetail{Reason: ShortItemsAndCredits, Missing: missingParts(root), Categories: cats}}
	case !root.feasible:
		return Shortfall{Message: "条件未满足：" + explainMissing(root), detail: &ShortfallDetail{Reason: ShortItems, Missing: missingParts(root)}}
	case deficit > 0:
		return Shortfall{Credits: credits, Message: need, detail: &ShortfallDetail{Reason: ShortCredits, Categories: cats}}
	case sel.exhausted():
		e.step("select.fail", &StepFacts{Form: "search_limit"}, "组合过多，在搜索上限内未找到满足条件的成果组合")
		return Shortfall{Message: "在搜索上限内未找到满足条件的成果组合", detail: &ShortfallDetail{Reason: ShortSearchLimit}}
	default:
		e.step("select.fail", &StepFacts{Form: "overlap"}, "符合各条件项的成果有重叠，同一成果只能使用一次")
		return Shortfall{Message: "符合各条件项的成果有重叠，同一成果只能使用一次：需要更多不同的成果", detail: &ShortfallDetail{Reason: ShortOverlap}}
	}
}

// kindPhrase names what kind of outcome would help: " community 类成果" when
// every item asks for one category, else "符合条件的成果".
func kindPhrase(root *condNode) string {
	var cats []string
	for _, l := range root.leaves(nil) {
		if l.match.Category == "" {
			return "符合条件的成果"
		}
		if c := string(l.match.Category); !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	return " " + strings.Join(cats, " 或 ") + " 类成果"
}

// explainMissing describes the unsatisfiable part of the condition.
func explainMissing(n *condNode) string {
	if n.match != nil {
		return fmt.Sprintf("%s（%s）没有符合的成果", n.path, n.match.describe())
	}
	var missing []string
	for _, c := range n.children {
		if !c.feasible {
			missing = append(missing, explainMissing(c))
		}
	}
	switch n.op {
	case OpAll:
		return strings.Join(missing, "；")
	case OpAny:
		return fmt.Sprintf("%s 需至少满足 1 项，但：%s", n.path, strings.Join(missing, "；"))
	default:
		return fmt.Sprintf("%s 需满足 %d 项，目前只有 %d 项可满足，其余：%s", n.path, n.n, n.okKids, strings.Join(missing, "；"))
	}
}

// joinZH joins names with the Chinese enumeration comma.
func joinZH(names []string) string { return strings.Join(names, "、") }
