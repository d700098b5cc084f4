package mongo

import (
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/mongo"

	"creditbank/domain"
)

// mapErr translates driver errors into the domain vocabulary; what names the
// operation for the message. Duplicate keys (E11000, from any unique index
// including _id) are conflicts; a missing document is not-found.
func mapErr(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%s: %w", what, domain.ErrConflict)
	default:
		return fmt.Errorf("mongo: %s: %w", what, err)
	}
}
