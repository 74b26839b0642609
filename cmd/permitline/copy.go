package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"permitline/domain/postgres"
	"permitline/domain/sqlite"
	"permitline/domain/storecopy"
)

// copyUsage is the copy command's usage line.
const copyUsage = "copy --from FILE --to postgres://..."

// runCopy moves a council's store from a SQLite file into an empty PostgreSQL database,
// every table in one transaction, then counts every table on both sides and compares the
// books; it exits 1 when anything differs. Only SQLite to PostgreSQL: the way a line grows
// from one node to several.
func runCopy(ctx context.Context, e *env, args []string) error {
	fs := e.flags("copy")
	from := fs.String("from", "", "the SQLite database file to copy (it is migrated to this permitline's schema first)")
	to := fs.String("to", "", "the PostgreSQL database to copy into (postgres://...): migrated, and empty")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	switch {
	case *from == "" || *to == "":
		return usageErr("give both --from (a SQLite file) and --to (a PostgreSQL address)")
	case postgres.IsAddress(*from):
		return usageErr("copy moves a SQLite file into PostgreSQL only; copying from PostgreSQL (to SQLite or to another " +
			"PostgreSQL database) is not supported: use pg_dump and pg_restore between PostgreSQL databases")
	case !postgres.IsAddress(*to):
		return usageErr("--to must be a PostgreSQL address (postgres://...); to copy a SQLite file to another file, " +
			"stop the line and copy the file (with its -wal file)")
	}
	if _, err := os.Stat(*from); err != nil {
		return fmt.Errorf("no SQLite database at %s: check --from", *from)
	}
	e.dbPath = *from
	src, err := e.openStore(ctx, sqlite.SyncNormal)
	if err != nil {
		return err
	}
	e.store = src
	dst, err := postgres.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("opening the PostgreSQL database %s: %w", redacted(*to), err)
	}
	defer dst.Close()

	lite, ok := src.(sqliteStore)
	if !ok {
		return fmt.Errorf("%s did not open as a SQLite file", *from)
	}
	rep, err := storecopy.SQLiteToPostgres(ctx, lite.Store, dst)
	var ne *storecopy.NotEmptyError
	var ve *storecopy.VersionError
	switch {
	case errors.As(err, &ne):
		return fmt.Errorf("%w, and copy never merges two stores: nothing was copied. Copy into a new database "+
			"(createdb, or DROP DATABASE and CREATE DATABASE as its administrator), then run copy again", err)
	case errors.As(err, &ve):
		return fmt.Errorf("%w: nothing was copied. Copy with the permitline that last migrated it", err)
	case errors.Is(err, storecopy.ErrSchema):
		return fmt.Errorf("%w. Nothing was copied: this permitline's SQLite and PostgreSQL migrations do not make the "+
			"same tables, or the file was changed by hand", err)
	case err != nil:
		return fmt.Errorf("copying %s to %s: %w (nothing was copied)", *from, redacted(*to), err)
	}
	fmt.Fprintf(e.stdout, "copied %s to %s: %d rows in %.1fs (%.0f rows/s; %.1fs of it building the indexes and "+
		"checking the foreign keys)\n\n", *from, redacted(*to), rep.Rows, rep.Elapsed.Seconds(),
		float64(rep.Rows)/max(rep.Elapsed.Seconds(), 1e-9), rep.Rebuilt.Seconds())
	rows := [][]string{{"table", "source", "target", ""}}
	for _, c := range rep.Counts {
		mark := ""
		if c.Source != c.Target {
			mark = "differs"
		}
		rows = append(rows, []string{c.Table, strconv.FormatInt(c.Source, 10), strconv.FormatInt(c.Target, 10), mark})
	}
	if err := printColumns(e.stdout, rows); err != nil {
		return err
	}
	lines, err := storecopy.CompareLedgers(ctx, *from, *to)
	if err != nil {
		return fmt.Errorf("comparing the books after the copy: %w", err)
	}
	fmt.Fprintln(e.stdout)
	rows = [][]string{{"books", "source", "target", ""}}
	var differ []string
	for _, l := range lines {
		mark := ""
		if !l.Same() {
			mark = "differs"
			differ = append(differ, l.What)
		}
		rows = append(rows, []string{l.What, l.Source, l.Target, mark})
	}
	if err := printColumns(e.stdout, rows); err != nil {
		return err
	}
	for _, c := range rep.Differences() {
		differ = append(differ, c.Table)
	}
	if len(differ) > 0 {
		return &exitError{code: 1, msg: fmt.Sprintf("permitline copy: the target does not hold what the source does (%s): "+
			"do not run the line on it; drop and create the target database again and copy once more",
			strings.Join(differ, ", "))}
	}
	return nil
}

// printColumns writes rows as aligned columns, with no space at the end of a line.
func printColumns(w io.Writer, rows [][]string) error {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if line != "" {
			fmt.Fprintln(w, strings.TrimRight(line, " \n"))
		}
	}
	return nil
}

// redacted is a PostgreSQL address as it may be shown: without its password.
func redacted(addr string) string {
	u, err := url.Parse(addr)
	if err != nil {
		return "postgres://(an address that does not parse)"
	}
	return u.Redacted()
}
