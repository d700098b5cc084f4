package service

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"creditbank/domain"
	"creditbank/storage"
)

// Framework returns the district's learning-outcomes framework; before an
// admin saves one it is empty (Version 0, no levels).
func (s *Service) Framework(ctx context.Context) (domain.Framework, error) {
	f, err := s.store.GetFramework(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Framework{}, nil
	}
	if err != nil {
		return domain.Framework{}, err
	}
	return *f, nil
}

// SetFramework replaces the framework. expected, when given, is the version
// the admin edited: a save over someone else's newer one is ErrStale rather
// than a silent overwrite.
func (s *Service) SetFramework(ctx context.Context, actor Actor, next domain.Framework, expected *int64) (domain.Framework, error) {
	if actor.Role != domain.RoleAdmin {
		return domain.Framework{}, domain.ErrForbidden
	}
	next = next.Normalized()
	if err := next.Validate(); err != nil {
		return domain.Framework{}, err
	}
	current, err := s.Framework(ctx)
	if err != nil {
		return domain.Framework{}, err
	}
	if expected != nil && *expected != current.Version {
		return domain.Framework{}, fmt.Errorf("framework is at version %d, not %d: %w", current.Version, *expected, domain.ErrStale)
	}
	next.Version = current.Version
	next.UpdatedAt, next.UpdatedBy = domain.Now(s.now()), actor.ID.String()
	if err := s.store.SaveFramework(ctx, &next); err != nil {
		return domain.Framework{}, err
	}
	s.audit(ctx, actor, "framework.update", "framework", "framework", fmt.Sprintf("version=%d levels=%d", next.Version, len(next.Levels)))
	return next, nil
}

// checkUnitEditor lets admins edit any unit, and staff (issue or manage)
// or the API client of an active institution accredited for the unit's
// category edit the units of that category.
func (s *Service) checkUnitEditor(ctx context.Context, actor Actor, cat domain.Category) error {
	if !mayEditUnits(actor) {
		return domain.ErrForbidden
	}
	if actor.Role == domain.RoleAdmin {
		return nil
	}
	inst, err := s.store.GetInstitution(ctx, actor.InstitutionID)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return domain.ErrForbidden
		}
		return err
	}
	if inst.Status != domain.InstitutionActive || !slices.Contains(inst.Categories, cat) {
		return domain.ErrForbidden
	}
	return nil
}

// Units pages the certification units (public: the catalogue of what can
// be certified).
func (s *Service) Units(ctx context.Context, q domain.UnitQuery, p storage.Page) ([]domain.Unit, string, error) {
	return s.store.ListUnits(ctx, q, p)
}

// Unit loads one unit by code.
func (s *Service) Unit(ctx context.Context, code string) (domain.Unit, error) {
	u, err := s.store.GetUnit(ctx, code)
	if err != nil {
		return domain.Unit{}, err
	}
	return *u, nil
}

// CreateUnit defines a certification unit.
func (s *Service) CreateUnit(ctx context.Context, actor Actor, op Op, in domain.UnitInput) (domain.Unit, error) {
	if !mayEditUnits(actor) {
		return domain.Unit{}, domain.ErrForbidden
	}
	fw, err := s.Framework(ctx)
	if err != nil {
		return domain.Unit{}, err
	}
	u, err := domain.NewUnit(in, fw, actor.ID.String(), s.now())
	if err != nil {
		return domain.Unit{}, err
	}
	if err := s.checkUnitEditor(ctx, actor, u.Category); err != nil {
		return domain.Unit{}, err
	}
	if err := s.store.CreateUnit(ctx, op.Reservation, &u); err != nil {
		if errors.Is(err, domain.ErrConflict) && !errors.Is(err, domain.ErrStale) {
			return domain.Unit{}, domain.Invalid("code", "a unit with this code already exists")
		}
		return domain.Unit{}, err
	}
	s.audit(ctx, actor, "unit.create", "unit", u.Code, fmt.Sprintf("level=%d status=%s", u.Level, u.Status))
	return u, nil
}

// UpdateUnit revises a unit. The editor must be allowed for the unit's
// category both before and after the edit (moving a unit into a category
// is editing that category). expected, when given, is the version edited.
func (s *Service) UpdateUnit(ctx context.Context, actor Actor, code string, in domain.UnitInput, expected *int64) (domain.Unit, error) {
	current, err := s.store.GetUnit(ctx, code)
	if err != nil {
		return domain.Unit{}, err
	}
	if err := s.checkUnitEditor(ctx, actor, current.Category); err != nil {
		return domain.Unit{}, err
	}
	if expected != nil && *expected != current.Version {
		return domain.Unit{}, fmt.Errorf("unit is at version %d, not %d: %w", current.Version, *expected, domain.ErrStale)
	}
	fw, err := s.Framework(ctx)
	if err != nil {
		return domain.Unit{}, err
	}
	next := *current
	if err := next.Revise(in, fw, actor.ID.String(), s.now()); err != nil {
		return domain.Unit{}, err
	}
	if next.Category != current.Category {
		if err := s.checkUnitEditor(ctx, actor, next.Category); err != nil {
			return domain.Unit{}, err
		}
	}
	if err := s.store.UpdateUnit(ctx, &next); err != nil {
		return domain.Unit{}, err
	}
	s.audit(ctx, actor, "unit.update", "unit", next.Code, fmt.Sprintf("version=%d level=%d status=%s", next.Version, next.Level, next.Status))
	return next, nil
}

// mayEditUnits is the role half of checkUnitEditor, checked before the
// input is even read.
func mayEditUnits(actor Actor) bool {
	switch actor.Role {
	case domain.RoleAdmin, domain.RoleClient:
		return true
	case domain.RoleStaff:
		return actor.Can(domain.PermIssue) || actor.Can(domain.PermManage)
	}
	return false
}

// applyUnit fills an outcome from the unit it names, and checks a level
// the issuer stated without a unit against the framework.
func (s *Service) applyUnit(ctx context.Context, in *domain.OutcomeInput) error {
	code := domain.NormalizeUnitCode(in.UnitCode)
	if code == "" {
		if in.Level == 0 {
			return nil
		}
		fw, err := s.Framework(ctx)
		if err != nil {
			return err
		}
		return fw.CheckLevel("level", in.Level)
	}
	u, err := s.store.GetUnit(ctx, code)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("unitCode", "no certification unit "+code)
	}
	if err != nil {
		return err
	}
	return domain.ApplyUnit(in, *u)
}

// checkCourseUnit: a course that leads to a unit names one that exists, is
// not retired, and is of the course's category.
func (s *Service) checkCourseUnit(ctx context.Context, c domain.Course) error {
	if c.UnitCode == "" {
		return nil
	}
	u, err := s.store.GetUnit(ctx, c.UnitCode)
	if errors.Is(err, domain.ErrNotFound) {
		return domain.Invalid("unitCode", "no certification unit "+c.UnitCode)
	}
	if err != nil {
		return err
	}
	switch {
	case u.Status == domain.UnitRetired:
		return domain.Invalid("unitCode", "unit "+u.Code+" is retired")
	case u.Category != c.Category:
		return domain.Invalid("unitCode", "unit "+u.Code+" is of another category")
	}
	return nil
}
