package domain

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// StepFacts are the parts a trace step is made of, so that a client words
// the step in its reader's language instead of showing the server's
// Chinese Message. Empty text and list fields are parts the step does not
// have; the counts and figures are always its own (held 0 of 2 is a fact).
// Form picks one wording of a
// step when a code has several (a match that is used, or only possible).
type StepFacts struct {
	Form     string
	Item     *ItemRef
	Outcomes []OutcomeRef
	// More counts matching outcomes left out of Outcomes.
	More   int
	Misses []NearMiss
	// Count, Held, Of and Need count outcomes or a group's items.
	Count, Held, Of, Need int
	// Credits are what the step is about (used, available, awarded);
	// Required, Got, Max, Left, From, Ratio and Raw the figures around it.
	Credits, Required, Got, Max, Left, From, Ratio, Raw float64
	Scope                                               CapScope
	Year                                                int
	Date                                                *time.Time
	// Rule is another conversion's rule name (an outcome it holds).
	Rule  string
	Other string // the other outcome's title (the same unit twice)
	Unit  string // a certification unit or course code counted before
}

// ItemRef names a part of a rule's condition the way its author sees it:
// Number is its place in the rule's own list ("1", "2.1"; "" for the whole
// condition); Op and N describe a group, Match an item that asks for an
// outcome. Path is the validation path, for technical details only.
type ItemRef struct {
	Path   string
	Number string
	Op     GroupOp
	N      int
	Match  *Match
}

// OutcomeRef names an outcome in a step.
type OutcomeRef struct {
	Title    string
	Category Category
	Credits  float64
}

// NearMiss is an outcome of the right kind that an item does not accept,
// and the first requirement it fails: Field is one of category, issuer,
// unit, course, title, level, score, credits, hours, age; Have is what the
// outcome has and Want what the item asks.
type NearMiss struct {
	Title string
	Field string
	Have  string
	Want  string
}

// ShortfallReason is the closed set of reasons an evaluation fails.
type ShortfallReason string

const (
	ShortItems           ShortfallReason = "items"             // some items have no matching outcome
	ShortItemsAndCredits ShortfallReason = "items_and_credits" // and the total is short too
	ShortCredits         ShortfallReason = "credits"           // only the total is short
	ShortSearchLimit     ShortfallReason = "search_limit"
	ShortOverlap         ShortfallReason = "overlap" // matching outcomes overlap
	ShortCap             ShortfallReason = "cap"     // the institution's cap is reached
	ShortRuleCap         ShortfallReason = "rule_cap"
	ShortInvalidRule     ShortfallReason = "invalid_rule"
)

// MissingPart is a part of the condition that cannot be met: an item no
// outcome matches, or a group with fewer items within reach (Possible)
// than it needs.
type MissingPart struct {
	Item     ItemRef
	Possible int
}

func (n *condNode) ref() *ItemRef {
	r := &ItemRef{Path: n.path, Number: itemNumber(n.path), Match: n.match}
	if n.match == nil {
		r.Op, r.N = n.op, n.need()
	}
	return r
}

// itemNumber turns "condition.items[1].items[0]" into "2.1".
func itemNumber(path string) string {
	var parts []string
	for _, seg := range strings.Split(path, ".")[1:] {
		i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(seg, "items["), "]"))
		if err != nil {
			return ""
		}
		parts = append(parts, strconv.Itoa(i+1))
	}
	return strings.Join(parts, ".")
}

func (e *evalRun) outcomeRef(i int) OutcomeRef {
	o := e.cands[i]
	return OutcomeRef{Title: o.Title, Category: o.Category, Credits: o.Credits}
}

// missingParts lists the unsatisfiable parts of n, innermost first as
// explainMissing words them.
func missingParts(n *condNode) []MissingPart {
	if n.match != nil {
		return []MissingPart{{Item: *n.ref()}}
	}
	var out []MissingPart
	for _, c := range n.children {
		if !c.feasible {
			out = append(out, missingParts(c)...)
		}
	}
	if n.op != OpAll {
		out = append(out, MissingPart{Item: *n.ref(), Possible: n.okKids})
	}
	return out
}

// categoriesOf is every category the condition's items ask for, or nil
// when some item takes any category.
func categoriesOf(root *condNode) []Category {
	var cats []Category
	for _, l := range root.leaves(nil) {
		if l.match.Category == "" {
			return nil
		}
		if !slices.Contains(cats, l.match.Category) {
			cats = append(cats, l.match.Category)
		}
	}
	return cats
}
