// Package sqlite is the domain store on SQLite (modernc.org/sqlite, no cgo). It is the
// only package that imports the driver, with its test helpers (sqlitetest). Writes go
// through one connection, owned by one goroutine that commits Updates in groups
// (writer.go), so each Update is serialised against every other; reads use a pool. Bulk
// writes a big store's past fast (bulk.go), and Ledger reads its books whole (ledger.go).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"permitline/domain"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a domain.Store on one SQLite database file.
type Store struct {
	writeDB *sql.DB // one connection, owned by the writer goroutine once open
	read    *sql.DB
	stmts   *stmtCache // statements of the write connection, kept prepared
	// readStmts are the read pool's, prepared on each connection as it first runs them.
	readStmts *stmtCache

	jobs        chan *job     // Updates waiting for the writer
	stop        chan struct{} // closed by Close
	stopped     chan struct{} // closed by the writer on its way out
	ckpt        *sql.DB       // one connection, for checkpoints (checkpoint.go)
	ckptStopped chan struct{} // closed by the checkpointer on its way out
	closeOnce   sync.Once
	groups      atomic.Int64 // for WriterStats
	updates     atomic.Int64
	waiting     atomic.Int64 // Updates not yet returned, for WriterQueue
}

var _ domain.Store = (*Store)(nil)

// Sync is how hard a commit waits for the disk (SQLite's synchronous setting).
type Sync string

// The settings a store may use.
const (
	// SyncNormal, with WAL, loses nothing committed when the process dies (even by
	// SIGKILL); a power cut or an operating-system crash may roll back the last commits.
	// A commit costs about a third of SyncFull's.
	SyncNormal Sync = "NORMAL"
	// SyncFull waits for the disk at every commit: nothing committed is lost to a power cut.
	SyncFull Sync = "FULL"
)

// Open opens (creating if need be) the database at path with SyncNormal and applies
// pending migrations. A file that holds something else than a permitline database is
// refused (ErrNotPermitline); a missing or empty one becomes a new database.
func Open(ctx context.Context, path string) (*Store, error) { return OpenSync(ctx, path, SyncNormal) }

// OpenSync is Open with a chosen Sync.
func OpenSync(ctx context.Context, path string, sync Sync) (*Store, error) {
	if sync != SyncNormal && sync != SyncFull {
		return nil, fmt.Errorf("synchronous %q is not NORMAL or FULL", sync)
	}
	// busy_timeout first, so the other pragmas wait for a lock rather than fail.
	// A 32 MiB page cache a connection (SQLite's default is 2 MiB) keeps the upper levels
	// of a large store's B-trees in memory, so a lookup costs the same on a million visits.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)&_pragma=synchronous(" +
		string(sync) + ")&_pragma=cache_size(-32768)"
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		if err := check(ctx, path, false); err != nil {
			return nil, err
		}
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath()
	write, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	s := &Store{writeDB: write, stmts: &stmtCache{db: write}, jobs: make(chan *job),
		stop: make(chan struct{}), stopped: make(chan struct{}), ckptStopped: make(chan struct{})}
	if err := s.migrate(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrating %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", base+"?"+pragmas+"&_pragma=query_only(ON)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("opening %s for reading: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	s.read = read
	s.readStmts = &stmtCache{db: read}
	ckpt, err := sql.Open("sqlite", base+"?"+pragmas)
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("opening %s for checkpoints: %w", path, err)
	}
	ckpt.SetMaxOpenConns(1)
	s.ckpt = ckpt
	go s.write()
	go s.checkpoint()
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.stopped
	<-s.ckptStopped
	s.stmts.close()
	s.readStmts.close()
	return errors.Join(s.read.Close(), s.ckpt.Close(), s.writeDB.Close())
}

// View runs fn in a read-only transaction on the read pool.
func (s *Store) View(ctx context.Context, fn func(domain.Reader) error) error {
	err := s.view(ctx, fn)
	if s.readStmts.pending() {
		s.readStmts.prepareNoted(context.WithoutCancel(ctx)) // once the connection is back in the pool
	}
	return err
}

func (s *Store) view(ctx context.Context, fn func(domain.Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// A read on a WAL snapshot never waits for a lock, and the line's reads are index
	// lookups of well under a millisecond: once started, one runs to its end. Watching the
	// caller's context would cost more than it could save: a goroutine a statement in the
	// driver and one a transaction in database/sql.
	ctx = context.WithoutCancel(ctx)
	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("beginning read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(&q{ctx: ctx, db: preparedTx{tx: tx, cache: s.readStmts}})
}

// Version returns the schema version applied.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.writeDB.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// migrate applies, in order and each in its own transaction, the embedded migrations not
// yet recorded in schema_migrations. Migrations are forward-only: a file once released is
// never edited; a change is a new file.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.writeDB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))`); err != nil {
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
		if err := s.apply(ctx, version, base, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	if err := s.fillAddressKeys(ctx); err != nil {
		return fmt.Errorf("filling address keys: %w", err)
	}
	// The mark that tells a permitline database from any other SQLite file (OpenExisting).
	_, err = s.writeDB.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID))
	return err
}

func (s *Store) apply(ctx context.Context, version int, name, body string) error {
	tx, err := s.writeDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // committed below when all went well
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES (?, ?)`, version, name); err != nil {
		return err
	}
	return tx.Commit()
}
