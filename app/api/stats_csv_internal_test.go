package api

import (
	"maps"
	"slices"
	"testing"
)

func TestCSVTextDefusesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{"社区学院", "社区学院"},
		{"", ""},
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+1", "'+1"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"示范区=1", "示范区=1"},
		{"＝HYPERLINK(\"http://evil\")", "'＝HYPERLINK(\"http://evil\")"},
		{"＋1", "'＋1"},
		{"－1", "'－1"},
		{"＠SUM(A1)", "'＠SUM(A1)"},
		{"﹦1", "'﹦1"},
		{"\u200b=1", "'\u200b=1"},
		{"\u200c\u200d=1", "'\u200c\u200d=1"},
		{"\ufeff+1", "'\ufeff+1"},
		{"\u2060@A1", "'\u2060@A1"},
		{"\u200e-1", "'\u200e-1"},
		{"\u200f＝1", "'\u200f＝1"},
		{"\u202a\u202b\u202c\u202d\u202e=1", "'\u202a\u202b\u202c\u202d\u202e=1"},
		{"\u2066\u2067\u2068\u2069=1", "'\u2066\u2067\u2068\u2069=1"},
		{"  =1", "'  =1"},
		{"\n=1", "'\n=1"},
		{"\u200b社区学院", "\u200b社区学院"},
		{"\u200b", "\u200b"},
		{"社区＝学院", "社区＝学院"},
	}
	for _, tc := range tests {
		if got := csvText(tc.in); got != tc.want {
			t.Errorf("csvText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVCreditsRoundsNoise(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{{0, "0"}, {6, "6"}, {2.5, "2.5"}, {0.1 + 0.2, "0.3"}, {1234.5, "1234.5"}}
	for _, tc := range tests {
		if got := csvCredits(tc.in); got != tc.want {
			t.Errorf("csvCredits(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStatsTablesListed keeps the documented order and the tables served
// the same set.
func TestStatsTablesListed(t *testing.T) {
	served := slices.Sorted(maps.Keys(statsTables))
	listed := slices.Sorted(slices.Values(statsTableOrder))
	if !slices.Equal(served, listed) {
		t.Fatalf("served %v, listed %v", served, listed)
	}
}
