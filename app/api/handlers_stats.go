package api

import (
	"github.com/gofiber/fiber/v2"

	"creditbank/app/service"
)

type tallyDTO struct {
	Outcomes int     `json:"outcomes"`
	Credits  float64 `json:"credits"`
}

type institutionTallyDTO struct {
	InstitutionID string  `json:"institutionId"`
	Name          string  `json:"name"`
	Outcomes      int     `json:"outcomes"`
	Credits       float64 `json:"credits"`
}

type monthTallyDTO struct {
	Month    string  `json:"month"`
	Outcomes int     `json:"outcomes"`
	Credits  float64 `json:"credits"`
}

type statsDTO struct {
	Accounts          int                   `json:"accounts"`
	ClaimedAccounts   int                   `json:"claimedAccounts"`
	Outcomes          int                   `json:"outcomes"`
	RevokedOutcomes   int                   `json:"revokedOutcomes"`
	Credits           float64               `json:"credits"`
	ByCategory        map[string]tallyDTO   `json:"byCategory"`
	ByInstitution     []institutionTallyDTO `json:"byInstitution"`
	ByRegion          map[string]tallyDTO   `json:"byRegion"`
	ByMonth           []monthTallyDTO       `json:"byMonth"`
	Conversions       map[string]int        `json:"conversions"`
	ConvertedCredits  float64               `json:"convertedCredits"`
	LearnersByAgeBand map[string]int        `json:"learnersByAgeBand"`
	ActiveLearners    int                   `json:"activeLearners"`
	CoursesByCategory map[string]int        `json:"coursesByCategory"`
	frameworkStatsDTO
}

func statsFrom(st service.Stats) statsDTO {
	out := statsDTO{Accounts: st.Accounts, ClaimedAccounts: st.ClaimedAccounts, Outcomes: st.Outcomes,
		RevokedOutcomes: st.RevokedOutcomes, Credits: st.Credits, ByCategory: map[string]tallyDTO{},
		ByInstitution: []institutionTallyDTO{}, ByRegion: map[string]tallyDTO{}, ByMonth: []monthTallyDTO{},
		Conversions: map[string]int{}, ConvertedCredits: st.ConvertedCredits, LearnersByAgeBand: st.LearnersByAgeBand,
		ActiveLearners: st.ActiveLearners, CoursesByCategory: map[string]int{}}
	for c, t := range st.ByCategory {
		out.ByCategory[string(c)] = tallyDTO{t.Outcomes, t.Credits}
	}
	for id, t := range st.ByInstitution {
		out.ByInstitution = append(out.ByInstitution, institutionTallyDTO{id.String(), st.InstitutionNames[id], t.Outcomes, t.Credits})
	}
	sortByCreditsDesc(out.ByInstitution)
	for r, t := range st.ByRegion {
		out.ByRegion[r] = tallyDTO{t.Outcomes, t.Credits}
	}
	for _, m := range st.SortedMonths() {
		t := st.ByMonth[m]
		out.ByMonth = append(out.ByMonth, monthTallyDTO{m, t.Outcomes, t.Credits})
	}
	for s, n := range st.Conversions {
		out.Conversions[string(s)] = n
	}
	for c, n := range st.CoursesByCategory {
		out.CoursesByCategory[string(c)] = n
	}
	out.frameworkStatsDTO = frameworkStatsFrom(st.Framework)
	return out
}

func sortByCreditsDesc(items []institutionTallyDTO) {
	for i := 1; i < len(items); i++ {
		for j := i; j > 0 && (items[j].Credits > items[j-1].Credits ||
			(items[j].Credits == items[j-1].Credits && items[j].Name < items[j-1].Name)); j-- {
			items[j], items[j-1] = items[j-1], items[j]
		}
	}
}

func (s *Server) stats(c *fiber.Ctx) error {
	actor, err := signedIn(c)
	if err != nil {
		return err
	}
	st, err := s.svc.DistrictStats(c.UserContext(), actor)
	if err != nil {
		return err
	}
	return c.JSON(statsFrom(st))
}
