package mongo_test

import (
	"context"
	"testing"
	"time"

	"creditbank/storage/mongo"
	"creditbank/storage/mongo/ferrettest"
)

func TestMain(m *testing.M) { ferrettest.Main(m) }

// eachTarget runs fn once per server: embedded FerretDB, and a real MongoDB
// when CREDITBANK_TEST_MONGODB_URI is set.
func eachTarget(t *testing.T, fn func(t *testing.T, target ferrettest.Target)) {
	t.Helper()
	for _, target := range ferrettest.Targets(t) {
		t.Run(target.Name, func(t *testing.T) { fn(t, target) })
	}
}

// openStore opens a store on a fresh database of target and drops that
// database when the test ends.
func openStore(t *testing.T, target ferrettest.Target) *mongo.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := mongo.Open(ctx, target.URI, mongo.WithDatabase(ferrettest.DatabaseName(t)))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.DropDatabase(ctx); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}
