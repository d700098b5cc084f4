package mongo

import (
	"context"
	"fmt"
	"regexp"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/domain"
	"creditbank/storage"
	"creditbank/storage/record"
)

// SearchIssuedOutcomes pages an issuer's outcomes newest first. The
// multikey issuerIds index finds the accounts (the learner's name is
// matched there, on the account); the unwound outcomes are filtered,
// sorted by descending ID and limited on the server, projecting only the
// outcome; the learners' names and masked IDs follow in one more query. The stages are those
// ListOutcomesByIssuer uses, which FerretDB v1 supports.
func (s *Store) SearchIssuedOutcomes(ctx context.Context, issuerID uuid.UUID, q storage.OutcomeQuery, p storage.Page) ([]storage.IssuedOutcome, string, error) {
	const what = "search issued outcomes"
	p = p.Normalized()
	outer := bson.D{{Key: "issuerIds", Value: issuerID.String()}}
	if q.LearnerName != "" {
		outer = append(outer, bson.E{Key: "name", Value: primitive.Regex{Pattern: regexp.QuoteMeta(q.LearnerName)}})
	}
	inner := bson.D{{Key: "outcomes.issuerId", Value: issuerID.String()}}
	if p.Cursor != "" {
		id, err := uuid.Parse(p.Cursor)
		if err != nil {
			return nil, "", domain.Invalid("cursor", "not a cursor returned by this list")
		}
		inner = append(inner, bson.E{Key: "outcomes.id", Value: bson.D{{Key: "$lt", Value: id.String()}}})
	}
	if q.CourseCode != "" {
		inner = append(inner, bson.E{Key: "outcomes.courseCode", Value: primitive.Regex{Pattern: regexp.QuoteMeta(q.CourseCode), Options: "i"}})
	}
	if q.Status != "" {
		inner = append(inner, bson.E{Key: "outcomes.status", Value: string(q.Status)})
	}
	var completed bson.D
	if !q.CompletedFrom.IsZero() {
		completed = append(completed, bson.E{Key: "$gte", Value: q.CompletedFrom})
	}
	if !q.CompletedTo.IsZero() {
		completed = append(completed, bson.E{Key: "$lte", Value: q.CompletedTo})
	}
	if completed != nil {
		inner = append(inner, bson.E{Key: "outcomes.completedOn", Value: completed})
	}
	pipeline := mongo.Pipeline{
		{{Key: "$match", Value: outer}},
		{{Key: "$unwind", Value: "$outcomes"}},
		{{Key: "$match", Value: inner}},
		{{Key: "$sort", Value: bson.D{{Key: "outcomes.id", Value: -1}}}},
		{{Key: "$limit", Value: int64(p.Limit + 1)}},
		{{Key: "$project", Value: bson.D{{Key: "outcomes", Value: 1}}}},
	}
	cur, err := s.accounts.Aggregate(ctx, pipeline)
	if err != nil {
		return nil, "", mapErr(what, err)
	}
	defer cur.Close(ctx)
	type row struct {
		Outcome record.OutcomeDoc `bson:"outcomes"`
	}
	var rows []row
	for cur.Next(ctx) {
		var r row
		if err := cur.Decode(&r); err != nil {
			return nil, "", fmt.Errorf("mongo: %s: decode: %w", what, err)
		}
		rows = append(rows, r)
	}
	if err := cur.Err(); err != nil {
		return nil, "", mapErr(what, err)
	}
	rows, next := trimPage(rows, p.Limit, func(r row) string { return r.Outcome.ID })
	accountIDs := make([]string, len(rows))
	for i, r := range rows {
		accountIDs[i] = r.Outcome.AccountID
	}
	learners, err := s.learnersOf(ctx, accountIDs)
	if err != nil {
		return nil, "", err
	}
	out := make([]storage.IssuedOutcome, 0, len(rows))
	for _, r := range rows {
		o, err := r.Outcome.ToDomain()
		if err != nil {
			return nil, "", fmt.Errorf("mongo: %s: %w", what, err)
		}
		l := learners[r.Outcome.AccountID]
		out = append(out, storage.IssuedOutcome{Outcome: o, LearnerName: l.Name, LearnerIDMasked: l.Masked})
	}
	return out, next, nil
}

type learnerFields struct {
	ID     string `bson:"_id"`
	Name   string `bson:"name"`
	Masked string `bson:"nationalIdMasked"`
}

// learnersOf reads the name and masked ID of the accounts a page shows in
// one query: FerretDB v1's $unwind keeps only _id beside the unwound field,
// so the aggregation cannot carry them.
func (s *Store) learnersOf(ctx context.Context, accountIDs []string) (map[string]learnerFields, error) {
	ids := bson.A{}
	for _, id := range accountIDs {
		ids = append(ids, id)
	}
	out := map[string]learnerFields{}
	if len(ids) == 0 {
		return out, nil
	}
	cur, err := s.accounts.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}},
		options.Find().SetProjection(bson.D{{Key: "name", Value: 1}, {Key: "nationalIdMasked", Value: 1}}))
	if err != nil {
		return nil, mapErr("read learner names", err)
	}
	var docs []learnerFields
	if err := cur.All(ctx, &docs); err != nil {
		return nil, mapErr("read learner names", err)
	}
	for _, d := range docs {
		out[d.ID] = d
	}
	return out, nil
}
