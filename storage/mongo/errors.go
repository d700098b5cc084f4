package mongo

import (
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/mongo"

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
