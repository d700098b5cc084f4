package service

import (
	"context"
	"sort"

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

// DistrictStats aggregates every account in one streaming pass. It is
// computed in the application rather than by store-side aggregation so that
// both stores give the same answer (FerretDB v1 lacks the needed pipeline
// stages); the pass is O(accounts) and holds one account at a time.
func (s *Service) DistrictStats(ctx context.Context, actor Actor) (Stats, error) {
	if actor.Role != domain.RoleAdmin {
		return Stats{}, domain.ErrForbidden
	}
	insts, err := s.allInstitutions(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{
		ByCategory: map[domain.Category]Tally{}, ByInstitution: map[uuid.UUID]Tally{}, ByRegion: map[string]Tally{},
		ByMonth: map[string]Tally{}, Conversions: map[domain.ConversionStatus]int{},
		InstitutionNames: map[uuid.UUID]string{}, LearnersByAgeBand: map[string]int{},
	}
	for id, inst := range insts {
		st.InstitutionNames[id] = inst.Name
	}
	now := s.now()
	bump := func(m map[string]Tally, k string, c float64) {
		t := m[k]
		t.add(c)
		m[k] = t
	}
	err = s.store.ScanAccounts(ctx, func(a *domain.Account) error {
		st.Accounts++
		if a.Claimed() {
			st.ClaimedAccounts++
		}
		st.LearnersByAgeBand[ageBand(a.BirthDate, now)]++
		for _, o := range a.Outcomes {
			if o.Status == domain.OutcomeRevoked {
				st.RevokedOutcomes++
				continue
			}
			st.Outcomes++
			st.Credits += o.Credits
			t := st.ByCategory[o.Category]
			t.add(o.Credits)
			st.ByCategory[o.Category] = t
			ti := st.ByInstitution[o.IssuerID]
			ti.add(o.Credits)
			st.ByInstitution[o.IssuerID] = ti
			region := "—"
			if inst, ok := insts[o.IssuerID]; ok && inst.Region != "" {
				region = inst.Region
			}
			bump(st.ByRegion, region, o.Credits)
			bump(st.ByMonth, o.CompletedOn.Format("2006-01"), o.Credits)
		}
		for _, c := range a.Conversions {
			st.Conversions[c.Status]++
			if c.Status == domain.ConversionApproved {
				st.ConvertedCredits += c.Evaluation.AwardedCredits
			}
		}
		return nil
	})
	return st, err
}

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

// ageBand groups learners the way lifelong-learning reports do.
func ageBand(birth, now interface{ Year() int }) string {
	age := now.Year() - birth.Year()
	bands := []struct {
		upTo  int
		label string
	}{{17, "<18"}, {34, "18-34"}, {59, "35-59"}, {200, "60+"}}
	for _, b := range bands {
		if age <= b.upTo {
			return b.label
		}
	}
	return "60+"
}

// SortedMonths lists the months present, oldest first.
func (st Stats) SortedMonths() []string {
	out := make([]string, 0, len(st.ByMonth))
	for m := range st.ByMonth {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}
