package mongo_test

import (
	"testing"

	"creditbank/storage"
	"creditbank/storage/mongo/ferrettest"
	"creditbank/storage/storetest"
)

// TestContract runs the storage contract on every target, each subtest on
// its own fresh database, so the subtest names line up with the SQLite
// adapter's TestContract output.
func TestContract(t *testing.T) {
	eachTarget(t, func(t *testing.T, target ferrettest.Target) {
		storetest.Run(t, func(t *testing.T) storage.Store { return openStore(t, target) })
	})
}
