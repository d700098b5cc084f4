package sqlite

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// CreateCourse inserts a course; (institution, code) is unique.
func (s *Store) CreateCourse(ctx context.Context, key *storage.PendingReservation, c *domain.Course) error {
	version := initialVersion(c.Version)
	d := record.FromCourse(c)
	d.Version = version
	if err := s.writeDoc(ctx, key, d, func(tx *wtx, raw string) error {
		_, err := exec(ctx, tx, `INSERT INTO courses (id, institution_id, code, category, version, search, doc) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.ID, d.InstitutionID, d.Code, d.Category, version, d.Search, raw)
		return err
	}); err != nil {
		return err
	}
	c.Version = version
	return nil
}

// GetCourse loads one course.
func (s *Store) GetCourse(ctx context.Context, id uuid.UUID) (*domain.Course, error) {
	return getDoc[record.CourseDoc](ctx, s.rc, `SELECT doc FROM courses WHERE id = ?`, id.String())
}

// UpdateCourse is compare-and-swap on Version.
func (s *Store) UpdateCourse(ctx context.Context, c *domain.Course) error {
	d := record.FromCourse(c)
	d.Version = c.Version + 1
	if err := s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
		return casExec(ctx, tx, `UPDATE courses SET institution_id = ?, code = ?, category = ?, version = ?, search = ?, doc = ?
			WHERE id = ? AND version = ?`, []any{d.InstitutionID, d.Code, d.Category, d.Version, d.Search, raw, d.ID, c.Version},
			`SELECT 1 FROM courses WHERE id = ?`, d.ID)
	}); err != nil {
		return err
	}
	c.Version = d.Version
	return nil
}

// DeleteCourse removes a course.
func (s *Store) DeleteCourse(ctx context.Context, id uuid.UUID) error {
	return s.write(ctx, func(tx *wtx) error {
		n, err := exec(ctx, tx, `DELETE FROM courses WHERE id = ?`, id.String())
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.ErrNotFound
		}
		return nil
	})
}

// ListCourses pages the courses a query matches, by ID.
func (s *Store) ListCourses(ctx context.Context, q domain.CourseQuery, p storage.Page) ([]domain.Course, string, error) {
	var where []string
	var args []any
	if q.Text != "" {
		where, args = append(where, "instr(search, ?) > 0"), append(args, strings.ToLower(q.Text))
	}
	if q.Category != "" {
		where, args = append(where, "category = ?"), append(args, string(q.Category))
	}
	if q.InstitutionID != uuid.Nil {
		where, args = append(where, "institution_id = ?"), append(args, q.InstitutionID.String())
	}
	where = append(where, "id > ?")
	query := `SELECT id, doc FROM courses WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id LIMIT ?`
	return listDocs[record.CourseDoc](ctx, s.r, p, query, args...)
}

// ScanCourses streams every course by ID, a page at a time.
func (s *Store) ScanCourses(ctx context.Context, fn func(domain.Course) error) error {
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		batch, next, err := s.ListCourses(ctx, domain.CourseQuery{}, p)
		if err != nil {
			return err
		}
		for _, c := range batch {
			if err := fn(c); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}

// CountCoursesByCategory counts courses per category from the
// courses_by_category index alone; no document is read.
func (s *Store) CountCoursesByCategory(ctx context.Context) (map[domain.Category]int, error) {
	rows, err := s.rc.QueryContext(ctx, `SELECT category, COUNT(*) FROM courses GROUP BY category`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	out := map[domain.Category]int{}
	for rows.Next() {
		var cat string
		var n int
		if err := rows.Scan(&cat, &n); err != nil {
			return nil, mapErr(err)
		}
		out[domain.Category(cat)] = n
	}
	return out, mapErr(rows.Err())
}
