package ferrettest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"creditbank/storage/mongo/ferrettest"
)

func TestMain(m *testing.M) { ferrettest.Main(m) }

func TestServerAnswersAndDatabasesAreIsolated(t *testing.T) {
	for _, target := range ferrettest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			c, err := mongo.Connect(ctx, options.Client().ApplyURI(target.URI))
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			t.Cleanup(func() { _ = c.Disconnect(context.Background()) })

			a, b := ferrettest.DatabaseName(t), ferrettest.DatabaseName(t)
			if a == b {
				t.Fatalf("two database names are equal: %q", a)
			}
			if len(a) > 63 || strings.ContainsAny(a, "/\\. \"$") {
				t.Fatalf("database name %q is not valid for MongoDB", a)
			}
			if _, err := c.Database(a).Collection("x").InsertOne(ctx, bson.M{"_id": "k", "v": 1}); err != nil {
				t.Fatalf("insert: %v", err)
			}
			n, err := c.Database(b).Collection("x").CountDocuments(ctx, bson.M{})
			if err != nil {
				t.Fatalf("count: %v", err)
			}
			if n != 0 {
				t.Fatalf("database %s sees %d documents written to %s", b, n, a)
			}
			var got struct{ V int }
			if err := c.Database(a).Collection("x").FindOne(ctx, bson.M{"_id": "k"}).Decode(&got); err != nil || got.V != 1 {
				t.Fatalf("read back: %+v, %v", got, err)
			}
		})
	}
}
