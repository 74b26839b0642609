package main

import (
	"context"
	"errors"
	"fmt"

	"permitline/domain/sqlite"
)

// createsDatabase reports whether a command may create the database: only `migrate` and
// `demo` do. Every other command, the server first, opens one that is already there, so a
// mistyped --db, a file emptied by a bad restore or another program's database is never
// silently made into an empty service where every caller is told they are not registered.
func createsDatabase(command string) bool {
	switch command {
	case "migrate", "demo":
		return true
	}
	return false
}

// openStore opens the command's database (see createsDatabase); the existing one is
// checked first (sqlite.OpenExisting), with what the operator should do when it is refused.
func (e *env) openStore(ctx context.Context, sync sqlite.Sync) (*sqlite.Store, error) {
	if createsDatabase(e.command) {
		s, err := sqlite.OpenSync(ctx, e.dbPath, sync)
		if errors.Is(err, sqlite.ErrNotPermitline) {
			return nil, fmt.Errorf("%w; give --db (or PERMITLINE_DB) a new file for a new database", err)
		}
		return s, err
	}
	s, err := sqlite.OpenExisting(ctx, e.dbPath, sync)
	switch {
	case errors.Is(err, sqlite.ErrNoDatabase):
		return nil, fmt.Errorf("%w; check --db (or PERMITLINE_DB), or create the database with `permitline migrate --db %s` "+
			"(or try `permitline demo`)", err, e.dbPath)
	case errors.Is(err, sqlite.ErrNotPermitline):
		return nil, fmt.Errorf("%w; check --db (or PERMITLINE_DB): a new database is made with `permitline migrate`", err)
	case errors.Is(err, sqlite.ErrDamaged):
		return nil, fmt.Errorf("%w. Do not run the line on it: stop every permitline process using it, keep the file "+
			"(with its -wal and -shm files) for inspection, restore the latest backup to %s, and start again", err, e.dbPath)
	}
	return s, err
}
