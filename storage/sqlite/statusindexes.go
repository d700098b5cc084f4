package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"

	"creditbank/domain"
	"creditbank/storage/record"
)

// AssignStatusIndex gives the outcome a status list position, or returns
// the one it holds; (list, idx) and outcome_id are both unique.
func (s *Store) AssignStatusIndex(ctx context.Context, outcomeID uuid.UUID, list string, index int) (domain.StatusIndex, error) {
	out := domain.StatusIndex{OutcomeID: outcomeID}
	err := s.write(ctx, func(tx *wtx) error {
		err := tx.QueryRowContext(ctx, `SELECT list, idx FROM status_indexes WHERE outcome_id = ?`, outcomeID.String()).Scan(&out.List, &out.Index)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return mapErr(err)
		}
		if _, err := exec(ctx, tx, `INSERT INTO status_indexes (list, idx, outcome_id) VALUES (?, ?, ?)`, list, index, outcomeID.String()); err != nil {
			return err
		}
		out.List, out.Index = list, index
		return nil
	})
	if err != nil {
		return domain.StatusIndex{}, err
	}
	return out, nil
}

// ListStatusIndexes returns the positions given out in list.
func (s *Store) ListStatusIndexes(ctx context.Context, list string) ([]domain.StatusIndex, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT idx, outcome_id FROM status_indexes WHERE list = ? ORDER BY idx`, list)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []domain.StatusIndex
	for rows.Next() {
		var idx int
		var id string
		if err := rows.Scan(&idx, &id); err != nil {
			return nil, mapErr(err)
		}
		oid, err := uuid.Parse(id)
		if err != nil {
			return nil, err
		}
		out = append(out, domain.StatusIndex{OutcomeID: oid, List: list, Index: idx})
	}
	return out, mapErr(rows.Err())
}

// SaveVerificationCode inserts a code; a taken code is a conflict.
func (s *Store) SaveVerificationCode(ctx context.Context, v *domain.VerificationCode) error {
	d := record.FromVerificationCode(v)
	raw, err := encode(d)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *wtx) error {
		_, err := exec(ctx, tx, `INSERT INTO verification_codes (code, doc) VALUES (?, ?)`, d.Code, raw)
		return err
	})
}

// GetVerificationCode loads one code.
func (s *Store) GetVerificationCode(ctx context.Context, code string) (*domain.VerificationCode, error) {
	return getDoc[record.VerificationCodeDoc](ctx, s.rc, `SELECT doc FROM verification_codes WHERE code = ?`, code)
}

// ScanVerificationCodes streams every code in code order.
func (s *Store) ScanVerificationCodes(ctx context.Context, fn func(domain.VerificationCode) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT doc FROM verification_codes ORDER BY code`)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return mapErr(err)
		}
		v, err := decode[record.VerificationCodeDoc](raw)
		if err != nil {
			return err
		}
		if err := fn(*v); err != nil {
			return err
		}
	}
	return mapErr(rows.Err())
}
