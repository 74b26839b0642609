package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"permitline/domain/sqlite/sqlitetest"
)

// serveFor runs `serve` on db for a moment with real-looking Twilio credentials and
// returns what it printed; a server that starts is stopped after a second.
func serveFor(t *testing.T, db string) result {
	t.Helper()
	t.Setenv("TWILIO_AUTH_TOKEN", goodToken)
	t.Setenv("TWILIO_ACCOUNT_SID", goodSid)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--now", testNow}, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// seeded returns a real permitline database with the demo accounts in it.
func seeded(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "line.db")
	if r := invoke("demo", "--seed-only", "--db", db, "--now", testNow); r.code != 0 {
		t.Fatalf("demo --seed-only: %+v", r)
	}
	return db
}

func TestServeRefusesADatabaseItCannotTrust(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(dir, "foreign.db")
	sqlitetest.Exec(t, foreign, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`,
		`INSERT INTO notes (body) VALUES ('hello')`) // made by another program
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a database\n", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	damaged := seeded(t)
	f, err := os.OpenFile(damaged, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if fi.Size() < 8*4096 {
		t.Fatalf("the seeded database has only %d bytes", fi.Size())
	}
	// Pages 3 to 6 overwritten, as a bad disk or a stray write would.
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5, 0x00, 0xFF, 0x13}, 4*4096/4), 2*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for _, tc := range []struct {
		name, db string
		want     []string
	}{
		{"a missing file", filepath.Join(dir, "typo.db"), []string{"does not exist", "permitline migrate"}},
		{"a zero-length file", empty, []string{"is empty", "permitline migrate"}},
		{"a foreign SQLite file", foreign, []string{"not a permitline database", "permitline migrate"}},
		{"a file that is not SQLite", text, []string{"not a permitline database", "not a SQLite database"}},
		{"overwritten pages", damaged, []string{"integrity check", "restore the latest backup", "keep the file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(tc.db)
			r := serveFor(t, tc.db)
			if r.code == 0 || strings.Contains(r.stdout, "listening") {
				t.Fatalf("serve started on %s: %+v", tc.name, r)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not say %q", r.stderr, w)
				}
			}
			after, _ := os.ReadFile(tc.db)
			if !bytes.Equal(before, after) {
				t.Error("the refused file was changed")
			}
		})
	}
	// The back-office commands open an existing database too; only migrate creates one.
	if r := invoke("resident", "list", "--db", empty); r.code == 0 || !strings.Contains(r.stderr, "permitline migrate") {
		t.Errorf("resident list on an empty file: %+v", r)
	}
	if r := invoke("migrate", "--db", foreign); r.code == 0 || !strings.Contains(r.stderr, "not a permitline database") {
		t.Errorf("migrate over a foreign file: %+v", r)
	}
	if r := invoke("migrate", "--db", empty); r.code != 0 {
		t.Errorf("migrate on an empty file: %+v", r)
	}
}

func TestServeStartsOnAGoodDatabase(t *testing.T) {
	r := serveFor(t, seeded(t))
	if r.code != 0 || !strings.Contains(r.stdout, "permitline is listening") {
		t.Fatalf("serve on a good database: %+v", r)
	}
}
