package domain

import (
	"sort"
	"time"
)

// MinSimulationCell is the smallest number of learners a simulation figure
// may describe. A rule can be written to match one person's course, so any
// smaller group (zero included: telling "none" from "one" already says that
// someone studied it) is reported only as suppressed.
const MinSimulationCell = 5

// Age bands of a simulation, youngest first; ages are whole years at the
// time of the simulation.
var simulationAgeBands = []struct {
	Key      string
	From, To int // inclusive
}{
	{"0-17", 0, 17}, {"18-29", 18, 29}, {"30-39", 30, 39}, {"40-49", 40, 49},
	{"50-59", 50, 59}, {"60-69", 60, 69}, {"70+", 70, 1 << 30},
}

// SimulationOtherRegion collects the learners of regions too small to name.
const SimulationOtherRegion = "other"

// SimulationCell is one figure of a simulation's breakdown. When Suppressed,
// Eligible and Credits are zero and must not be shown.
type SimulationCell struct {
	Key        string
	Eligible   int
	Credits    float64
	Suppressed bool
}

// Simulation is what a rule would do across the district, in aggregates
// only: no outcome, account or trace of any learner.
type Simulation struct {
	Evaluated  int
	Eligible   int
	Credits    float64
	Suppressed bool // Eligible and Credits are below MinSimulationCell learners
	ByCategory []SimulationCell
	ByRegion   []SimulationCell
	ByAgeBand  []SimulationCell
}

// SimulationTally accumulates evaluations; Result applies the suppression.
type SimulationTally struct {
	now       time.Time
	evaluated int
	eligible  int
	credits   float64
	// Each eligible learner lands in exactly one cell of each breakdown, so
	// that every breakdown adds up to the total and suppression can be
	// checked against it.
	category, region, ageBand map[string]*SimulationCell
	// Regions are named only when they hold enough evaluated accounts.
	regionPopulation map[string]int
}

// NewSimulationTally starts an empty tally; ages are taken at now.
func NewSimulationTally(now time.Time) *SimulationTally {
	return &SimulationTally{now: now, category: map[string]*SimulationCell{}, region: map[string]*SimulationCell{},
		ageBand: map[string]*SimulationCell{}, regionPopulation: map[string]int{}}
}

// Add counts one account's evaluation.
func (t *SimulationTally) Add(a *Account, ev Evaluation) {
	t.evaluated++
	region := a.RegionCode()
	t.regionPopulation[region]++
	if !ev.Eligible {
		return
	}
	t.eligible++
	t.credits += ev.AwardedCredits
	add := func(m map[string]*SimulationCell, key string) {
		c := m[key]
		if c == nil {
			c = &SimulationCell{Key: key}
			m[key] = c
		}
		c.Eligible++
		c.Credits += ev.AwardedCredits
	}
	add(t.category, string(mainCategory(ev.Used)))
	add(t.region, region)
	add(t.ageBand, ageBand(a.BirthDate, t.now))
}

// mainCategory is the category that contributed most of the credits used
// (the earlier category in display order on a tie), or other when nothing
// was used.
func mainCategory(used []UsedOutcome) Category {
	by := map[Category]float64{}
	for _, u := range used {
		by[u.Category] += u.Credits
	}
	best, bestCredits := CategoryOther, -1.0
	for _, c := range Categories {
		if v, ok := by[c]; ok && v > bestCredits {
			best, bestCredits = c, v
		}
	}
	return best
}

func ageBand(birth, now time.Time) string {
	if birth.IsZero() {
		return "unknown"
	}
	age := now.Year() - birth.Year()
	if now.Month() < birth.Month() || (now.Month() == birth.Month() && now.Day() < birth.Day()) {
		age--
	}
	for _, b := range simulationAgeBands {
		if age >= b.From && age <= b.To {
			return b.Key
		}
	}
	return "unknown"
}

// RegionCode is the address code of the learner's national ID (its first
// six digits, which the masked form shows), or other when it has none.
func (a *Account) RegionCode() string {
	m := a.PII.NationalIDMasked
	if len(m) < 6 {
		return SimulationOtherRegion
	}
	for _, r := range m[:6] {
		if r < '0' || r > '9' {
			return SimulationOtherRegion
		}
	}
	return m[:6]
}

// Result returns the aggregates with every group of fewer than
// MinSimulationCell learners suppressed.
func (t *SimulationTally) Result() Simulation {
	s := Simulation{Evaluated: t.evaluated, Eligible: t.eligible, Credits: t.credits}
	if t.eligible < MinSimulationCell {
		s.Eligible, s.Credits, s.Suppressed = 0, 0, true
	}
	var categories []string
	for _, c := range Categories {
		categories = append(categories, string(c))
	}
	s.ByCategory = t.breakdown(t.category, categories)
	// A small region would single out its few residents: fold it into other.
	regions := map[string]*SimulationCell{}
	var regionKeys []string
	for key, pop := range t.regionPopulation {
		if pop >= MinSimulationCell && key != SimulationOtherRegion {
			regionKeys = append(regionKeys, key)
		}
	}
	sort.Strings(regionKeys)
	named := map[string]bool{}
	for _, k := range regionKeys {
		named[k] = true
	}
	for key, c := range t.region {
		target := key
		if !named[key] {
			target = SimulationOtherRegion
		}
		r := regions[target]
		if r == nil {
			r = &SimulationCell{Key: target}
			regions[target] = r
		}
		r.Eligible += c.Eligible
		r.Credits += c.Credits
	}
	if len(t.regionPopulation) > len(regionKeys) {
		regionKeys = append(regionKeys, SimulationOtherRegion)
	}
	s.ByRegion = t.breakdown(regions, regionKeys)
	var bands []string
	for _, b := range simulationAgeBands {
		bands = append(bands, b.Key)
	}
	if t.ageBand["unknown"] != nil {
		bands = append(bands, "unknown")
	}
	s.ByAgeBand = t.breakdown(t.ageBand, bands)
	return s
}

// breakdown lists the cells in keys order, suppressing small ones. Because
// the cells add up to the total, a lone suppressed cell could be worked out
// by subtraction; so while the suppressed cells together hold 1 to 4
// learners, the smallest shown cell is suppressed too.
func (t *SimulationTally) breakdown(m map[string]*SimulationCell, keys []string) []SimulationCell {
	cells := make([]SimulationCell, len(keys))
	for i, k := range keys {
		cells[i] = SimulationCell{Key: k}
		if c := m[k]; c != nil {
			cells[i].Eligible, cells[i].Credits = c.Eligible, c.Credits
		}
		cells[i].Suppressed = cells[i].Eligible < MinSimulationCell
	}
	for {
		hidden, smallest := 0, -1
		for i, c := range cells {
			if c.Suppressed {
				hidden += c.Eligible
			} else if smallest < 0 || c.Eligible < cells[smallest].Eligible {
				smallest = i
			}
		}
		if hidden == 0 || hidden >= MinSimulationCell || smallest < 0 {
			break
		}
		cells[smallest].Suppressed = true
	}
	for i := range cells {
		if cells[i].Suppressed {
			cells[i].Eligible, cells[i].Credits = 0, 0
		}
	}
	return cells
}
