package domain

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxFrameworkLevels bounds the framework: outcomes and courses state levels
// 1..10, so a framework cannot name more.
const MaxFrameworkLevels = 10

// MaxEQFLevel is the top of the European Qualifications Framework, the only
// crosswalk the framework records.
const MaxEQFLevel = 8

// FrameworkLevel is one level of the learning-outcomes framework
// (学习成果框架), described the way qualification frameworks describe levels:
// what a holder knows, can do, and how independently they act.
type FrameworkLevel struct {
	Level      int
	NameZH     string
	NameEN     string
	Knowledge  string
	Skills     string
	Competence string
	// EQF is the European level this one is cross-walked to; 0 = none.
	EQF int
}

// Framework is the district's ordered set of levels. Admins edit it; every
// save is a new Version, so a level stated on an outcome can be read against
// the framework it was stated under.
type Framework struct {
	NameZH string
	NameEN string
	// Note says what the framework is (for the demo: plainly an example, not
	// an official framework).
	Note      string
	Levels    []FrameworkLevel
	Version   int64
	UpdatedAt time.Time
	UpdatedBy string
}

// Validate checks that levels run 1..N in order, each named in both
// languages, with descriptors of reasonable length and an EQF crosswalk that
// never goes down as levels go up.
func (f Framework) Validate() error {
	v := &ValidationError{}
	if n := utf8.RuneCountInString(strings.TrimSpace(f.NameZH)); n == 0 || n > 100 {
		v.Add("nameZh", "required, at most 100 characters")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(f.NameEN)); n == 0 || n > 100 {
		v.Add("nameEn", "required, at most 100 characters")
	}
	if utf8.RuneCountInString(f.Note) > 500 {
		v.Add("note", "at most 500 characters")
	}
	if len(f.Levels) == 0 || len(f.Levels) > MaxFrameworkLevels {
		v.Add("levels", "between 1 and 10 levels")
	}
	lastEQF := 0
	for i, l := range f.Levels {
		p := "levels[" + itoa(i) + "]"
		if l.Level != i+1 {
			v.Add(p+".level", "levels must be numbered 1, 2, 3 … in order; expected "+itoa(i+1))
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(l.NameZH)); n == 0 || n > 100 {
			v.Add(p+".nameZh", "required, at most 100 characters")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(l.NameEN)); n == 0 || n > 100 {
			v.Add(p+".nameEn", "required, at most 100 characters")
		}
		for _, d := range []struct{ field, text string }{
			{"knowledge", l.Knowledge}, {"skills", l.Skills}, {"competence", l.Competence},
		} {
			if n := utf8.RuneCountInString(strings.TrimSpace(d.text)); n == 0 || n > 2000 {
				v.Add(p+"."+d.field, "required, at most 2000 characters")
			}
		}
		switch {
		case l.EQF < 0 || l.EQF > MaxEQFLevel:
			v.Add(p+".eqf", "must be 1–8, or 0 for no crosswalk")
		case l.EQF > 0 && l.EQF < lastEQF:
			v.Add(p+".eqf", "must not be below the EQF level of a lower level")
		case l.EQF > 0:
			lastEQF = l.EQF
		}
	}
	return v.Err()
}

// Normalized trims the names and descriptors an admin typed.
func (f Framework) Normalized() Framework {
	f.NameZH, f.NameEN, f.Note = strings.TrimSpace(f.NameZH), strings.TrimSpace(f.NameEN), strings.TrimSpace(f.Note)
	levels := make([]FrameworkLevel, len(f.Levels))
	for i, l := range f.Levels {
		l.NameZH, l.NameEN = strings.TrimSpace(l.NameZH), strings.TrimSpace(l.NameEN)
		l.Knowledge, l.Skills, l.Competence = strings.TrimSpace(l.Knowledge), strings.TrimSpace(l.Skills), strings.TrimSpace(l.Competence)
		levels[i] = l
	}
	f.Levels = levels
	return f
}

// Level returns level n of the framework, if it has one.
func (f Framework) Level(n int) (FrameworkLevel, bool) {
	if n < 1 || n > len(f.Levels) {
		return FrameworkLevel{}, false
	}
	return f.Levels[n-1], true
}

// Defined reports whether an admin has saved a framework yet.
func (f Framework) Defined() bool { return len(f.Levels) > 0 }

// CheckLevel says whether a level stated on a unit, course or outcome exists
// in the framework. Before any framework is defined every level 1..10 is
// accepted, as it always was.
func (f Framework) CheckLevel(field string, n int) error {
	if n == 0 {
		return nil
	}
	if !f.Defined() {
		if n < 1 || n > MaxFrameworkLevels {
			return Invalid(field, "must be between 1 and 10")
		}
		return nil
	}
	if _, ok := f.Level(n); !ok {
		return Invalid(field, "the framework has levels 1–"+itoa(len(f.Levels)))
	}
	return nil
}
