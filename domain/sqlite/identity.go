package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// ApplicationID marks a permitline database in its header (SQLite's application_id,
// "PRMT"): set whenever migrations run, so a file can be told from any other SQLite file.
const ApplicationID = 0x50524d54

// Why a database file is refused.
var (
	// ErrNoDatabase: the file does not exist or is empty, so nothing was ever migrated into it.
	ErrNoDatabase = errors.New("no permitline database")
	// ErrNotPermitline: the file is SQLite's, or something else, but not a permitline database.
	ErrNotPermitline = errors.New("not a permitline database")
	// ErrDamaged: the file fails SQLite's integrity check (PRAGMA quick_check).
	ErrDamaged = errors.New("the database fails SQLite's integrity check")
)

// OpenExisting opens a permitline database that is already there, as a server or a
// back-office command must: a missing or empty file is ErrNoDatabase (only Open creates a
// database), a file that fails PRAGMA quick_check is ErrDamaged, and one that is not a
// permitline database is ErrNotPermitline; nothing is written to a refused file. Pending
// migrations are then applied, as Open does.
func OpenExisting(ctx context.Context, path string, sync Sync) (*Store, error) {
	if err := mustHold(path); err != nil {
		return nil, err
	}
	if err := check(ctx, path, true); err != nil {
		return nil, err
	}
	return OpenSync(ctx, path, sync)
}

// mustHold refuses a path with no database: missing, empty, or not a file.
func mustHold(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s: %w: the file does not exist", path, ErrNoDatabase)
	case err != nil:
		return fmt.Errorf("%s: %w", path, err)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s: %w: it is not a file", path, ErrNotPermitline)
	case fi.Size() == 0:
		return fmt.Errorf("%s: %w: the file is empty", path, ErrNoDatabase)
	}
	return nil
}

// check opens the file without changing it and refuses it unless it is a permitline
// database (and, with integrity, one that passes quick_check).
func check(ctx context.Context, path string, integrity bool) error {
	db, err := sql.Open("sqlite", "file:"+escapePath(path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if integrity {
		rows, err := db.QueryContext(ctx, `PRAGMA quick_check(5)`)
		if err != nil {
			return classify(path, err)
		}
		var problems []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return classify(path, err)
			}
			problems = append(problems, s)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return classify(path, err)
		}
		rows.Close()
		if len(problems) != 1 || problems[0] != "ok" {
			return fmt.Errorf("%s: %w: %s", path, ErrDamaged, strings.Join(problems, "; "))
		}
	}
	var id int64
	if err := db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
		return classify(path, err)
	}
	if id == ApplicationID {
		return nil
	}
	// A permitline database migrated before the mark was set has schema_migrations.
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return classify(path, err)
	}
	if n == 0 || id != 0 {
		return fmt.Errorf("%s: %w: it holds no permitline schema", path, ErrNotPermitline)
	}
	return nil
}

func escapePath(path string) string { return (&url.URL{Path: path}).EscapedPath() }

// classify names the failure of a read of a file SQLite cannot make sense of.
func classify(path string, err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "file is not a database") || strings.Contains(msg, "(26)"):
		return fmt.Errorf("%s: %w: it is not a SQLite database", path, ErrNotPermitline)
	case strings.Contains(msg, "malformed") || strings.Contains(msg, "(11)") || strings.Contains(msg, "corrupt"):
		return fmt.Errorf("%s: %w: %v", path, ErrDamaged, err)
	}
	return fmt.Errorf("checking %s: %w", path, err)
}
