package storetest

import (
	"context"

	"creditbank/domain"
	"creditbank/storage"
)

func (f *Faulty) GetFramework(ctx context.Context) (*domain.Framework, error) {
	return guard(f.read, func() (*domain.Framework, error) { return f.inner.GetFramework(ctx) })
}

func (f *Faulty) SaveFramework(ctx context.Context, fw *domain.Framework) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.SaveFramework(ctx, fw)
}

func (f *Faulty) CreateUnit(ctx context.Context, key *storage.PendingReservation, u *domain.Unit) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.CreateUnit(ctx, key, u)
}

func (f *Faulty) GetUnit(ctx context.Context, code string) (*domain.Unit, error) {
	return guard(f.read, func() (*domain.Unit, error) { return f.inner.GetUnit(ctx, code) })
}

func (f *Faulty) UpdateUnit(ctx context.Context, u *domain.Unit) error {
	if err := f.write(); err != nil {
		return err
	}
	return f.inner.UpdateUnit(ctx, u)
}

func (f *Faulty) ListUnits(ctx context.Context, q domain.UnitQuery, p storage.Page) ([]domain.Unit, string, error) {
	return guard3(f.read, func() ([]domain.Unit, string, error) { return f.inner.ListUnits(ctx, q, p) })
}
