package domain_test

import (
	"strings"
	"testing"
	"time"

	"creditbank/domain"
)

func validCourseInput() domain.CourseInput {
	start := engDate(2025, 9, 1)
	return domain.CourseInput{Code: "SF-101", Title: "硬笔书法入门", Category: "community", Hours: 32,
		Level: 1, NextStart: &start, Place: "街道社区学校", CapacityNote: "限 30 人"}
}

func problemFields(err error) []string {
	ve, ok := err.(*domain.ValidationError)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range ve.Problems {
		out = append(out, p.Field)
	}
	return out
}

func TestNewCourseValidation(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name   string
		mod    func(*domain.CourseInput)
		fields []string // nil: valid
	}{
		{"valid", func(*domain.CourseInput) {}, nil},
		{"online without place", func(in *domain.CourseInput) { in.Online, in.Place = true, "" }, nil},
		{"stated credits", func(in *domain.CourseInput) { in.Credits = f(2.5) }, nil},
		{"missing code", func(in *domain.CourseInput) { in.Code = "  " }, []string{"code"}},
		{"code with a comma", func(in *domain.CourseInput) { in.Code = "SF,101" }, []string{"code"}},
		{"missing title", func(in *domain.CourseInput) { in.Title = "" }, []string{"title"}},
		{"unknown category", func(in *domain.CourseInput) { in.Category = "castle" }, []string{"category"}},
		{"no hours", func(in *domain.CourseInput) { in.Hours = 0 }, []string{"hours"}},
		{"too many hours", func(in *domain.CourseInput) { in.Hours = 2001 }, []string{"hours"}},
		{"credits not in half steps", func(in *domain.CourseInput) { in.Credits = f(1.2) }, []string{"credits"}},
		{"academic needs credits", func(in *domain.CourseInput) { in.Category = "academic" }, []string{"credits"}},
		{"60 credits for 1 hour", func(in *domain.CourseInput) { in.Hours, in.Credits = 1, f(60) }, []string{"credits"}},
		{"level out of range", func(in *domain.CourseInput) { in.Level = 11 }, []string{"level"}},
		{"start too far ahead", func(in *domain.CourseInput) { d := engDate(2031, 1, 1); in.NextStart = &d }, []string{"nextStart"}},
		{"neither place nor online", func(in *domain.CourseInput) { in.Place = "" }, []string{"place"}},
		{"long capacity note", func(in *domain.CourseInput) { in.CapacityNote = strings.Repeat("名", 101) }, []string{"capacityNote"}},
		{"every problem at once", func(in *domain.CourseInput) { in.Code, in.Title, in.Hours = "", "", -1 }, []string{"code", "title", "hours"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validCourseInput()
			tc.mod(&in)
			c, err := domain.NewCourse(in, engIssuerA, engNow)
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.InstitutionID != engIssuerA || c.Code != strings.TrimSpace(in.Code) || c.ID.String() == "" {
					t.Fatalf("course = %+v", c)
				}
				return
			}
			if got := problemFields(err); strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Fatalf("problems %v, want %v (err %v)", got, tc.fields, err)
			}
		})
	}
}

func TestCourseUpdateKeepsOldValuesOnError(t *testing.T) {
	c, err := domain.NewCourse(validCourseInput(), engIssuerA, engNow)
	if err != nil {
		t.Fatal(err)
	}
	bad := validCourseInput()
	bad.Title, bad.Hours = "新名字", -3
	if err := c.Update(bad, engNow.Add(time.Hour)); err == nil {
		t.Fatal("invalid update accepted")
	}
	if c.Title != "硬笔书法入门" || c.Hours != 32 {
		t.Fatalf("failed update changed the course: %+v", c)
	}
}

func TestCourseQueryMatches(t *testing.T) {
	c, _ := domain.NewCourse(validCourseInput(), engIssuerA, engNow)
	tests := []struct {
		text, category string
		want           bool
	}{
		{"书法", "", true}, {"笔书", "", true}, {"sf-1", "", true}, {"", "community", true},
		{"书法", "senior", false}, {"毛笔", "", false},
	}
	for _, tc := range tests {
		q, err := domain.NewCourseQuery(tc.text, tc.category, engIssuerA)
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Matches(c); got != tc.want {
			t.Errorf("query %q/%q matches = %v, want %v", tc.text, tc.category, got, tc.want)
		}
	}
	if _, err := domain.NewCourseQuery(strings.Repeat("书", 51), "", engIssuerA); err == nil {
		t.Error("overlong query accepted")
	}
	if _, err := domain.NewCourseQuery("", "castle", engIssuerA); err == nil {
		t.Error("unknown category accepted")
	}
}

func TestApplyCourse(t *testing.T) {
	two := 2.0
	course, err := domain.NewCourse(func() domain.CourseInput {
		in := validCourseInput()
		in.Credits = &two
		return in
	}(), engIssuerA, engNow)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      domain.OutcomeInput
		fields  []string
		want    domain.OutcomeInput // checked when fields is nil
		credits bool                // the course's stated credits were taken
	}{
		{"empty input is filled", domain.OutcomeInput{},
			nil, domain.OutcomeInput{Category: "community", Title: "硬笔书法入门", CourseCode: "SF-101", Hours: 32, Level: 1}, true},
		{"fewer hours keep the outcome's and derive credits", domain.OutcomeInput{Hours: 16},
			nil, domain.OutcomeInput{Category: "community", Title: "硬笔书法入门", CourseCode: "SF-101", Hours: 16, Level: 1}, false},
		{"own title is kept", domain.OutcomeInput{Title: "硬笔书法入门（春季班）", Category: "community"},
			nil, domain.OutcomeInput{Category: "community", Title: "硬笔书法入门（春季班）", CourseCode: "SF-101", Hours: 32, Level: 1}, true},
		{"other category", domain.OutcomeInput{Category: "senior"}, []string{"category"}, domain.OutcomeInput{}, false},
		{"more hours than the course", domain.OutcomeInput{Hours: 40}, []string{"hours"}, domain.OutcomeInput{}, false},
		{"other code", domain.OutcomeInput{CourseCode: "SF-999"}, []string{"courseCode"}, domain.OutcomeInput{}, false},
		{"every contradiction at once", domain.OutcomeInput{Category: "vocational", Hours: 64, CourseCode: "X"},
			[]string{"category", "courseCode", "hours"}, domain.OutcomeInput{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := domain.ApplyCourse(&in, course)
			if tc.fields != nil {
				if got := problemFields(err); strings.Join(got, ",") != strings.Join(tc.fields, ",") {
					t.Fatalf("problems %v, want %v", got, tc.fields)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (in.Credits != nil) != tc.credits || (tc.credits && *in.Credits != 2) {
				t.Fatalf("credits = %v, want the course's: %v", in.Credits, tc.credits)
			}
			in.Credits = nil
			if in.Category != tc.want.Category || in.Title != tc.want.Title || in.CourseCode != tc.want.CourseCode ||
				in.Hours != tc.want.Hours || in.Level != tc.want.Level {
				t.Fatalf("filled input = %+v, want %+v", in, tc.want)
			}
		})
	}
}
