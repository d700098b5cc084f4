package mongo

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage/record"
)

const collStatusIndexes = "status_indexes"

// statusIndexDoc is one status list position. The _id is the position
// itself, so two outcomes can never hold it; outcomeId is unique too.
type statusIndexDoc struct {
	ID        string `bson:"_id"`
	List      string `bson:"list"`
	Index     int    `bson:"index"`
	OutcomeID string `bson:"outcomeId"`
}

func (s *Store) statusIndexes() *mongo.Collection { return s.db.Collection(collStatusIndexes) }

func (d statusIndexDoc) toDomain() (domain.StatusIndex, error) {
	id, err := uuid.Parse(d.OutcomeID)
	if err != nil {
		return domain.StatusIndex{}, err
	}
	return domain.StatusIndex{OutcomeID: id, List: d.List, Index: d.Index}, nil
}

func (s *Store) findStatusIndex(ctx context.Context, outcomeID uuid.UUID) (domain.StatusIndex, error) {
	var d statusIndexDoc
	if err := s.statusIndexes().FindOne(ctx, bson.D{{Key: "outcomeId", Value: outcomeID.String()}}).Decode(&d); err != nil {
		return domain.StatusIndex{}, mapErr("find status index", err)
	}
	return d.toDomain()
}

// AssignStatusIndex gives the outcome a status list position, or returns
// the one it holds.
func (s *Store) AssignStatusIndex(ctx context.Context, outcomeID uuid.UUID, list string, index int) (domain.StatusIndex, error) {
	held, err := s.findStatusIndex(ctx, outcomeID)
	if !errors.Is(err, domain.ErrNotFound) {
		return held, err
	}
	d := statusIndexDoc{ID: list + ":" + strconv.Itoa(index), List: list, Index: index, OutcomeID: outcomeID.String()}
	if _, err := s.statusIndexes().InsertOne(ctx, d); err != nil {
		err = mapErr("assign status index", err)
		if errors.Is(err, domain.ErrConflict) {
			// Either the position is taken, or a concurrent call gave this
			// outcome one first: then that one is the answer.
			if held, ferr := s.findStatusIndex(ctx, outcomeID); ferr == nil {
				return held, nil
			}
		}
		return domain.StatusIndex{}, err
	}
	return d.toDomain()
}

// ListStatusIndexes returns the positions given out in list.
func (s *Store) ListStatusIndexes(ctx context.Context, list string) ([]domain.StatusIndex, error) {
	cur, err := s.statusIndexes().Find(ctx, bson.D{{Key: "list", Value: list}}, options.Find().SetSort(bson.D{{Key: "index", Value: 1}}))
	if err != nil {
		return nil, mapErr("list status indexes", err)
	}
	var docs []statusIndexDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("list status indexes", err)
	}
	out := make([]domain.StatusIndex, 0, len(docs))
	for _, d := range docs {
		x, err := d.toDomain()
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

const collVerificationCodes = "verification_codes"

// SaveVerificationCode inserts a code; a taken code is a conflict.
func (s *Store) SaveVerificationCode(ctx context.Context, v *domain.VerificationCode) error {
	_, err := s.db.Collection(collVerificationCodes).InsertOne(ctx, record.FromVerificationCode(v))
	return mapErr("save verification code", err)
}

// GetVerificationCode loads one code.
func (s *Store) GetVerificationCode(ctx context.Context, code string) (*domain.VerificationCode, error) {
	var d record.VerificationCodeDoc
	if err := s.db.Collection(collVerificationCodes).FindOne(ctx, bson.D{{Key: "_id", Value: code}}).Decode(&d); err != nil {
		return nil, mapErr("get verification code", err)
	}
	return d.ToDomain()
}

// ScanVerificationCodes streams every code in code order.
func (s *Store) ScanVerificationCodes(ctx context.Context, fn func(domain.VerificationCode) error) error {
	cur, err := s.db.Collection(collVerificationCodes).Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return mapErr("scan verification codes", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d record.VerificationCodeDoc
		if err := cur.Decode(&d); err != nil {
			return mapErr("scan verification codes", err)
		}
		v, err := d.ToDomain()
		if err != nil {
			return err
		}
		if err := fn(*v); err != nil {
			return err
		}
	}
	return mapErr("scan verification codes", cur.Err())
}
