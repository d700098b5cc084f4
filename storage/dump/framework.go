package dump

import (
	"context"
	"errors"
	"fmt"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

func (e *exporter) framework(ctx context.Context, s Store) error {
	f, err := s.GetFramework(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		return nil // never defined
	}
	if err != nil {
		return fmt.Errorf("export: framework: %w", err)
	}
	return e.line(KindFramework, record.FromFramework(f))
}

func (e *exporter) units(ctx context.Context, s Store) error {
	p := storage.Page{Limit: storage.MaxPageSize}
	for {
		us, next, err := s.ListUnits(ctx, domain.UnitQuery{}, p)
		if err != nil {
			return fmt.Errorf("export: units: %w", err)
		}
		for i := range us {
			if err := e.line(KindUnit, record.FromUnit(&us[i])); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		p.Cursor = next
	}
}

// restoreFramework saves the framework and re-saves it until the stored
// version equals the exported one, as restorePolicy does, so that levels
// stated "under version n" keep meaning the same after a move.
func restoreFramework(ctx context.Context, s Store, f *domain.Framework) error {
	want := f.Version
	if want > 10000 {
		return fmt.Errorf("framework version %d is implausible", want)
	}
	cur := *f
	cur.Version = 0
	if existing, err := s.GetFramework(ctx); err == nil {
		cur.Version = existing.Version // forced import: overwrite the existing one
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	for first := true; first || cur.Version < want; first = false {
		before := cur.Version
		if err := s.SaveFramework(ctx, &cur); err != nil {
			return err
		}
		if cur.Version <= before {
			return errors.New("store did not advance the framework version")
		}
	}
	return nil
}
