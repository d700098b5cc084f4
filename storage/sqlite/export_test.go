package sqlite

// MigrationCount lets the external tests expect the current schema version.
var MigrationCount = len(migrations)

// WithoutAccountCache makes every read decode the stored document and every
// save read the side rows it replaces, as when the cache has evicted them.
func WithoutAccountCache(s *Store) { s.accounts = newAccountCache(0) }
