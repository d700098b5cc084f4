package domain_test

import (
	"testing"
	"time"

	"creditbank/domain"
)

// TestPlainTextNamesAndTitles pins that names and titles refuse markup,
// control characters and text-direction overrides, naming the field, while
// ordinary names and titles (Chinese, ·, parentheses, emoji) pass.
func TestPlainTextNamesAndTitles(t *testing.T) {
	checks := []struct {
		what  string
		field string
		try   func(s string) error
	}{
		{"learner name", "name", func(s string) error { _, err := domain.ValidateName(s); return err }},
		{"institution name", "name", func(s string) error {
			in := coreInstitutionInput()
			in.Name = s
			_, err := domain.NewInstitution(in, coreNow)
			return err
		}},
		{"outcome title", "title", func(s string) error {
			in := coreInput()
			in.Title = s
			_, err := domain.NewOutcome(in, domain.NewID(), domain.NewID(), domain.DefaultCreditPolicy(), coreNow)
			return err
		}},
		{"course title", "title", func(s string) error {
			in := validCourseInput()
			in.Title = s
			_, err := domain.NewCourse(in, domain.NewID(), time.Now())
			return err
		}},
	}
	refused := []struct{ name, text string }{
		{"img tag", "<img src=x onerror=alert(1)>😀赵"},
		{"lone angle bracket", "赵>钱"},
		{"right-to-left override", "插花\u202e课程"},
		{"left-to-right embedding", "\u202a插花"},
		{"first strong isolate", "插花\u2068课程"},
		{"pop directional isolate", "插花\u2069"},
		{"NUL", "插\x00花"},
		{"tab", "插\t花"},
		{"escape", "插\x1b[31m花"},
		{"DEL", "插\x7f花"},
		{"C1 next line", "插\u0085花"},
	}
	accepted := []string{"欧阳·娜仁花", "老年书法（楷书）", "Anne-Marie O'Neil", "烘焙😀入门", "C++ 程序设计"}
	for _, c := range checks {
		for _, r := range refused {
			t.Run(c.what+"/"+r.name, func(t *testing.T) {
				err := c.try(r.text)
				if err == nil {
					t.Fatalf("%q accepted", r.text)
				}
				coreWantField(t, err, c.field)
			})
		}
		for _, ok := range accepted {
			if err := c.try(ok); err != nil {
				t.Errorf("%s %q refused: %v", c.what, ok, err)
			}
		}
	}
}
