package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
)

// NewCourse returns a valid catalogue course of an institution.
func NewCourse(inst uuid.UUID, code, title string, cat domain.Category, now time.Time) *domain.Course {
	start := domain.DateOf(now.AddDate(0, 1, 0))
	c, err := domain.NewCourse(domain.CourseInput{
		Code: code, Title: title, Category: string(cat), Hours: 32, Credits: f64(2), Level: 1,
		NextStart: &start, Place: "街道学习中心", CapacityNote: "限 30 人",
	}, inst, now)
	if err != nil {
		panic(err)
	}
	return &c
}

func courseIDs(cs []domain.Course) []uuid.UUID {
	var out []uuid.UUID
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func courseTests() []contractTest {
	return []contractTest{
		{"CreateAndGet", func(t *testing.T, s storage.Store) {
			c := NewCourse(domain.NewID(), "SF-101", "硬笔书法入门", domain.CategoryCommunity, now())
			noErr(t, s.CreateCourse(t.Context(), nil, c), "create")
			if c.Version != 1 {
				t.Fatalf("version after create = %d, want 1", c.Version)
			}
			got, err := s.GetCourse(t.Context(), c.ID)
			noErr(t, err, "get")
			deepEqual(t, got, c, "course")
			online := NewCourse(c.InstitutionID, "OL-1", "网上课堂", domain.CategoryOnline, now())
			online.Credits, online.NextStart, online.Online, online.Place, online.CapacityNote = nil, nil, true, "", ""
			noErr(t, s.CreateCourse(t.Context(), nil, online), "create with optional fields empty")
			got, err = s.GetCourse(t.Context(), online.ID)
			noErr(t, err, "get")
			deepEqual(t, got, online, "course without optional fields")
		}},
		{"CodeUniquePerInstitution", func(t *testing.T, s storage.Store) {
			instA, instB := domain.NewID(), domain.NewID()
			a := NewCourse(instA, "SF-101", "硬笔书法入门", domain.CategoryCommunity, now())
			noErr(t, s.CreateCourse(t.Context(), nil, a), "create")
			noErr(t, s.CreateCourse(t.Context(), nil, NewCourse(instB, "SF-101", "书法", domain.CategoryCommunity, now())), "same code, other institution")
			wantErr(t, s.CreateCourse(t.Context(), nil, NewCourse(instA, "SF-101", "另一门", domain.CategoryCommunity, now())), domain.ErrConflict, "same code, same institution")
			other := NewCourse(instA, "SF-102", "毛笔书法", domain.CategoryCommunity, now())
			noErr(t, s.CreateCourse(t.Context(), nil, other), "create second")
			other.Code = "SF-101"
			wantErr(t, s.UpdateCourse(t.Context(), other), domain.ErrConflict, "rename onto a taken code")
			dup := NewCourse(instB, "X-1", "x", domain.CategoryCommunity, now())
			dup.ID = a.ID
			wantErr(t, s.CreateCourse(t.Context(), nil, dup), domain.ErrConflict, "same id")
		}},
		{"CASAndDelete", func(t *testing.T, s storage.Store) {
			c := NewCourse(domain.NewID(), "SF-101", "硬笔书法入门", domain.CategoryCommunity, now())
			noErr(t, s.CreateCourse(t.Context(), nil, c), "create")
			stale := *c
			c.Title = "硬笔书法入门（周末班）"
			noErr(t, s.UpdateCourse(t.Context(), c), "update")
			if c.Version != 2 {
				t.Fatalf("version after update = %d, want 2", c.Version)
			}
			stale.Title = "stale"
			wantErr(t, s.UpdateCourse(t.Context(), &stale), domain.ErrStale, "stale update")
			got, err := s.GetCourse(t.Context(), c.ID)
			noErr(t, err, "get")
			deepEqual(t, got, c, "course after a stale update")
			noErr(t, s.DeleteCourse(t.Context(), c.ID), "delete")
			_, err = s.GetCourse(t.Context(), c.ID)
			wantErr(t, err, domain.ErrNotFound, "get deleted")
			wantErr(t, s.DeleteCourse(t.Context(), c.ID), domain.ErrNotFound, "delete twice")
			wantErr(t, s.UpdateCourse(t.Context(), c), domain.ErrNotFound, "update deleted")
		}},
		{"Search", func(t *testing.T, s storage.Store) {
			instA, instB := domain.NewID(), domain.NewID()
			hard := NewCourse(instA, "SF-101", "硬笔书法入门", domain.CategoryCommunity, now())
			brush := NewCourse(instB, "LN-SF2", "老年毛笔书法提高班", domain.CategorySenior, now())
			excel := NewCourse(instA, "IT-EXCEL", "Excel 办公应用", domain.CategoryVocational, now())
			tai := NewCourse(instB, "TJ-24", "二十四式太极拳", domain.CategorySenior, now())
			for _, c := range []*domain.Course{hard, brush, excel, tai} {
				noErr(t, s.CreateCourse(t.Context(), nil, c), "create")
			}
			tests := []struct {
				name  string
				query domain.CourseQuery
				want  []uuid.UUID
			}{
				{"all", domain.CourseQuery{}, []uuid.UUID{hard.ID, brush.ID, excel.ID, tai.ID}},
				{"chinese substring", domain.CourseQuery{Text: "书法"}, []uuid.UUID{hard.ID, brush.ID}},
				{"chinese inside a word", domain.CourseQuery{Text: "笔书"}, []uuid.UUID{hard.ID, brush.ID}},
				{"latin any case", domain.CourseQuery{Text: "excel"}, []uuid.UUID{excel.ID}},
				{"code", domain.CourseQuery{Text: "sf-1"}, []uuid.UUID{hard.ID}},
				{"regexp characters are literal", domain.CourseQuery{Text: "S.-"}, nil},
				{"sql wildcard is literal", domain.CourseQuery{Text: "%"}, nil},
				{"category", domain.CourseQuery{Category: domain.CategorySenior}, []uuid.UUID{brush.ID, tai.ID}},
				{"institution", domain.CourseQuery{InstitutionID: instA}, []uuid.UUID{hard.ID, excel.ID}},
				{"combined", domain.CourseQuery{Text: "书法", Category: domain.CategorySenior, InstitutionID: instB}, []uuid.UUID{brush.ID}},
				{"no match", domain.CourseQuery{Text: "钢琴"}, nil},
			}
			all := []*domain.Course{hard, brush, excel, tai}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					got, next, err := s.ListCourses(t.Context(), tc.query, storage.Page{})
					noErr(t, err, "list")
					if next != "" {
						t.Fatalf("next cursor %q on a single page", next)
					}
					var want []uuid.UUID
					for _, c := range all {
						if tc.query.Matches(*c) {
							want = append(want, c.ID)
						}
					}
					deepEqual(t, sortedIDs(tc.want), sortedIDs(want), "the domain's own semantics for this case")
					deepEqual(t, courseIDs(got), sortedIDs(tc.want), "matching courses")
				})
			}
		}},
		{"PagingAndScan", func(t *testing.T, s storage.Store) {
			inst := domain.NewID()
			var want []uuid.UUID
			for i := range 7 {
				c := NewCourse(inst, fmt.Sprintf("C-%02d", i), fmt.Sprintf("书法 %d", i), domain.CategoryCommunity, now())
				noErr(t, s.CreateCourse(t.Context(), nil, c), "create")
				want = append(want, c.ID)
			}
			for _, limit := range []int{1, 3, 7, 8} {
				got := collectPages(t, limit, func(p storage.Page) ([]uuid.UUID, string, error) {
					cs, next, err := s.ListCourses(t.Context(), domain.CourseQuery{Text: "书法"}, p)
					return courseIDs(cs), next, err
				})
				deepEqual(t, got, sortedIDs(want), fmt.Sprintf("courses with limit %d", limit))
			}
			_, _, err := s.ListCourses(t.Context(), domain.CourseQuery{}, storage.Page{Cursor: "not-a-cursor"})
			wantErr(t, err, domain.ErrInvalid, "malformed cursor")
			got := []uuid.UUID{}
			noErr(t, s.ScanCourses(t.Context(), func(c domain.Course) error {
				got = append(got, c.ID)
				return nil
			}), "scan")
			deepEqual(t, got, sortedIDs(want), "scanned courses")
		}},
		{"CountByCategory", func(t *testing.T, s storage.Store) {
			instA, instB := domain.NewID(), domain.NewID()
			var brush *domain.Course
			steps := []struct {
				name   string
				change func(t *testing.T)
				want   map[domain.Category]int
			}{
				{"empty catalogue", func(*testing.T) {}, map[domain.Category]int{}},
				{"courses of two institutions", func(t *testing.T) {
					brush = NewCourse(instB, "LN-SF2", "老年毛笔书法提高班", domain.CategorySenior, now())
					for _, c := range []*domain.Course{
						NewCourse(instA, "SF-101", "硬笔书法入门", domain.CategoryCommunity, now()),
						NewCourse(instA, "SF-102", "毛笔书法", domain.CategoryCommunity, now()),
						NewCourse(instB, "SF-101", "书法", domain.CategoryCommunity, now()),
						NewCourse(instA, "IT-EXCEL", "Excel 办公应用", domain.CategoryVocational, now()),
						brush,
					} {
						noErr(t, s.CreateCourse(t.Context(), nil, c), "create")
					}
				}, map[domain.Category]int{domain.CategoryCommunity: 3, domain.CategoryVocational: 1, domain.CategorySenior: 1}},
				{"a course moves to another category", func(t *testing.T) {
					brush.Category = domain.CategoryOnline
					noErr(t, s.UpdateCourse(t.Context(), brush), "update")
				}, map[domain.Category]int{domain.CategoryCommunity: 3, domain.CategoryVocational: 1, domain.CategoryOnline: 1}},
				{"a withdrawn course is not counted", func(t *testing.T) {
					noErr(t, s.DeleteCourse(t.Context(), brush.ID), "delete")
				}, map[domain.Category]int{domain.CategoryCommunity: 3, domain.CategoryVocational: 1}},
			}
			for _, st := range steps {
				st.change(t)
				got, err := s.CountCoursesByCategory(t.Context())
				noErr(t, err, st.name)
				if got == nil {
					t.Fatalf("%s: nil map, want an empty one", st.name)
				}
				deepEqual(t, got, st.want, st.name)
			}
		}},
	}
}
