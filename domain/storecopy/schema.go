package storecopy

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrationsTable is each engine's record of the migrations it applied: its own, numbered
// apart from the other engine's, so it is never copied.
const migrationsTable = "schema_migrations"

// kind is how a column's values are held, whatever the engine calls its type.
type kind int

const (
	kindInt  kind = iota + 1 // INTEGER on SQLite; BIGINT (or INTEGER, SMALLINT) on PostgreSQL
	kindBool                 // PostgreSQL BOOLEAN, from SQLite's INTEGER 0 or 1
	kindText                 // TEXT; CITEXT on PostgreSQL for SQLite's NOCASE columns
	kindBlob                 // BLOB on SQLite, BYTEA on PostgreSQL
)

func (k kind) String() string {
	switch k {
	case kindInt:
		return "integer"
	case kindBool:
		return "boolean"
	case kindText:
		return "text"
	case kindBlob:
		return "bytes"
	}
	return "unknown"
}

// column is one column of a table on one engine.
type column struct {
	name     string
	declared string // the type as the engine's schema says it
	kind     kind   // 0 when the copy does not know the type
	identity bool   // PostgreSQL: an identity or serial column, whose sequence is set after the copy
}

// table is one table of a store on one engine: its columns in the schema's order and the
// tables its foreign keys name.
type table struct {
	name string
	cols []column
	refs []string
}

// sqliteKind reads a SQLite declared type as SQLite's own affinity rules do.
func sqliteKind(declared string) kind {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return kindInt
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return kindText
	case t == "", strings.Contains(t, "BLOB"):
		return kindBlob
	}
	return 0 // REAL or NUMERIC: no column of the line's schema has one
}

// postgresKind reads a PostgreSQL column type (information_schema's data_type and udt_name).
func postgresKind(dataType, udt string) kind {
	switch dataType {
	case "bigint", "integer", "smallint":
		return kindInt
	case "boolean":
		return kindBool
	case "text", "character varying", "character":
		return kindText
	case "bytea":
		return kindBlob
	case "USER-DEFINED":
		if udt == "citext" {
			return kindText
		}
	}
	return 0
}

// sqliteTables reads the tables of a SQLite store from its own schema, on the snapshot tx.
func sqliteTables(ctx context.Context, tx *sql.Tx) (map[string]table, error) {
	names, err := strings1(ctx, tx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing the SQLite tables: %w", err)
	}
	out := map[string]table{}
	for _, name := range names {
		if name == migrationsTable {
			continue
		}
		t := table{name: name}
		rows, err := tx.QueryContext(ctx, `SELECT name, type FROM pragma_table_info(?) ORDER BY cid`, name)
		if err != nil {
			return nil, fmt.Errorf("reading the columns of SQLite's %s: %w", name, err)
		}
		for rows.Next() {
			var c column
			if err := rows.Scan(&c.name, &c.declared); err != nil {
				rows.Close()
				return nil, err
			}
			c.kind = sqliteKind(c.declared)
			t.cols = append(t.cols, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if t.refs, err = strings1(ctx, tx, `SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, name); err != nil {
			return nil, fmt.Errorf("reading the foreign keys of SQLite's %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// strings1 reads a query's one text column.
func strings1(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// postgresTables reads the tables of the current schema of a PostgreSQL store.
func postgresTables(ctx context.Context, tx pgx.Tx) (map[string]table, error) {
	out := map[string]table{}
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.udt_name,
			c.is_identity = 'YES' OR COALESCE(c.column_default, '') LIKE 'nextval(%'
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("listing the PostgreSQL tables: %w", err)
	}
	for rows.Next() {
		var name, dataType, udt string
		var c column
		if err := rows.Scan(&name, &c.name, &dataType, &udt, &c.identity); err != nil {
			rows.Close()
			return nil, err
		}
		if name == migrationsTable {
			continue
		}
		c.declared = dataType
		if dataType == "USER-DEFINED" {
			c.declared = udt
		}
		c.kind = postgresKind(dataType, udt)
		t := out[name]
		t.name = name
		t.cols = append(t.cols, c)
		out[name] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	refs, err := tx.Query(ctx, `SELECT DISTINCT src.relname, dst.relname
		FROM pg_constraint k
		JOIN pg_class src ON src.oid = k.conrelid
		JOIN pg_class dst ON dst.oid = k.confrelid
		WHERE k.contype = 'f' AND src.relnamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("reading the PostgreSQL foreign keys: %w", err)
	}
	defer refs.Close()
	for refs.Next() {
		var from, to string
		if err := refs.Scan(&from, &to); err != nil {
			return nil, err
		}
		if t, ok := out[from]; ok {
			t.refs = append(t.refs, to)
			out[from] = t
		}
	}
	return out, refs.Err()
}

// match checks that both engines hold the same tables with the same columns, of kinds a
// copy can carry across, and returns them in an order their foreign keys (either engine's)
// allow: every table after the tables it names. Columns are in the target's order.
func match(src, dst map[string]table) ([]table, error) {
	var problems []string
	for _, name := range sortedKeys(src) {
		if _, ok := dst[name]; !ok {
			problems = append(problems, fmt.Sprintf("table %s is in the SQLite store but not in the PostgreSQL one", name))
		}
	}
	for _, name := range sortedKeys(dst) {
		if _, ok := src[name]; !ok {
			problems = append(problems, fmt.Sprintf("table %s is in the PostgreSQL store but not in the SQLite one", name))
		}
	}
	var tables []table
	for _, name := range sortedKeys(dst) {
		s, ok := src[name]
		if !ok {
			continue
		}
		d := dst[name]
		srcCols := map[string]column{}
		for _, c := range s.cols {
			srcCols[c.name] = c
		}
		dstCols := map[string]bool{}
		for _, c := range d.cols {
			dstCols[c.name] = true
			sc, ok := srcCols[c.name]
			switch {
			case !ok:
				problems = append(problems, fmt.Sprintf("column %s.%s is in the PostgreSQL store but not in the SQLite one", name, c.name))
			case sc.kind == 0 || c.kind == 0 || !carries(sc.kind, c.kind):
				problems = append(problems, fmt.Sprintf("column %s.%s is %s on SQLite and %s on PostgreSQL: no copy between them",
					name, c.name, sc.declared, c.declared))
			}
		}
		for _, c := range s.cols {
			if !dstCols[c.name] {
				problems = append(problems, fmt.Sprintf("column %s.%s is in the SQLite store but not in the PostgreSQL one", name, c.name))
			}
		}
		d.refs = append(d.refs, s.refs...)
		tables = append(tables, d)
	}
	if len(problems) > 0 {
		return nil, &SchemaError{Problems: problems}
	}
	return order(tables)
}

// carries reports whether a SQLite column's values go into a PostgreSQL column's: the
// same kind, or SQLite's integer flag into a boolean.
func carries(from, to kind) bool {
	return from == to || from == kindInt && to == kindBool
}

// order sorts tables so that each comes after those its foreign keys name (a table naming
// itself aside), by name among those free to go.
func order(tables []table) ([]table, error) {
	byName := map[string]table{}
	waitsOn := map[string]map[string]bool{}
	for _, t := range tables {
		byName[t.name] = t
		waitsOn[t.name] = map[string]bool{}
	}
	for _, t := range tables {
		for _, r := range t.refs {
			if _, ok := byName[r]; ok && r != t.name {
				waitsOn[t.name][r] = true
			}
		}
	}
	var out []table
	for len(waitsOn) > 0 {
		var free []string
		for name, deps := range waitsOn {
			if len(deps) == 0 {
				free = append(free, name)
			}
		}
		if len(free) == 0 {
			return nil, fmt.Errorf("the foreign keys of tables %s name each other in a circle: no order copies them",
				strings.Join(sortedKeys(waitsOn), ", "))
		}
		sort.Strings(free)
		for _, name := range free {
			out = append(out, byName[name])
			delete(waitsOn, name)
			for _, deps := range waitsOn {
				delete(deps, name)
			}
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
