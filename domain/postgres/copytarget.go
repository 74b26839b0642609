package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// SchemaVersion returns the schema version this build migrates a PostgreSQL database to:
// the number of its newest embedded migration.
func SchemaVersion() (int, error) {
	latest := 0
	var bad error
	err := Migrations(func(name string, _ []byte) {
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil && bad == nil {
			bad = fmt.Errorf("migration %s has no number: %w", name, err)
		}
		latest = max(latest, v)
	})
	if err == nil {
		err = bad
	}
	return latest, err
}

// WithConn runs fn on one connection of the store's pool, as pgx's own connection (for
// COPY), and gives it back after. It is for writing a store whole (a copy from another
// engine), not for the line's work, which goes through Update.
func (s *Store) WithConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("taking a connection: %w", err)
	}
	defer c.Release()
	return fn(c.Conn())
}
