// Package postgres is the domain store on PostgreSQL (jackc/pgx through database/sql), for
// a line run on more than one node. Each Update holds one advisory lock that every node's
// Updates take, so they run one at a time, as on SQLite's single writer, and the rules the
// domain checks inside one hold across nodes. Each View is a read-only REPEATABLE READ
// transaction: one snapshot.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"permitline/domain"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the pg_advisory_lock key under which nodes migrate, one at a time.
const migrationLock = 0x7065726d69746c // "permitl"

// maxAttempts bounds how often an Update runs when it keeps losing to others.
const maxAttempts = 20

// Store is a domain.Store on one PostgreSQL database.
type Store struct {
	pool    *pgxpool.Pool
	db      *sql.DB
	retried atomic.Int64 // Updates run again after PostgreSQL refused them
}

// Retried returns how many times an Update was run again after PostgreSQL refused its
// transaction (a serialisation failure or a deadlock) since the store was opened.
func (s *Store) Retried() int64 { return s.retried.Load() }

var _ domain.Store = (*Store)(nil)

// IsAddress reports whether dsn names a PostgreSQL database (postgres:// or postgresql://).
func IsAddress(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to the database at dsn (a postgres:// address; pool_max_conns sets the
// pool's size) and applies pending migrations.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parsing the database address: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", cfg.ConnConfig.Host, err)
	}
	s := &Store{pool: pool, db: stdlib.OpenDBFromPool(pool)}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("migrating %s/%s: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return s, nil
}

// Close closes the pool.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// View runs fn in a read-only REPEATABLE READ transaction: every read sees one snapshot.
func (s *Store) View(ctx context.Context, fn func(domain.Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// As on SQLite, a View once begun runs its reads to their end: each is short, and a
	// snapshot never waits for a lock.
	ctx = context.WithoutCancel(ctx)
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(&q{ctx: ctx, db: &rebinder{tx: tx}})
}

// Update runs fn in one transaction and commits it when fn returns nil. Every Update, on
// every node, first takes one advisory lock (writerLock), so Updates run one at a time.
// The transaction is READ COMMITTED, and that is what makes the lock enough: each of its
// statements reads what was committed when it ran, so after the lock is granted it sees
// every earlier Update's writes, and no other Update writes meanwhile. (A REPEATABLE READ
// or SERIALIZABLE transaction would take its snapshot at its first statement, the lock's,
// before the wait: it would read past what the Updates ahead of it in the queue went on
// to commit, and SERIALIZABLE would then refuse it, over and over, under a race for one
// permit.) Should PostgreSQL still refuse a transaction for a serialisation failure or a
// deadlock, nothing of it was written, and fn runs again on a new transaction, up to
// maxAttempts times: fn must keep no effect of a run outside the transaction.
func (s *Store) Update(ctx context.Context, fn func(domain.Tx) error) error {
	return s.retrying(ctx, fn, beginWriter)
}

// SaveSteps runs fn, which only saves conversations (at the version each was read at)
// and inserts step replies (once each), under the writer lock shared: beside other
// SaveSteps, on every node, never beside an Update. Most of a call's steps only read,
// and their saves are most of the line's writes, so they no longer queue one by one for
// the lock, and their commits' WAL flushes are made together.
func (s *Store) SaveSteps(ctx context.Context, fn func(domain.Tx) error) error {
	return s.retrying(ctx, fn, beginSaver)
}

var _ domain.StepSaver = (*Store)(nil)

func (s *Store) retrying(ctx context.Context, fn func(domain.Tx) error, begin string) error {
	for attempt := 1; ; attempt++ {
		err := s.update(ctx, fn, begin)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		s.retried.Add(1)
		// A short random wait, growing, so that the Updates that collided do not collide again.
		wait := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt, 6)))
		select {
		case <-ctx.Done():
			return fmt.Errorf("retrying an update: %w", ctx.Err())
		case <-time.After(wait):
		}
	}
}

// writerLock is the advisory lock every Update holds ("permit" in ASCII); the migrations'
// lock is another.
const writerLock int64 = 0x7065726d6974

// The statements that begin a write transaction and take the writer lock, sent as one
// (simple protocol: no arguments), so that beginning costs one round trip, not two. The
// line's writes run one at a time across every node, as SQLite's one writer runs them
// on one: each rule reads wide (a permit year's purchases, a permit's visits, a once-only
// key), so row locks would have to cover ranges, and SERIALIZABLE's checks would refuse
// sixty Updates racing for one permit over and over. The lock is the transaction's and
// ends with it.
var (
	beginWriter = fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d)", writerLock)
	beginSaver  = fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock_shared(%d)", writerLock)
)

func (s *Store) update(ctx context.Context, fn func(domain.Tx) error, begin string) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting for an update: %w", err)
	}
	// A connection given back with its transaction still open (a failed ROLLBACK) is
	// closed by the pool, not used again.
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("beginning update, waiting for the writer's lock: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	rb := &rebinder{tx: conn}
	if err := fn(&wtx{q{ctx: ctx, db: rb}}); err != nil {
		if rb.lost != nil {
			return rb.lost // fn saw the refusal as some error of its own: run it again
		}
		return err
	}
	if rb.lost != nil {
		return rb.lost
	}
	// COMMIT of a transaction a statement aborted answers ROLLBACK, not an error.
	err = conn.Raw(func(dc any) error {
		tag, err := dc.(*stdlib.Conn).Conn().Exec(ctx, "COMMIT")
		if err == nil && tag.String() != "COMMIT" {
			err = fmt.Errorf("the transaction was rolled back (%s)", tag)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("committing: %w", err)
	}
	committed = true
	return nil
}

// retryable reports whether err is PostgreSQL refusing a transaction that may succeed if
// run again: a serialisation failure (40001) or a deadlock (40P01).
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// isUnique reports whether err is a unique constraint refusing a row (23505).
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// Version returns the schema version applied.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// migrate applies, in order, the embedded migrations not yet recorded in
// schema_migrations, holding an advisory lock on one connection meanwhile, so that two
// nodes starting at once migrate one after the other. Forward-only, as on SQLite.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("taking the migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLock)) //nolint:errcheck // also released when the session ends
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s has no number: %w", base, err)
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		if err := apply(ctx, conn, version, base, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

func apply(ctx context.Context, conn *sql.Conn, version int, name, body string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // committed below when all went well
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, version, name); err != nil {
		return err
	}
	return tx.Commit()
}

// Migrations calls fn with each embedded migration's file name and body, in order.
func Migrations(fn func(name string, body []byte)) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		fn(strings.TrimPrefix(name, "migrations/"), body)
	}
	return nil
}
