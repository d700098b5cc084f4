package service

import (
	"strconv"
	"strings"

	"creditbank/domain"
)

// FrameworkStats are the figures of levels, units, public notice and
// appeal: recognised (banked) credits by framework level and certification
// unit; notices, objections and appeals by how they ended; and the mean
// days from application to decision.
type FrameworkStats struct {
	ByLevel    map[int]Tally
	ByUnit     map[string]Tally
	Notices    map[string]int // open, final
	Objections map[string]int // open, upheld, dismissed
	Appeals    map[string]int // open, upheld, dismissed
	Decisions  int
	// MeanDecisionDays is the mean time from application to decision of
	// decided conversions (automatic approvals left out); MeanAppealDays
	// from appeal to its decision.
	MeanDecisionDays float64
	MeanAppealDays   float64
}

func newFrameworkStats() FrameworkStats {
	return FrameworkStats{ByLevel: map[int]Tally{}, ByUnit: map[string]Tally{},
		Notices: map[string]int{}, Objections: map[string]int{}, Appeals: map[string]int{}}
}

// take reads one district tally if it is one of these figures.
func (f *FrameworkStats) take(key string, v domain.StatTally) {
	t := Tally{Outcomes: int(v.Count), Credits: v.Credits}
	switch {
	case strings.HasPrefix(key, domain.TallyLevel):
		if n, err := strconv.Atoi(strings.TrimPrefix(key, domain.TallyLevel)); err == nil {
			f.ByLevel[n] = t
		}
	case strings.HasPrefix(key, domain.TallyUnit):
		f.ByUnit[strings.TrimPrefix(key, domain.TallyUnit)] = t
	case strings.HasPrefix(key, domain.TallyNotice):
		f.Notices[strings.TrimPrefix(key, domain.TallyNotice)] = int(v.Count)
	case strings.HasPrefix(key, domain.TallyObjection):
		f.Objections[strings.TrimPrefix(key, domain.TallyObjection)] = int(v.Count)
	case strings.HasPrefix(key, domain.TallyAppeal):
		f.Appeals[strings.TrimPrefix(key, domain.TallyAppeal)] = int(v.Count)
	case key == domain.TallyDecisionDays:
		f.Decisions = int(v.Count)
		if v.Count > 0 {
			f.MeanDecisionDays = v.Credits / float64(v.Count)
		}
	case key == domain.TallyAppealDays:
		if v.Count > 0 {
			f.MeanAppealDays = v.Credits / float64(v.Count)
		}
	}
}
