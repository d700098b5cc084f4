package api

import (
	"sort"
	"strconv"

	"creditbank/app/service"
)

type levelTallyDTO struct {
	Level    int     `json:"level"`
	Outcomes int     `json:"outcomes"`
	Credits  float64 `json:"credits"`
}

type unitTallyDTO struct {
	UnitCode string  `json:"unitCode"`
	Outcomes int     `json:"outcomes"`
	Credits  float64 `json:"credits"`
}

// frameworkStatsDTO is embedded in statsDTO: its fields sit beside the
// others in GET /api/v1/stats.
type frameworkStatsDTO struct {
	ByLevel          []levelTallyDTO `json:"byLevel"`
	ByUnit           []unitTallyDTO  `json:"byUnit"`
	Notices          map[string]int  `json:"notices"`
	Objections       map[string]int  `json:"objections"`
	Appeals          map[string]int  `json:"appeals"`
	Decisions        int             `json:"decisions"`
	MeanDecisionDays float64         `json:"meanDecisionDays"`
	MeanAppealDays   float64         `json:"meanAppealDays"`
}

func frameworkStatsFrom(f service.FrameworkStats) frameworkStatsDTO {
	out := frameworkStatsDTO{ByLevel: []levelTallyDTO{}, ByUnit: []unitTallyDTO{},
		Notices: f.Notices, Objections: f.Objections, Appeals: f.Appeals, Decisions: f.Decisions,
		MeanDecisionDays: roundTenth(f.MeanDecisionDays), MeanAppealDays: roundTenth(f.MeanAppealDays)}
	for l, t := range f.ByLevel {
		out.ByLevel = append(out.ByLevel, levelTallyDTO{l, t.Outcomes, t.Credits})
	}
	sort.Slice(out.ByLevel, func(i, j int) bool { return out.ByLevel[i].Level < out.ByLevel[j].Level })
	for u, t := range f.ByUnit {
		out.ByUnit = append(out.ByUnit, unitTallyDTO{u, t.Outcomes, t.Credits})
	}
	sort.Slice(out.ByUnit, func(i, j int) bool { return out.ByUnit[i].UnitCode < out.ByUnit[j].UnitCode })
	return out
}

// roundTenth keeps a mean of days to one decimal, as people read it.
func roundTenth(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 1, 64), 64)
	return v
}
