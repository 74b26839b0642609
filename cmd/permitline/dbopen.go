package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
)

// store is what the commands need of a store on either engine.
type store interface {
	domain.Store
	// Version returns the schema version applied.
	Version(ctx context.Context) (int, error)
	// Engine names the engine: "sqlite" or "postgres".
	Engine() string
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
}

// sqliteStore is a SQLite store as the commands see it.
type sqliteStore struct{ *sqlite.Store }

func (sqliteStore) Engine() string { return "sqlite" }

// Ping reads the schema version: the store answers when a read does.
func (s sqliteStore) Ping(ctx context.Context) error { _, err := s.Version(ctx); return err }

// postgresStore is a PostgreSQL store as the commands see it.
type postgresStore struct{ *postgres.Store }

func (postgresStore) Engine() string { return "postgres" }

// onPostgres reports whether --db (or PERMITLINE_DB) names a PostgreSQL database.
func (e *env) onPostgres() bool { return postgres.IsAddress(e.dbPath) }

// sqliteOnly refuses a command that works on a SQLite file only when --db names a
// PostgreSQL database.
func (e *env) sqliteOnly(what string) error {
	if e.onPostgres() {
		return usageErr("%s works on a SQLite database file only; give --db a file path", what)
	}
	return nil
}

// dbName is --db as it may be shown and logged: a PostgreSQL address without its password.
func (e *env) dbName() string {
	if !e.onPostgres() {
		return e.dbPath
	}
	u, err := url.Parse(e.dbPath)
	if err != nil {
		return "postgres://(an address that does not parse)"
	}
	return u.Redacted()
}

// createsDatabase reports whether a command may create the database: only `migrate` and
// `demo` do. Every other command, the server first, opens one that is already there, so a
// mistyped --db, a file emptied by a bad restore or another program's database is never
// silently made into an empty service where every caller is told they are not registered.
// (A PostgreSQL database is created by its administrator; opening it applies migrations.)
func createsDatabase(command string) bool {
	switch command {
	case "migrate", "demo":
		return true
	}
	return false
}

// openStore opens the command's database: PostgreSQL when --db is a postgres:// or
// postgresql:// address, else a SQLite file (see createsDatabase); an existing file is
// checked first (sqlite.OpenExisting), with what the operator should do when it is refused.
func (e *env) openStore(ctx context.Context, sync sqlite.Sync) (store, error) {
	if e.onPostgres() {
		s, err := postgres.Open(ctx, e.dbPath)
		if err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL database %s: %w", e.dbName(), err)
		}
		return postgresStore{s}, nil
	}
	if createsDatabase(e.command) {
		s, err := sqlite.OpenSync(ctx, e.dbPath, sync)
		if errors.Is(err, sqlite.ErrNotPermitline) {
			return nil, fmt.Errorf("%w; give --db (or PERMITLINE_DB) a new file for a new database", err)
		}
		if err != nil {
			return nil, err
		}
		return sqliteStore{s}, nil
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
	case err != nil:
		return nil, err
	}
	return sqliteStore{s}, nil
}
