package main

import (
	"regexp"
	"strings"
	"testing"

	"permitline/domain/storetest"
)

// TestCopyToPostgres: `copy` moves a SQLite line into an empty PostgreSQL database, prints
// every table's count and the books on both sides, and the back office then works on the
// copy; a second copy into it is refused, as are copies it does not make.
func TestCopyToPostgres(t *testing.T) {
	pg := storetest.PostgresDatabase(t)
	c := newCLI(t)
	a := c.registeredWithPermits()
	c.ok("visits", "add", a, "--vrm", "AB12 CDE", "--date", "2026-12-01")
	added := c.ok("visits", "add", a, "--vrm", "CD34 EFG", "--date", "2026-12-01")
	ref := regexp.MustCompile(`^visit ([A-Z0-9]+):`).FindStringSubmatch(added)
	if ref == nil {
		t.Fatalf("visits add: %q", added)
	}
	c.ok("visits", "cancel", ref[1])
	before := c.show(a)

	r := invoke("copy", "--from", c.db, "--to", pg, "--now", c.now)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("copy: exit %d, stderr %q, stdout %q", r.code, r.stderr, r.stdout)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^copied .*permitline\.db to postgres://.*: \d+ rows in [0-9.]+s \(\d+ rows/s; [0-9.]+s of it building the indexes and checking the foreign keys\)$`),
		regexp.MustCompile(`(?m)^table +source +target`),
		regexp.MustCompile(`(?m)^residents +1 +1 *$`),
		regexp.MustCompile(`(?m)^visits +2 +2 *$`),
		regexp.MustCompile(`(?m)^payments +1 +1 *$`),
		regexp.MustCompile(`(?m)^books +source +target`),
		regexp.MustCompile(`(?m)^permits +2 +2 *$`),
		regexp.MustCompile(`(?m)^active visits +1 +1 *$`),
	} {
		if !want.MatchString(r.stdout) {
			t.Errorf("copy's output does not match %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "differs") || strings.Contains(r.stdout, "schema_migrations") {
		t.Errorf("copy's output:\n%s", r.stdout)
	}

	// The back office on the copy reads the account as it was, and writes to it.
	p := &cli{t: t, db: pg, now: c.now}
	after := p.show(a)
	if after.VisitsLeft != before.VisitsLeft || len(after.UpcomingVisits) != len(before.UpcomingVisits) ||
		after.BoughtThisYear != before.BoughtThisYear || len(after.RecentActivity) != len(before.RecentActivity) {
		t.Errorf("on SQLite %+v, on the copy %+v", before, after)
	}
	p.ok("visits", "add", a, "--vrm", "EF56 GHJ", "--date", "2026-12-01")
	if got := p.show(a); got.VisitsLeft != before.VisitsLeft-1 {
		t.Errorf("visits left on the copy after a new visit: %d, before %d", got.VisitsLeft, before.VisitsLeft)
	}
	p.addResident("Bob Jones", "2 High Street", "Central", "07700 900112", "")

	// A second copy into it: refused, naming a table, and nothing changed.
	r = invoke("copy", "--from", c.db, "--to", pg, "--now", c.now)
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "not empty") ||
		!strings.Contains(r.stderr, "its table ") || !strings.Contains(r.stderr, "new database") {
		t.Errorf("a copy into a line's database: %+v", r)
	}
	assertOneLine(t, r.stderr)
	if got := p.show(a); got.VisitsLeft != before.VisitsLeft-1 {
		t.Errorf("the refused copy changed the account: %+v", got)
	}
	p.wantAccounts(2, "")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"copy", "--from", pg, "--to", c.db}, "not supported"},
		{[]string{"copy", "--from", pg, "--to", pg}, "not supported"},
		{[]string{"copy", "--from", c.db, "--to", c.db + ".copy"}, "must be a PostgreSQL address"},
		{[]string{"copy", "--to", pg}, "--from"},
		{[]string{"copy", "--from", c.db}, "--to"},
	} {
		r := invoke(tc.args...)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, tc.want) ||
			!strings.Contains(r.stderr, "usage: permitline copy") {
			t.Errorf("%v: %+v, want exit 2 with %q and the usage line", tc.args, r, tc.want)
		}
	}
	r = invoke("copy", "--from", c.db+".missing", "--to", pg)
	if r.code != 1 || !strings.Contains(r.stderr, "no SQLite database at") {
		t.Errorf("a missing source: %+v", r)
	}
}
