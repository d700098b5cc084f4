package mongo

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// indexSpec is one secondary index. Every primary lookup is on _id, which
// needs none: account and institution IDs, idempotency keys, refresh-token
// hashes, signing-key IDs and audit sequence numbers are all _id.
type indexSpec struct {
	coll   string
	name   string
	keys   bson.D
	unique bool
}

var indexes = []indexSpec{
	// One account per person: the HMAC of the national ID.
	{collAccounts, "nationalIdHash_unique", bson.D{{Key: "nationalIdHash", Value: 1}}, true},
	// Multikey: every account holding an outcome of issuer X ("outcomes by issuer").
	{collAccounts, "issuerIds", bson.D{{Key: "issuerIds", Value: 1}}, false},
	// An institution's import history, newest first.
	{collImportJobs, "institutionId", bson.D{{Key: "institutionId", Value: 1}, {Key: "_id", Value: -1}}, false},
	// Multikey "<institutionId>:<status>": the review queues. A derived array
	// instead of an index on conversions.institutionId+status because FerretDB
	// v1 cannot $elemMatch on two fields; one string key is exact on both.
	{collAccounts, "queueKeys", bson.D{{Key: "queueKeys", Value: 1}}, false},
	// Multikey: institutions holding a grant ("records shared with X").
	{collAccounts, "grantInstitutionIds", bson.D{{Key: "grantInstitutionIds", Value: 1}}, false},
	// Multikey: helpers named by the learner ("accounts I assist").
	{collAccounts, "helperIds", bson.D{{Key: "helperIds", Value: 1}}, false},
	// Multikey on array sub-fields: revocations arrive with an outcome id and
	// decisions with a conversion id. Not unique: a unique index would treat
	// every account without outcomes as a duplicate missing (null) key.
	{collAccounts, "outcomes_id", bson.D{{Key: "outcomes.id", Value: 1}}, false},
	{collAccounts, "conversions_id", bson.D{{Key: "conversions.id", Value: 1}}, false},
	{collUsers, "username_unique", bson.D{{Key: "username", Value: 1}}, true},
	{collClients, "clientId_unique", bson.D{{Key: "clientId", Value: 1}}, true},
	{collRefreshTokens, "familyId", bson.D{{Key: "familyId", Value: 1}}, false},
	{collRules, "code_version_unique", bson.D{{Key: "code", Value: 1}, {Key: "version", Value: 1}}, true},
	{collRules, "institutionId", bson.D{{Key: "institutionId", Value: 1}}, false},
	// A starting process removes its instance's earlier epochs.
	{collEpochs, "instance", bson.D{{Key: "instance", Value: 1}}, false},
	// Course catalogues: a code is unique per institution; the public search
	// filters by category (the institution filter uses the unique index).
	{collCourses, "institutionId_code_unique", bson.D{{Key: "institutionId", Value: 1}, {Key: "code", Value: 1}}, true},
	{collCourses, "category", bson.D{{Key: "category", Value: 1}}, false},
	// One status list position per outcome (the position itself is _id).
	{collStatusIndexes, "outcomeId_unique", bson.D{{Key: "outcomeId", Value: 1}}, true},
}

// ensureIndexes creates the missing indexes at every start-up.
//
// It lists the existing index names first and asks only for the missing
// ones: FerretDB v1.24 panics (dropping the connection) when createIndexes
// names indexes that already exist, and on MongoDB skipping them saves a
// round of index validation per start. An existing index of the same name is
// trusted as is; changing an index's definition needs a new name.
func (s *Store) ensureIndexes(ctx context.Context) error {
	byColl := map[string][]mongo.IndexModel{}
	var order []string
	for _, ix := range indexes {
		if _, ok := byColl[ix.coll]; !ok {
			order = append(order, ix.coll)
			byColl[ix.coll] = nil
		}
		o := options.Index().SetName(ix.name)
		if ix.unique {
			o.SetUnique(true)
		}
		byColl[ix.coll] = append(byColl[ix.coll], mongo.IndexModel{Keys: ix.keys, Options: o})
	}
	for _, c := range order {
		have, err := indexNames(ctx, s.db.Collection(c))
		if err != nil {
			return fmt.Errorf("mongo: list indexes of %s: %w", c, err)
		}
		var missing []mongo.IndexModel
		for _, m := range byColl[c] {
			if !have[*m.Options.Name] {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if _, err := s.db.Collection(c).Indexes().CreateMany(ctx, missing); err != nil {
			return fmt.Errorf("mongo: create indexes on %s: %w", c, err)
		}
	}
	return nil
}

// indexNames lists a collection's index names; a collection that does not
// exist yet has none.
func indexNames(ctx context.Context, c *mongo.Collection) (map[string]bool, error) {
	cur, err := c.Indexes().List(ctx)
	if err != nil {
		var ce mongo.CommandError
		if errors.As(err, &ce) && ce.Code == codeNamespaceNotFound {
			return map[string]bool{}, nil
		}
		return nil, err
	}
	var specs []struct {
		Name string `bson:"name"`
	}
	if err := cur.All(ctx, &specs); err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(specs))
	for _, sp := range specs {
		out[sp.Name] = true
	}
	return out, nil
}

// codeNamespaceNotFound is the server error for listIndexes on a collection
// that does not exist (MongoDB and FerretDB alike).
const codeNamespaceNotFound = 26
