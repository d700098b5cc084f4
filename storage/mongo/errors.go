package mongo

import (
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/x/mongo/driver/topology"

	"creditbank/domain"
)

// mapErr translates driver errors into the domain vocabulary; what names the
// operation for the message. Duplicate keys (from any unique index including
// _id) are conflicts; a missing document is not-found. The driver's message
// is dropped for conflicts because it quotes the duplicate key, which may be
// a national-ID hash, and error messages reach logs.
func mapErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	case isDuplicateKey(err):
		return fmt.Errorf("%s: %w", what, domain.ErrConflict)
	case isUnavailable(err):
		return fmt.Errorf("mongo: %s: %w: %w", what, domain.ErrUnavailable, err)
	default:
		return fmt.Errorf("mongo: %s: %w", what, err)
	}
}

// isDuplicateKey recognises a unique-index violation. MongoDB reports E11000
// (code 11000) on insert and update alike. FerretDB v1 does so on insert,
// but on update and replace it passes SQLite's failure through as an
// InternalError whose message contains "UNIQUE constraint failed"; that text
// never comes from MongoDB, so matching it changes nothing there.
func isDuplicateKey(err error) bool {
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) && strings.Contains(ce.Message, "UNIQUE constraint failed") {
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) {
		for _, e := range we.WriteErrors {
			if strings.Contains(e.Message, "UNIQUE constraint failed") {
				return true
			}
		}
	}
	return false
}

// unavailableCodes are server errors that say "not now, ask again": the
// member is not (or no longer) a writable primary, is shutting down, or the
// host is unreachable. They are the driver's retryable codes; when its one
// automatic retry also fails, the caller gets a retryable outage.
var unavailableCodes = map[int32]bool{
	6:     true, // HostUnreachable
	7:     true, // HostNotFound
	89:    true, // NetworkTimeout
	91:    true, // ShutdownInProgress
	189:   true, // PrimarySteppedDown
	262:   true, // ExceededTimeLimit
	9001:  true, // SocketException
	10107: true, // NotWritablePrimary
	11600: true, // InterruptedAtShutdown
	11602: true, // InterruptedDueToReplStateChange
	13435: true, // NotPrimaryNoSecondaryOk
	13436: true, // NotPrimaryOrSecondary
}

// isUnavailable recognises a store that cannot answer now: no server
// selectable, a dropped connection, a primary stepping down, or a write
// whose majority acknowledgement did not arrive. In the last two cases the
// write may have been applied; callers must treat the outcome as unknown
// (the account's version compare-and-swap makes a retry safe).
func isUnavailable(err error) bool {
	if errors.Is(err, mongo.ErrClientDisconnected) || errors.Is(err, topology.ErrServerSelectionTimeout) ||
		errors.Is(err, topology.ErrTopologyClosed) || mongo.IsNetworkError(err) {
		return true
	}
	var sse topology.ServerSelectionError
	if errors.As(err, &sse) {
		return true
	}
	var le mongo.LabeledError
	if errors.As(err, &le) && (le.HasErrorLabel("RetryableWriteError") || le.HasErrorLabel("NetworkError")) {
		return true
	}
	var ce mongo.CommandError
	if errors.As(err, &ce) && unavailableCodes[ce.Code] {
		return true
	}
	var we mongo.WriteException
	if errors.As(err, &we) && we.WriteConcernError != nil {
		return true
	}
	var bwe mongo.BulkWriteException
	if errors.As(err, &bwe) && bwe.WriteConcernError != nil {
		return true
	}
	return false
}
