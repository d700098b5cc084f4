package domain_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
)

func TestCoreNewOutcomeRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(in *domain.OutcomeInput)
		field string
	}{
		{"unknown category", func(in *domain.OutcomeInput) { in.Category = "hobby" }, "category"},
		{"empty category", func(in *domain.OutcomeInput) { in.Category = "" }, "category"},
		{"category in wrong case", func(in *domain.OutcomeInput) { in.Category = "Community" }, "category"},
		{"empty title", func(in *domain.OutcomeInput) { in.Title = "" }, "title"},
		{"blank title", func(in *domain.OutcomeInput) { in.Title = " \t " }, "title"},
		{"title of 201 runes", func(in *domain.OutcomeInput) { in.Title = strings.Repeat("学", 201) }, "title"},
		{"course code of 65 characters", func(in *domain.OutcomeInput) { in.CourseCode = strings.Repeat("C", 65) }, "courseCode"},
		{"zero hours", func(in *domain.OutcomeInput) { in.Hours = 0 }, "hours"},
		{"negative hours", func(in *domain.OutcomeInput) { in.Hours = -16 }, "hours"},
		{"2000.5 hours", func(in *domain.OutcomeInput) { in.Hours = 2000.5 }, "hours"},
		{"NaN hours", func(in *domain.OutcomeInput) { in.Hours = math.NaN() }, "hours"},
		{"7 hours: under half a credit", func(in *domain.OutcomeInput) { in.Hours = 7 }, "hours"},
		{"zero credits", func(in *domain.OutcomeInput) { in.Credits = coreF(0) }, "credits"},
		{"negative credits", func(in *domain.OutcomeInput) { in.Credits = coreF(-1) }, "credits"},
		{"60.5 credits", func(in *domain.OutcomeInput) { in.Credits = coreF(60.5) }, "credits"},
		{"credits not in half steps", func(in *domain.OutcomeInput) { in.Credits = coreF(1.25) }, "credits"},
		{"credits 0.3", func(in *domain.OutcomeInput) { in.Credits = coreF(0.3) }, "credits"},
		{"NaN credits", func(in *domain.OutcomeInput) { in.Credits = coreF(math.NaN()) }, "credits"},
		{"academic without credits", func(in *domain.OutcomeInput) { in.Category = "academic" }, "credits"},
		{"60 credits for a 1-hour course", func(in *domain.OutcomeInput) { in.Hours, in.Credits = 1, coreF(60) }, "credits"},
		{"half a credit for 1 hour", func(in *domain.OutcomeInput) { in.Hours, in.Credits = 1, coreF(0.5) }, "credits"},
		{"more than one credit per 4 hours", func(in *domain.OutcomeInput) { in.Hours, in.Credits = 9.5, coreF(2.5) }, "credits"},
		{"60 credits for 236 hours", func(in *domain.OutcomeInput) { in.Category, in.Hours, in.Credits = "academic", 236, coreF(60) }, "credits"},
		{"no result", func(in *domain.OutcomeInput) { in.Result = domain.Result{} }, "result"},
		{"score and grade", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(80), Grade: "A"} }, "result"},
		{"grade and passed", func(in *domain.OutcomeInput) { in.Result = domain.Result{Grade: "B", Passed: coreB(true)} }, "result"},
		{"score above 100", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(100.5)} }, "result.score"},
		{"negative score", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(-1)} }, "result.score"},
		{"NaN score", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(math.NaN())} }, "result.score"},
		{"59.9 below default pass 60", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(59.9)} }, "result.score"},
		{"below a stated pass mark", func(in *domain.OutcomeInput) {
			in.Result = domain.Result{Score: coreF(75), PassMark: coreF(80)}
		}, "result.score"},
		{"pass mark above 100", func(in *domain.OutcomeInput) {
			in.Result = domain.Result{Score: coreF(90), PassMark: coreF(120)}
		}, "result.passMark"},
		{"NaN pass mark", func(in *domain.OutcomeInput) {
			in.Result = domain.Result{Score: coreF(90), PassMark: coreF(math.NaN())}
		}, "result.passMark"},
		{"grade F fails", func(in *domain.OutcomeInput) { in.Result = domain.Result{Grade: "F"} }, "result.grade"},
		{"grade X unknown", func(in *domain.OutcomeInput) { in.Result = domain.Result{Grade: "X"} }, "result.grade"},
		{"lowercase grade", func(in *domain.OutcomeInput) { in.Result = domain.Result{Grade: "a"} }, "result.grade"},
		{"passed false", func(in *domain.OutcomeInput) { in.Result = domain.Result{Passed: coreB(false)} }, "result.passed"},
		{"negative level", func(in *domain.OutcomeInput) { in.Level = -1 }, "level"},
		{"level 11", func(in *domain.OutcomeInput) { in.Level = 11 }, "level"},
		{"completedOn missing", func(in *domain.OutcomeInput) { in.CompletedOn = time.Time{} }, "completedOn"},
		{"completedOn tomorrow", func(in *domain.OutcomeInput) { in.CompletedOn = coreDate(2025, time.June, 16) }, "completedOn"},
		{"completedOn 1949-12-31", func(in *domain.OutcomeInput) { in.CompletedOn = coreDate(1949, time.December, 31) }, "completedOn"},
		{"expiresOn before completedOn", func(in *domain.OutcomeInput) { in.ExpiresOn = coreT(coreDate(2024, time.February, 1)) }, "expiresOn"},
		{"expiresOn same day as completedOn", func(in *domain.OutcomeInput) { in.ExpiresOn = coreT(coreDate(2024, time.March, 1)) }, "expiresOn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := coreInput()
			tt.edit(&in)
			o, err := domain.NewOutcome(in, domain.NewID(), domain.NewID(), domain.DefaultCreditPolicy(), coreNow)
			if err == nil {
				t.Fatalf("NewOutcome accepted the input (credits %v), want a problem on %q", o.Credits, tt.field)
			}
			coreWantField(t, err, tt.field)
		})
	}
}

func TestCoreNewOutcomeAccepts(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(in *domain.OutcomeInput)
		wantCredits float64
	}{
		{"score exactly 60", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(60)} }, 1},
		{"score 100", func(in *domain.OutcomeInput) { in.Result = domain.Result{Score: coreF(100)} }, 1},
		{"score 50 with pass mark 50", func(in *domain.OutcomeInput) {
			in.Result = domain.Result{Score: coreF(50), PassMark: coreF(50)}
		}, 1},
		{"grade E passes", func(in *domain.OutcomeInput) { in.Result = domain.Result{Grade: "E"} }, 1},
		{"passed true", func(in *domain.OutcomeInput) { in.Result = domain.Result{Passed: coreB(true)} }, 1},
		{"completed today (district time), later than now's clock time", func(in *domain.OutcomeInput) {
			in.CompletedOn = time.Date(2025, time.June, 15, 15, 0, 0, 0, time.UTC)
		}, 1},
		{"completed 1950-01-01", func(in *domain.OutcomeInput) { in.CompletedOn = coreDate(1950, time.January, 1) }, 1},
		{"title of 200 runes", func(in *domain.OutcomeInput) { in.Title = strings.Repeat("学", 200) }, 1},
		{"2000 hours with stated credits", func(in *domain.OutcomeInput) {
			in.Hours, in.Credits = 2000, coreF(60)
		}, 60},
		{"academic with stated credits", func(in *domain.OutcomeInput) {
			in.Category, in.Credits = "academic", coreF(3)
		}, 3},
		{"stated credits override hours", func(in *domain.OutcomeInput) { in.Hours, in.Credits = 12, coreF(2.5) }, 2.5},
		{"stated credits at one per 4 hours", func(in *domain.OutcomeInput) { in.Hours, in.Credits = 10, coreF(2.5) }, 2.5},
		{"stated half credit", func(in *domain.OutcomeInput) { in.Credits = coreF(0.5) }, 0.5},
		{"certificate expiring later", func(in *domain.OutcomeInput) {
			in.Category, in.ExpiresOn = "certificate", coreT(coreDate(2027, time.March, 1))
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := coreInput()
			tt.edit(&in)
			o, err := domain.NewOutcome(in, domain.NewID(), domain.NewID(), domain.DefaultCreditPolicy(), coreNow)
			if err != nil {
				t.Fatalf("NewOutcome: %v", err)
			}
			if o.Credits != tt.wantCredits {
				t.Fatalf("credits = %v, want %v", o.Credits, tt.wantCredits)
			}
			if o.CreditsStated != (in.Credits != nil) {
				t.Fatalf("CreditsStated = %v with input credits %v", o.CreditsStated, in.Credits)
			}
		})
	}
}

func TestCoreNewOutcomeReportsAllProblemsAtOnce(t *testing.T) {
	in := domain.OutcomeInput{
		Category:    "hobby",
		Title:       "",
		Hours:       0,
		Credits:     coreF(1.2),
		Result:      domain.Result{Grade: "F"},
		CompletedOn: coreDate(2030, time.January, 1),
	}
	_, err := domain.NewOutcome(in, domain.NewID(), domain.NewID(), domain.DefaultCreditPolicy(), coreNow)
	got := coreProblemFields(t, err)
	for _, f := range []string{"category", "title", "hours", "credits", "result.grade", "completedOn"} {
		if !slices.Contains(got, f) {
			t.Errorf("problems %v do not name %q", got, f)
		}
	}
}

func TestCoreNewOutcomeFields(t *testing.T) {
	issuer, account := domain.NewID(), domain.NewID()
	in := coreInput()
	in.Title = "  社区书法入门  "
	in.CourseCode = " CC-101 "
	// A date carrying a clock time is still a date: stored at UTC midnight.
	in.CompletedOn = time.Date(2024, time.March, 1, 15, 4, 5, 0, time.UTC)
	in.ExpiresOn = coreT(time.Date(2026, time.March, 1, 9, 0, 0, 0, time.UTC))
	in.Hours = 24
	o, err := domain.NewOutcome(in, issuer, account, domain.DefaultCreditPolicy(), coreNow)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"issuer", o.IssuerID, issuer},
		{"account", o.AccountID, account},
		{"category", o.Category, domain.CategoryCommunity},
		{"title trimmed", o.Title, "社区书法入门"},
		{"course code trimmed", o.CourseCode, "CC-101"},
		{"credits from 24 h", o.Credits, 1.5},
		{"status", o.Status, domain.OutcomeActive},
		{"completedOn", o.CompletedOn, coreDate(2024, time.March, 1)},
		{"expiresOn", *o.ExpiresOn, coreDate(2026, time.March, 1)},
		{"issuedAt", o.IssuedAt, coreNow},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if o.ID == uuid.Nil {
		t.Error("outcome has no id")
	}
}

func TestCoreNewOutcomeCreditsFromHours(t *testing.T) {
	perCategory := domain.DefaultCreditPolicy()
	perCategory.HoursPerCredit[domain.CategorySenior] = 10
	tests := []struct {
		name     string
		policy   domain.CreditPolicy
		category string
		hours    float64
		want     float64 // 0 means "rejected: too few hours"
	}{
		{"8 h at 16 h/credit", domain.DefaultCreditPolicy(), "community", 8, 0.5},
		{"16 h", domain.DefaultCreditPolicy(), "community", 16, 1},
		{"24 h", domain.DefaultCreditPolicy(), "community", 24, 1.5},
		{"31.9 h rounds down", domain.DefaultCreditPolicy(), "community", 31.9, 1.5},
		{"7 h is too few", domain.DefaultCreditPolicy(), "community", 7, 0},
		{"960 h gives 60", domain.DefaultCreditPolicy(), "vocational", 960, 60},
		{"senior at 10 h/credit: 25 h", perCategory, "senior", 25, 2.5},
		{"senior at 10 h/credit: 5 h", perCategory, "senior", 5, 0.5},
		{"other categories keep 16 h", perCategory, "community", 25, 1.5},
		{"39.9 h at 5.7 h/credit: float noise", domain.CreditPolicy{HoursPerCredit: map[domain.Category]float64{domain.CategoryOnline: 5.7}}, "online", 39.9, 7},
		{"category missing from policy uses 16 h", domain.CreditPolicy{}, "online", 32, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := coreInput()
			in.Category, in.Hours = tt.category, tt.hours
			o, err := domain.NewOutcome(in, domain.NewID(), domain.NewID(), tt.policy, coreNow)
			if tt.want == 0 {
				coreWantField(t, err, "hours")
				return
			}
			if err != nil {
				t.Fatalf("NewOutcome: %v", err)
			}
			if o.Credits != tt.want {
				t.Fatalf("credits = %v, want %v", o.Credits, tt.want)
			}
			if o.CreditsStated {
				t.Fatal("derived credits marked as stated")
			}
		})
	}
}

func TestCoreNewOutcomeDerivedCreditsCapped(t *testing.T) {
	// 2000 h at 16 h/credit would be 125 credits, above the per-outcome limit
	// of 60: the policy must not bank more than an issuer could state.
	in := coreInput()
	in.Hours = 2000
	_, err := domain.NewOutcome(in, domain.NewID(), domain.NewID(), domain.DefaultCreditPolicy(), coreNow)
	coreWantField(t, err, "credits")
}

func TestCoreResultScoreValue(t *testing.T) {
	tests := []struct {
		name string
		r    domain.Result
		want float64
	}{
		{"score", domain.Result{Score: coreF(72.5)}, 72.5},
		{"grade A", domain.Result{Grade: "A"}, 95},
		{"grade E", domain.Result{Grade: "E"}, 60},
		{"passed", domain.Result{Passed: coreB(true)}, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.ScoreValue(); got != tt.want {
				t.Fatalf("ScoreValue() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCoreOutcomeCounts(t *testing.T) {
	base := coreOutcome(t, coreInput(), domain.NewID())
	expiring := base
	expiring.ExpiresOn = coreT(coreDate(2025, time.June, 15))
	later := base
	later.ExpiresOn = coreT(coreDate(2025, time.June, 16))
	revoked := base
	revoked.Status = domain.OutcomeRevoked
	tests := []struct {
		name string
		o    domain.Outcome
		want bool
	}{
		{"active, no expiry", base, true},
		{"expires today", expiring, false},
		{"expires tomorrow", later, true},
		{"revoked", revoked, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.Counts(coreNow); got != tt.want {
				t.Fatalf("Counts() = %v, want %v", got, tt.want)
			}
		})
	}
}
