// Package sqlitetest lets tests write a SQLite file as another program would, around the
// store rather than through it: to make a file that is not a permitline database, or to
// damage a store's rows so that a check must find it. With domain/sqlite, it is the only
// package that imports the SQLite driver.
package sqlitetest

import (
	"database/sql"
	"net/url"
	"testing"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Exec runs the statements, in order, on the SQLite file at path (created if missing),
// on one connection with foreign keys checked, and fails the test at the first error.
func Exec(t testing.TB, path string, statements ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+
		"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)")
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range statements {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}
