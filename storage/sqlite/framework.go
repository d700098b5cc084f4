package sqlite

import (
	"context"
	"strings"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// GetFramework returns the stored framework.
func (s *Store) GetFramework(ctx context.Context) (*domain.Framework, error) {
	return getDoc[record.FrameworkDoc](ctx, s.rc, `SELECT doc FROM settings WHERE key = ?`, record.FrameworkID)
}

// SaveFramework is compare-and-swap on Version, as SaveCreditPolicy.
func (s *Store) SaveFramework(ctx context.Context, f *domain.Framework) error {
	d := record.FromFramework(f)
	d.Version = f.Version + 1
	raw, err := encode(d)
	if err != nil {
		return err
	}
	if err := s.saveSetting(ctx, d.ID, f.Version, d.Version, raw); err != nil {
		return err
	}
	f.Version = d.Version
	return nil
}

// saveSetting writes one settings document with compare-and-swap on its
// version: expected 0 inserts (ErrStale if it exists).
func (s *Store) saveSetting(ctx context.Context, key string, expected, next int64, raw string) error {
	return s.write(ctx, func(tx *wtx) error {
		if expected == 0 {
			n, err := exec(ctx, tx, `INSERT INTO settings (key, version, doc) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`, key, next, raw)
			if err == nil && n == 0 {
				return domain.ErrStale
			}
			return err
		}
		return casExec(ctx, tx, `UPDATE settings SET version = ?, doc = ? WHERE key = ? AND version = ?`, []any{next, raw, key, expected},
			`SELECT 1 FROM settings WHERE key = ?`, key)
	})
}

// CreateUnit inserts a unit; the code is the primary key.
func (s *Store) CreateUnit(ctx context.Context, key *storage.PendingReservation, u *domain.Unit) error {
	d := record.FromUnit(u)
	d.Version = initialVersion(u.Version)
	if err := s.writeDoc(ctx, key, d, func(tx *wtx, raw string) error {
		_, err := exec(ctx, tx, `INSERT INTO units (code, category, status, level, version, doc) VALUES (?, ?, ?, ?, ?, ?)`,
			d.Code, d.Category, d.Status, d.Level, d.Version, raw)
		return err
	}); err != nil {
		return err
	}
	u.Version = d.Version
	return nil
}

// GetUnit loads one unit by code.
func (s *Store) GetUnit(ctx context.Context, code string) (*domain.Unit, error) {
	return getDoc[record.UnitDoc](ctx, s.rc, `SELECT doc FROM units WHERE code = ?`, domain.NormalizeUnitCode(code))
}

// UpdateUnit is compare-and-swap on Version.
func (s *Store) UpdateUnit(ctx context.Context, u *domain.Unit) error {
	d := record.FromUnit(u)
	d.Version = u.Version + 1
	if err := s.writeDoc(ctx, nil, d, func(tx *wtx, raw string) error {
		return casExec(ctx, tx, `UPDATE units SET category = ?, status = ?, level = ?, version = ?, doc = ? WHERE code = ? AND version = ?`,
			[]any{d.Category, d.Status, d.Level, d.Version, raw, d.Code, u.Version}, `SELECT 1 FROM units WHERE code = ?`, d.Code)
	}); err != nil {
		return err
	}
	u.Version = d.Version
	return nil
}

// ListUnits pages units by code.
func (s *Store) ListUnits(ctx context.Context, q domain.UnitQuery, p storage.Page) ([]domain.Unit, string, error) {
	p = p.Normalized()
	where := []string{"code > ?"}
	args := []any{p.Cursor}
	if q.Category != "" {
		where, args = append(where, "category = ?"), append(args, string(q.Category))
	}
	if q.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(q.Status))
	}
	if q.Level != 0 {
		where, args = append(where, "level = ?"), append(args, q.Level)
	}
	rows, err := s.rc.QueryContext(ctx, `SELECT code, doc FROM units WHERE `+strings.Join(where, " AND ")+` ORDER BY code LIMIT ?`,
		append(args, p.Limit+1)...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	var out []domain.Unit
	var codes []string
	for rows.Next() {
		var code, raw string
		if err := rows.Scan(&code, &raw); err != nil {
			return nil, "", mapErr(err)
		}
		u, err := decode[record.UnitDoc](raw)
		if err != nil {
			return nil, "", err
		}
		out, codes = append(out, *u), append(codes, code)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr(err)
	}
	out, next := trimPage(out, codes, p.Limit)
	return out, next, nil
}
