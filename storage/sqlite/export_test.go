package sqlite

// MigrationCount lets the external tests expect the current schema version.
var MigrationCount = len(migrations)
