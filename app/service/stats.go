package service

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// Stats are the district-wide figures the credit bank centre watches.
type Stats struct {
	Accounts          int
	ClaimedAccounts   int
	Outcomes          int
	RevokedOutcomes   int
	Credits           float64
	ByCategory        map[domain.Category]Tally
	ByInstitution     map[uuid.UUID]Tally
	ByRegion          map[string]Tally
	ByMonth           map[string]Tally // YYYY-MM of completion
	Conversions       map[domain.ConversionStatus]int
	ConvertedCredits  float64 // awarded by approved conversions
	InstitutionNames  map[uuid.UUID]string
	LearnersByAgeBand map[string]int
	// ActiveLearners have an outcome completed in the current month or the
	// eleven before it.
	ActiveLearners int
	// CoursesByCategory counts the courses published in the catalogues.
	CoursesByCategory map[domain.Category]int
	Framework         FrameworkStats
	// ThisMonth (YYYY-MM, district time) ends the month axis.
	ThisMonth string
}

// Tally counts outcomes and their credits.
type Tally struct {
	Outcomes int
	Credits  float64
}

func (t *Tally) add(credits float64) {
	t.Outcomes++
	t.Credits += credits
}

// DistrictStats assembles the figures from the sums the store keeps up to
// date with every account write (domain.StatTallies), so asking costs the
// same for a hundred learners or a district of 700 000.
func (s *Service) DistrictStats(ctx context.Context, actor Actor) (Stats, error) {
	if actor.Role != domain.RoleAdmin {
		return Stats{}, domain.ErrForbidden
	}
	insts, err := s.allInstitutions(ctx)
	if err != nil {
		return Stats{}, err
	}
	tallies, err := s.store.DistrictTallies(ctx)
	if err != nil {
		return Stats{}, err
	}
	courses, err := s.store.CountCoursesByCategory(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{
		ByCategory: map[domain.Category]Tally{}, ByInstitution: map[uuid.UUID]Tally{}, ByRegion: map[string]Tally{},
		ByMonth: map[string]Tally{}, Conversions: map[domain.ConversionStatus]int{},
		InstitutionNames: map[uuid.UUID]string{}, LearnersByAgeBand: map[string]int{},
		CoursesByCategory: courses, Framework: newFrameworkStats(),
	}
	for id, inst := range insts {
		st.InstitutionNames[id] = inst.Name
	}
	now := s.now().In(domain.DistrictZone)
	st.ThisMonth = now.Format("2006-01")
	activeSince := now.AddDate(0, -11, 0).Format("2006-01") // this month and the eleven before it
	for key, v := range tallies {
		t := Tally{Outcomes: int(v.Count), Credits: v.Credits}
		switch {
		case key == domain.TallyAccounts:
			st.Accounts = int(v.Count)
		case key == domain.TallyClaimed:
			st.ClaimedAccounts = int(v.Count)
		case key == domain.TallyOutcomes:
			st.Outcomes, st.Credits = int(v.Count), v.Credits
		case key == domain.TallyRevoked:
			st.RevokedOutcomes = int(v.Count)
		case key == domain.TallyConvertedCredits:
			st.ConvertedCredits = v.Credits
		case strings.HasPrefix(key, domain.TallyCategory):
			st.ByCategory[domain.Category(strings.TrimPrefix(key, domain.TallyCategory))] = t
		case strings.HasPrefix(key, domain.TallyIssuer):
			id, err := uuid.Parse(strings.TrimPrefix(key, domain.TallyIssuer))
			if err != nil {
				continue
			}
			st.ByInstitution[id] = t
			region := "—"
			if inst, ok := insts[id]; ok && inst.Region != "" {
				region = inst.Region
			}
			r := st.ByRegion[region]
			r.Outcomes += t.Outcomes
			r.Credits += t.Credits
			st.ByRegion[region] = r
		case strings.HasPrefix(key, domain.TallyMonth):
			st.ByMonth[strings.TrimPrefix(key, domain.TallyMonth)] = t
		case strings.HasPrefix(key, domain.TallyConversion):
			st.Conversions[domain.ConversionStatus(strings.TrimPrefix(key, domain.TallyConversion))] = int(v.Count)
		case strings.HasPrefix(key, domain.TallyBirthYear):
			year, err := strconv.Atoi(strings.TrimPrefix(key, domain.TallyBirthYear))
			if err != nil {
				continue
			}
			st.LearnersByAgeBand[ageBand(yearOnly(year), now)] += int(v.Count)
		case strings.HasPrefix(key, domain.TallyLastActive):
			if strings.TrimPrefix(key, domain.TallyLastActive) >= activeSince {
				st.ActiveLearners += int(v.Count)
			}
		default:
			st.Framework.take(key, v)
		}
	}
	return st, nil
}

// yearOnly is a birth known by its year, which is all an age band needs.
type yearOnly int

func (y yearOnly) Year() int { return int(y) }

func (s *Service) allInstitutions(ctx context.Context) (map[uuid.UUID]domain.Institution, error) {
	out := map[uuid.UUID]domain.Institution{}
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		items, next, err := s.store.ListInstitutions(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, i := range items {
			out[i.ID] = i
		}
		if next == "" {
			return out, nil
		}
		p.Cursor = next
	}
}

// AgeBands are the learners' age bands, youngest first: the keys of
// Stats.LearnersByAgeBand.
var AgeBands = []string{"<18", "18-34", "35-59", "60+"}

// ageBandUpTo is the oldest age in each of AgeBands but the last.
var ageBandUpTo = []int{17, 34, 59}

// ageBand groups learners the way lifelong-learning reports do.
func ageBand(birth, now interface{ Year() int }) string {
	age := now.Year() - birth.Year()
	for i, upTo := range ageBandUpTo {
		if age <= upTo {
			return AgeBands[i]
		}
	}
	return AgeBands[len(AgeBands)-1]
}

// SortedMonths lists every month from the oldest with an outcome through
// ThisMonth (or the newest present, if later), oldest first: months without
// outcomes are listed too (ByMonth reads them as zero), so that a chart's
// time axis has no gaps.
func (st Stats) SortedMonths() []string {
	present := make([]string, 0, len(st.ByMonth))
	for m := range st.ByMonth {
		if _, err := time.Parse("2006-01", m); err == nil {
			present = append(present, m)
		}
	}
	if len(present) == 0 {
		return present
	}
	sort.Strings(present)
	last := present[len(present)-1]
	if st.ThisMonth > last {
		last = st.ThisMonth
	}
	first, _ := time.Parse("2006-01", present[0])
	var out []string
	for m := first; m.Format("2006-01") <= last; m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}
