package storage

import (
	"context"

	"github.com/google/uuid"

	"creditbank/domain"
)

// Courses stores the institutions' course catalogues, one document per
// course guarded by Version.
type Courses interface {
	// CreateCourse inserts a course (Version as for accounts). The same ID,
	// or a second course with the same Code at the same institution, is
	// domain.ErrConflict.
	CreateCourse(ctx context.Context, key *PendingReservation, c *domain.Course) error
	GetCourse(ctx context.Context, id uuid.UUID) (*domain.Course, error)
	// UpdateCourse is compare-and-swap on Version; taking a code another
	// course of the institution has is domain.ErrConflict.
	UpdateCourse(ctx context.Context, c *domain.Course) error
	// DeleteCourse removes a course; domain.ErrNotFound if absent. Outcomes
	// issued for it keep their own copy of title, code and hours.
	DeleteCourse(ctx context.Context, id uuid.UUID) error
	// ListCourses pages the courses q matches (domain.CourseQuery.Matches is
	// the semantics), in ascending ID order.
	ListCourses(ctx context.Context, q domain.CourseQuery, p Page) ([]domain.Course, string, error)
	// ScanCourses streams every course in ascending ID order.
	ScanCourses(ctx context.Context, fn func(domain.Course) error) error
	// CountCoursesByCategory counts the catalogue's courses (every stored
	// course is published: withdrawing one deletes it) per category, without
	// loading them. Categories without a course are absent.
	CountCoursesByCategory(ctx context.Context) (map[domain.Category]int, error)
}
