package domain

import (
	"testing"
	"time"
)

func TestSimulationAgeBandsTurnOnTheBirthday(t *testing.T) {
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		birth time.Time
		want  string
	}{
		{time.Date(2008, 6, 15, 0, 0, 0, 0, time.UTC), "18-29"},
		{time.Date(2008, 6, 16, 0, 0, 0, 0, time.UTC), "0-17"},
		{time.Date(1956, 6, 15, 0, 0, 0, 0, time.UTC), "70+"},
		{time.Date(1956, 6, 16, 0, 0, 0, 0, time.UTC), "60-69"},
		{time.Date(1996, 2, 29, 0, 0, 0, 0, time.UTC), "30-39"},
		{time.Time{}, "unknown"},
	} {
		if got := ageBand(tc.birth, now); got != tc.want {
			t.Errorf("ageBand(%s) = %s, want %s", tc.birth.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestSimulationMainCategoryIsTheLargestContribution(t *testing.T) {
	for _, tc := range []struct {
		name string
		used []UsedOutcome
		want Category
	}{
		{"none", nil, CategoryOther},
		{"largest", []UsedOutcome{{Category: CategoryCommunity, Credits: 1}, {Category: CategorySenior, Credits: 2}}, CategorySenior},
		{"summed", []UsedOutcome{{Category: CategoryCommunity, Credits: 1}, {Category: CategoryCommunity, Credits: 1.5}, {Category: CategorySenior, Credits: 2}}, CategoryCommunity},
		{"tie goes to display order", []UsedOutcome{{Category: CategorySenior, Credits: 2}, {Category: CategoryVocational, Credits: 2}}, CategoryVocational},
	} {
		if got := mainCategory(tc.used); got != tc.want {
			t.Errorf("%s: mainCategory = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// Cells below the minimum are hidden, and so is the smallest shown cell
// while the hidden ones together could be worked out from the total.
func TestSimulationBreakdownSuppression(t *testing.T) {
	keys := []string{"a", "b", "c", "d"}
	for _, tc := range []struct {
		name   string
		counts map[string]int
		hidden map[string]bool
	}{
		{"all large", map[string]int{"a": 5, "b": 7, "c": 9, "d": 12}, map[string]bool{}},
		{"zero and small", map[string]int{"a": 5, "b": 0, "c": 9, "d": 3}, map[string]bool{"a": true, "b": true, "d": true}},
		{"small cells add up to the minimum", map[string]int{"a": 2, "b": 3, "c": 9, "d": 6}, map[string]bool{"a": true, "b": true}},
		{"one small cell takes two shown", map[string]int{"a": 1, "b": 5, "c": 5, "d": 6}, map[string]bool{"a": true, "b": true}},
		{"everything small", map[string]int{"a": 1, "b": 1}, map[string]bool{"a": true, "b": true, "c": true, "d": true}},
	} {
		m := map[string]*SimulationCell{}
		for k, n := range tc.counts {
			m[k] = &SimulationCell{Key: k, Eligible: n, Credits: float64(n) * 2}
		}
		cells := (&SimulationTally{}).breakdown(m, keys)
		hiddenSum := 0
		for _, c := range cells {
			if c.Suppressed != tc.hidden[c.Key] {
				t.Errorf("%s: cell %s suppressed = %v, want %v", tc.name, c.Key, c.Suppressed, tc.hidden[c.Key])
			}
			if c.Suppressed {
				hiddenSum += tc.counts[c.Key]
				if c.Eligible != 0 || c.Credits != 0 {
					t.Errorf("%s: suppressed cell %s still carries %d / %v", tc.name, c.Key, c.Eligible, c.Credits)
				}
			} else if c.Eligible != tc.counts[c.Key] || c.Credits != float64(tc.counts[c.Key])*2 {
				t.Errorf("%s: cell %s = %d / %v", tc.name, c.Key, c.Eligible, c.Credits)
			}
		}
		if hiddenSum > 0 && hiddenSum < MinSimulationCell && len(tc.counts) > 0 && tc.name != "everything small" {
			t.Errorf("%s: hidden cells hold %d learners, which the total gives away", tc.name, hiddenSum)
		}
	}
}

func TestSimulationTallySuppressesSmallTotalsAndRegions(t *testing.T) {
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	account := func(region string) *Account {
		return &Account{PII: PersonalData{NationalIDMasked: region + "********123X"}, BirthDate: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)}
	}
	eligible := Evaluation{Eligible: true, AwardedCredits: 2, Used: []UsedOutcome{{Category: CategorySenior, Credits: 4}}}
	tally := NewSimulationTally(now)
	for i := 0; i < 4; i++ {
		tally.Add(account("310101"), eligible)
	}
	tally.Add(account("440103"), Evaluation{})
	s := tally.Result()
	if s.Evaluated != 5 || !s.Suppressed || s.Eligible != 0 || s.Credits != 0 {
		t.Errorf("four eligible of five = %+v, want the total suppressed", s)
	}
	for _, c := range s.ByRegion {
		if c.Key != SimulationOtherRegion {
			t.Errorf("region %s of fewer than %d accounts is named", c.Key, MinSimulationCell)
		}
	}
	tally.Add(account("310101"), eligible)
	s = tally.Result()
	if s.Suppressed || s.Eligible != 5 || s.Credits != 10 {
		t.Errorf("five eligible = %+v", s)
	}
	want := map[string]bool{"310101": true, SimulationOtherRegion: true}
	for _, c := range s.ByRegion {
		if !want[c.Key] {
			t.Errorf("unexpected region %s", c.Key)
		}
		delete(want, c.Key)
		if c.Key == "310101" && (c.Suppressed || c.Eligible != 5) {
			t.Errorf("region 310101 = %+v", c)
		}
	}
	if len(want) != 0 {
		t.Errorf("regions missing: %v", want)
	}
}
