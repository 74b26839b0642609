// Package storetest gives tests a fresh store on each engine (Engines) and holds the
// suite every engine must pass (Run).
package storetest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
)

// PostgresEnv names the variable holding the address of a PostgreSQL server the tests may
// create databases on (postgres://user@host:port/db); unset, the PostgreSQL cases skip.
const PostgresEnv = "PERMITLINE_TEST_POSTGRES"

// Engine opens fresh stores of one engine.
type Engine struct {
	Name string
	// Open returns a new empty, migrated store, closed at the test's end.
	Open func(t testing.TB) domain.Store
	// Address returns the address of a new empty database (a file path or a postgres://
	// address), dropped at the test's end; a store opened on it migrates it.
	Address func(t testing.TB) string
}

// SQLite is the engine of a file in the test's temp dir.
var SQLite = Engine{
	Name: "sqlite",
	Open: func(t testing.TB) domain.Store {
		t.Helper()
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "permitline.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	},
	Address: func(t testing.TB) string { return filepath.Join(t.TempDir(), "permitline.db") },
}

// Postgres is the engine of a fresh database on the server at PostgresEnv; its cases
// skip when that is unset.
var Postgres = Engine{
	Name: "postgres",
	Open: func(t testing.TB) domain.Store {
		t.Helper()
		return OpenPostgres(t, PostgresDatabase(t))
	},
	Address: func(t testing.TB) string { return PostgresDatabase(t) },
}

// Engines runs fn once for each engine as a subtest named after it.
func Engines(t *testing.T, fn func(t *testing.T, e Engine)) {
	t.Helper()
	for _, e := range []Engine{SQLite, Postgres} {
		t.Run(e.Name, func(t *testing.T) { fn(t, e) })
	}
}

// OpenPostgres opens a store on the database at addr, closed at the test's end: two opened
// on one database are two nodes.
func OpenPostgres(t testing.TB, addr string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
	databases    atomic.Int64
	createMu     sync.Mutex
)

// PostgresDatabase creates an empty migrated database, copied from a template database
// migrated once (named by the migrations' contents, so kept across runs), and returns its
// address; it is dropped at the test's end. It skips the test when PostgresEnv is unset.
func PostgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("%s is not set: no PostgreSQL server to test on", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(admin, base) })
	if templateErr != nil {
		t.Fatalf("preparing the template database: %v", templateErr)
	}
	name := fmt.Sprintf("permitline_test_%d_%d", os.Getpid(), databases.Add(1))
	ctx := context.Background()
	createMu.Lock()
	_, err = admin.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE `+templateName)
	createMu.Unlock()
	if err != nil {
		t.Fatalf("creating database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if err := dropDatabase(ctx, admin, name); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	return withDatabase(t, base, name)
}

// makeTemplate creates and migrates the template database unless it is there, under an
// advisory lock so that test processes running at once make it once.
func makeTemplate(admin *sql.DB, base string) (string, error) {
	ctx := context.Background()
	sum := sha256.New()
	if err := postgres.Migrations(func(name string, body []byte) { sum.Write([]byte(name)); sum.Write(body) }); err != nil {
		return "", err
	}
	name := "permitline_template_" + hex.EncodeToString(sum.Sum(nil))[:16]
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7468)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7468)`) //nolint:errcheck // released with the session too
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		return "", err
	}
	if n > 0 {
		return name, nil
	}
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building+` TEMPLATE template0`); err != nil {
		return "", err
	}
	s, err := postgres.Open(ctx, withDatabase(nil, base, building))
	if err != nil {
		return "", err
	}
	s.Close()
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

// withDatabase is the address base with its database replaced by name.
func withDatabase(t testing.TB, base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		if t != nil {
			t.Fatalf("%s: %v", PostgresEnv, err)
		}
		return base
	}
	u.Path = "/" + name
	return u.String()
}

// dropDatabase drops the database name, ending the sessions still on it. An autovacuum
// worker on the database has no role the test's may signal, so FORCE refuses to end it
// (42501) while a plain DROP would have stopped it: a few tries, a moment apart, see it
// gone.
func dropDatabase(ctx context.Context, admin *sql.DB, name string) error {
	for try := 1; ; try++ {
		_, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		var pe *pgconn.PgError
		if err == nil || try == 50 || !errors.As(err, &pe) || pe.Code != "42501" {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
