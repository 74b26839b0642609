// Package storecopy moves a line's store from SQLite to PostgreSQL whole: a council that
// outgrows one node takes its residents, permits, visits and everything else with it.
// The tables are read from the stores' own schemas, not from a list kept here, so a table
// a new migration adds is copied with the rest, and a table or column one engine has and
// the other lacks stops the copy before it starts. The source is read on one snapshot;
// the target is written in one transaction (pgx's COPY, table after table in the order
// the foreign keys allow), so a copy that fails leaves the target as it was.
package storecopy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"permitline/domain/postgres"
	"permitline/domain/sqlite"
)

// Count is one table's rows on each side after a copy.
type Count struct {
	Table          string
	Source, Target int64
}

// Report is what a copy did.
type Report struct {
	// Counts holds every table copied, in the order copied.
	Counts []Count
	// Rows is how many rows were written to the target.
	Rows int64
	// Elapsed is the time from the first row read to the commit.
	Elapsed time.Duration
	// Rebuilt is the part of Elapsed spent building the indexes and checking the foreign
	// keys after the rows were in.
	Rebuilt time.Duration
}

// Differences returns the tables whose counts differ between the two sides.
func (r Report) Differences() []Count {
	var out []Count
	for _, c := range r.Counts {
		if c.Source != c.Target {
			out = append(out, c)
		}
	}
	return out
}

// NotEmptyError refuses a target that already holds rows: a copy starts an empty store, it
// never merges two.
type NotEmptyError struct{ Table string }

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("the target database is not empty: its table %s holds rows", e.Table)
}

// VersionError refuses a store whose schema is not at the version this build knows.
type VersionError struct {
	Engine      string
	Have, Want  int
	Description string // which store: "the source", "the target"
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("%s (%s) is at schema version %d; this permitline's is %d", e.Description, e.Engine, e.Have, e.Want)
}

// SchemaError refuses two stores whose tables or columns differ.
type SchemaError struct{ Problems []string }

func (e *SchemaError) Error() string {
	return "the two engines' schemas differ: " + strings.Join(e.Problems, "; ")
}

// ErrVersion, ErrNotEmpty and ErrSchema are matched by errors.Is on the refusals above.
var (
	ErrVersion  = errors.New("schema version differs")
	ErrNotEmpty = errors.New("target not empty")
	ErrSchema   = errors.New("schemas differ")
)

func (e *VersionError) Is(target error) bool  { return target == ErrVersion }
func (e *NotEmptyError) Is(target error) bool { return target == ErrNotEmpty }
func (e *SchemaError) Is(target error) bool   { return target == ErrSchema }

// SQLiteToPostgres copies every table of src into dst, which must hold no row, and counts
// both sides after the commit. Both stores are open (and so migrated); each must be at
// this build's schema version. A line may go on running on src meanwhile: the copy is of
// one snapshot, and what is written after it is not moved. Nothing may run on dst: its
// tables are locked for the copy.
func SQLiteToPostgres(ctx context.Context, src *sqlite.Store, dst *postgres.Store) (Report, error) {
	if err := versions(ctx, src, dst); err != nil {
		return Report{}, err
	}
	var rep Report
	err := src.ReadWhole(ctx, func(stx *sql.Tx) error {
		return dst.WithConn(ctx, func(conn *pgx.Conn) error {
			start := time.Now()
			tables, err := copyAll(ctx, stx, conn, &rep)
			if err != nil {
				return err
			}
			rep.Elapsed = time.Since(start)
			return countAll(ctx, stx, conn, tables, &rep)
		})
	})
	return rep, err
}

// versions checks that both stores are at this build's schema version: a source written
// by a newer permitline holds what this one cannot know how to copy.
func versions(ctx context.Context, src *sqlite.Store, dst *postgres.Store) error {
	want, err := sqlite.SchemaVersion()
	if err != nil {
		return err
	}
	have, err := src.Version(ctx)
	if err != nil {
		return fmt.Errorf("reading the source's schema version: %w", err)
	}
	if have != want {
		return &VersionError{Engine: "sqlite", Have: have, Want: want, Description: "the source"}
	}
	if want, err = postgres.SchemaVersion(); err != nil {
		return err
	}
	if have, err = dst.Version(ctx); err != nil {
		return fmt.Errorf("reading the target's schema version: %w", err)
	}
	if have != want {
		return &VersionError{Engine: "postgres", Have: have, Want: want, Description: "the target"}
	}
	return nil
}

// copyAll writes every table of the snapshot stx into the target in one transaction.
func copyAll(ctx context.Context, stx *sql.Tx, conn *pgx.Conn, rep *Report) ([]table, error) {
	srcTables, err := sqliteTables(ctx, stx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("beginning the copy: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // committed below when all went well
	dstTables, err := postgresTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	tables, err := match(srcTables, dstTables)
	if err != nil {
		return nil, err
	}
	if err := registerTypes(ctx, tx, conn); err != nil {
		return nil, err
	}
	// Nothing else writes the target while it is filled, and no row arrives between the
	// check that it is empty and the commit.
	names := make([]string, len(tables))
	for i, t := range tables {
		names[i] = pgx.Identifier{t.name}.Sanitize()
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE `+strings.Join(names, ", ")+` IN ACCESS EXCLUSIVE MODE`); err != nil {
		return nil, fmt.Errorf("locking the target's tables: %w", err)
	}
	for i, t := range tables {
		var held bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+names[i]+`)`).Scan(&held); err != nil {
			return nil, fmt.Errorf("looking into the target's %s: %w", t.name, err)
		}
		if held {
			return nil, &NotEmptyError{Table: t.name}
		}
	}
	// The indexes set aside are built again at the end, each by one sort.
	if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
		return nil, err
	}
	restore, err := setAside(ctx, tx)
	if err != nil {
		return nil, err
	}
	for i, t := range tables {
		n, err := copyTable(ctx, stx, tx, t, srcTables[t.name])
		if err != nil {
			return nil, fmt.Errorf("copying %s: %w", t.name, err)
		}
		rep.Rows += n
		if err := setSequences(ctx, tx, t, names[i]); err != nil {
			return nil, fmt.Errorf("setting the ids of %s: %w", t.name, err)
		}
	}
	// Built once from the rows, as a sort and a join rather than row by row: checked the
	// same, and the copy fails here if a row breaks one.
	rebuild := time.Now()
	for _, stmt := range restore {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("restoring %q after the copy: %w", stmt, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("committing the copy: %w", err)
	}
	rep.Rebuilt = time.Since(rebuild)
	return tables, nil
}

// setAside drops, inside the copy's transaction, the target's foreign keys, primary keys,
// unique constraints and other indexes, and returns the statements that make them again,
// read from the catalogue (so a migration's new ones are included). A million visits
// COPYed with their three foreign keys checked and six indexes kept up row by row take
// many times longer than the same rows with each index built after by one sort and each
// key checked once by a join; a duplicate or an orphan is refused then as it would have
// been row by row. The tables are locked, and the transaction ends with all of it back
// or none of the copy.
func setAside(ctx context.Context, tx pgx.Tx) ([]string, error) {
	var dropKeys, dropForeign, keys, foreign []string
	rows, err := tx.Query(ctx, `SELECT k.conname, k.contype = 'f', t.relname, pg_get_constraintdef(k.oid)
		FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
		WHERE k.contype IN ('f', 'p', 'u') AND t.relnamespace = current_schema()::regnamespace AND t.relname <> $1
		ORDER BY t.relname, k.conname`, migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("reading the target's keys: %w", err)
	}
	for rows.Next() {
		var name, tbl, def string
		var isForeign bool
		if err := rows.Scan(&name, &isForeign, &tbl, &def); err != nil {
			rows.Close()
			return nil, err
		}
		t, n := pgx.Identifier{tbl}.Sanitize(), pgx.Identifier{name}.Sanitize()
		drop, add := `ALTER TABLE `+t+` DROP CONSTRAINT `+n, `ALTER TABLE `+t+` ADD CONSTRAINT `+n+` `+def
		if isForeign {
			dropForeign, foreign = append(dropForeign, drop), append(foreign, add)
		} else {
			dropKeys, keys = append(dropKeys, drop), append(keys, add)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// A foreign key needs the key it names: dropped before it, made after it.
	drop := append(dropForeign, dropKeys...)
	rows, err = tx.Query(ctx, `SELECT i.relname, pg_get_indexdef(i.oid)
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
		WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> $1
		AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
		ORDER BY t.relname, i.relname`, migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("reading the target's indexes: %w", err)
	}
	var indexes []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, err
		}
		drop = append(drop, `DROP INDEX `+pgx.Identifier{name}.Sanitize())
		indexes = append(indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, stmt := range drop {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("setting aside %q for the copy: %w", stmt, err)
		}
	}
	// The keys and indexes first: a foreign key is checked faster with them in place.
	return append(append(keys, indexes...), foreign...), nil
}

// registerTypes teaches the connection the extension types the schema uses (CITEXT), which
// pgx does not know: a CITEXT value travels as TEXT does.
func registerTypes(ctx context.Context, tx pgx.Tx, conn *pgx.Conn) error {
	var oid uint32
	err := tx.QueryRow(ctx, `SELECT oid FROM pg_type WHERE typname = 'citext'`).Scan(&oid)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking up citext: %w", err)
	}
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "citext", OID: oid, Codec: pgtype.TextCodec{}})
	return nil
}

// copyTable streams one table from the snapshot into the target with COPY.
func copyTable(ctx context.Context, stx *sql.Tx, tx pgx.Tx, t table, src table) (int64, error) {
	srcKinds := map[string]kind{}
	for _, c := range src.cols {
		srcKinds[c.name] = c.kind
	}
	cols := make([]string, len(t.cols))
	quoted := make([]string, len(t.cols))
	convs := make([]convert, len(t.cols))
	for i, c := range t.cols {
		cols[i] = c.name
		quoted[i] = `"` + strings.ReplaceAll(c.name, `"`, `""`) + `"`
		convs[i] = converter(srcKinds[c.name], c.kind)
	}
	rows, err := stx.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM "`+strings.ReplaceAll(t.name, `"`, `""`)+`"`)
	if err != nil {
		return 0, fmt.Errorf("reading: %w", err)
	}
	defer rows.Close()
	rs := &rowSource{rows: rows, table: t, convs: convs, scanned: make([]any, len(cols)),
		ptrs: make([]any, len(cols)), out: make([]any, len(cols))}
	for i := range rs.scanned {
		rs.ptrs[i] = &rs.scanned[i]
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, cols, rs)
	if rs.err != nil {
		return n, rs.err // the row that could not be carried, rather than COPY's view of it
	}
	return n, err
}

// setSequences sets each identity column's sequence past the largest id copied, so the
// line's next insert takes the next id rather than one already held.
func setSequences(ctx context.Context, tx pgx.Tx, t table, quotedName string) error {
	for _, c := range t.cols {
		if !c.identity {
			continue
		}
		col := pgx.Identifier{c.name}.Sanitize()
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2),
			COALESCE((SELECT MAX(`+col+`) FROM `+quotedName+`), 0) + 1, false)`, quotedName, c.name); err != nil {
			return err
		}
	}
	return nil
}

// countAll counts every table on both sides: the source on the snapshot copied, the
// target as committed.
func countAll(ctx context.Context, stx *sql.Tx, conn *pgx.Conn, tables []table, rep *Report) error {
	for _, t := range tables {
		c := Count{Table: t.name}
		if err := stx.QueryRowContext(ctx, `SELECT COUNT(*) FROM "`+strings.ReplaceAll(t.name, `"`, `""`)+`"`).Scan(&c.Source); err != nil {
			return fmt.Errorf("counting the source's %s: %w", t.name, err)
		}
		if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM `+pgx.Identifier{t.name}.Sanitize()).Scan(&c.Target); err != nil {
			return fmt.Errorf("counting the target's %s: %w", t.name, err)
		}
		rep.Counts = append(rep.Counts, c)
	}
	return nil
}

// rowSource feeds COPY the snapshot's rows of one table, each value converted to the
// target column's kind.
type rowSource struct {
	rows    *sql.Rows
	table   table
	convs   []convert
	scanned []any
	ptrs    []any
	out     []any
	n       int64
	err     error
}

func (r *rowSource) Next() bool {
	if r.err != nil || !r.rows.Next() {
		return false
	}
	r.n++
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = fmt.Errorf("reading row %d: %w", r.n, err)
		return false
	}
	for i, v := range r.scanned {
		out, err := r.convs[i](v)
		if err != nil {
			r.err = fmt.Errorf("row %d, column %s: %w", r.n, r.table.cols[i].name, err)
			return false
		}
		r.out[i] = out
	}
	return true
}

func (r *rowSource) Values() ([]any, error) { return r.out, nil }

func (r *rowSource) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// convert turns a value as SQLite's driver gives it (int64, string, []byte or nil) into
// one for a PostgreSQL column.
type convert func(any) (any, error)

// converter returns the conversion from a SQLite column of kind from to a PostgreSQL
// column of kind to. NULL stays NULL; the column's constraints decide whether it may be.
func converter(from, to kind) convert {
	switch to {
	case kindInt:
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, int64:
				return v, nil
			}
			return nil, fmt.Errorf("not an integer")
		}
	case kindBool:
		return func(v any) (any, error) {
			switch v {
			case nil:
				return nil, nil
			case int64(0):
				return false, nil
			case int64(1):
				return true, nil
			}
			return nil, fmt.Errorf("not a flag (0 or 1)")
		}
	case kindText:
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil:
				return nil, nil
			case string:
				return v, nil
			case []byte:
				if !utf8.Valid(v) {
					return nil, fmt.Errorf("not UTF-8 text")
				}
				return string(v), nil
			}
			return nil, fmt.Errorf("not text")
		}
	case kindBlob:
		return func(v any) (any, error) {
			switch v := v.(type) {
			case nil, []byte:
				return v, nil
			case string:
				return []byte(v), nil
			}
			return nil, fmt.Errorf("not bytes")
		}
	}
	return func(any) (any, error) { return nil, fmt.Errorf("no conversion from %s to %s", from, to) }
}
