package ferrettest

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// Raw gives a test direct access to a collection, bypassing the adapter, to
// act as an attacker with database access (tampering, reading raw bytes).
func Raw(t testing.TB, uri, database, collection string) *mongo.Collection {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(uri))
	if err != nil {
		t.Fatalf("raw connect: %v", err)
	}
	t.Cleanup(func() { client.Disconnect(context.Background()) })
	return client.Database(database).Collection(collection)
}

// RawDocuments returns every document of a collection as extended JSON.
func RawDocuments(t testing.TB, c *mongo.Collection) []string {
	t.Helper()
	ctx := context.Background()
	cur, err := c.Find(ctx, bson.D{})
	if err != nil {
		t.Fatalf("raw find: %v", err)
	}
	defer cur.Close(ctx)
	var out []string
	for cur.Next(ctx) {
		js, err := bson.MarshalExtJSON(cur.Current, false, false)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(js))
	}
	return out
}

// SetField overwrites one field of one document.
func SetField(t testing.TB, c *mongo.Collection, id any, field string, value any) {
	t.Helper()
	res, err := c.UpdateOne(context.Background(), bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: field, Value: value}}}})
	if err != nil || res.MatchedCount != 1 {
		t.Fatalf("raw set %s on %v: matched %v, %v", field, id, res, err)
	}
}

// DeleteID removes one document.
func DeleteID(t testing.TB, c *mongo.Collection, id any) {
	t.Helper()
	res, err := c.DeleteOne(context.Background(), bson.D{{Key: "_id", Value: id}})
	if err != nil || res.DeletedCount != 1 {
		t.Fatalf("raw delete %v: %v, %v", id, res, err)
	}
}

// SwapDocuments exchanges the contents of two documents, keeping their ids:
// the two records appear in each other's place.
func SwapDocuments(t testing.TB, c *mongo.Collection, a, b any) {
	t.Helper()
	ctx := context.Background()
	load := func(id any) bson.M {
		var m bson.M
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&m); err != nil {
			t.Fatalf("raw load %v: %v", id, err)
		}
		delete(m, "_id")
		return m
	}
	da, db := load(a), load(b)
	for id, doc := range map[any]bson.M{a: db, b: da} {
		if _, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}}, doc); err != nil {
			t.Fatalf("raw replace %v: %v", id, err)
		}
	}
}
