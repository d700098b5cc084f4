package storage

import (
	"context"

	"creditbank/domain"
)

// Frameworks stores the district's learning-outcomes framework, one
// document beside the credit policy.
type Frameworks interface {
	// GetFramework returns the stored framework, or domain.ErrNotFound
	// before the first save.
	GetFramework(ctx context.Context) (*domain.Framework, error)
	// SaveFramework is compare-and-swap on Version (0 = first save), like
	// SaveCreditPolicy; on success f.Version is the new version.
	SaveFramework(ctx context.Context, f *domain.Framework) error
}

// Units stores certification units, one document per unit keyed by its code
// and guarded by Version.
type Units interface {
	// CreateUnit inserts a unit at Version 1 (kept when > 0, a restore); a
	// second unit with the same code is domain.ErrConflict.
	CreateUnit(ctx context.Context, key *PendingReservation, u *domain.Unit) error
	// GetUnit loads a unit by its (normalised) code, or domain.ErrNotFound.
	GetUnit(ctx context.Context, code string) (*domain.Unit, error)
	// UpdateUnit is compare-and-swap on Version; on success u.Version is
	// incremented.
	UpdateUnit(ctx context.Context, u *domain.Unit) error
	// ListUnits pages the units q matches in ascending code order; the
	// cursor is the last code.
	ListUnits(ctx context.Context, q domain.UnitQuery, p Page) ([]domain.Unit, string, error)
}
