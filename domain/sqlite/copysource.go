package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// SchemaVersion returns the schema version this build migrates a SQLite database to: the
// number of its newest embedded migration.
func SchemaVersion() (int, error) {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(name, "migrations/"), "_", 2)[0])
		if err != nil {
			return 0, fmt.Errorf("migration %s has no number: %w", name, err)
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// ReadWhole runs fn on one read-only transaction of the store's read pool: a single
// snapshot of every table, however long fn reads, while the line may go on writing. It is
// for reading a store whole (a copy to another engine), not for the line's lookups.
func (s *Store) ReadWhole(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(tx)
}
