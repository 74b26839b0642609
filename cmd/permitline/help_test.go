package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// commandFlags returns the flag set a command parses, by asking it for help directly.
func commandFlags(t *testing.T, name string) *flag.FlagSet {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	defer e.close()
	err := commands[name].run(context.Background(), e, []string{"--help"})
	var he *helpError
	if !errors.As(err, &he) {
		t.Fatalf("%s --help returned %v, want a request for help", name, err)
	}
	return he.fs
}

// TestHelp runs every command in the dispatch table with help, -h and --help, and checks each
// prints, on stdout with exit 0, the usage line, every flag with its default and
// description, and an example.
func TestHelp(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)

	r := invoke("help")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("help: exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
	}
	for _, name := range names {
		if !strings.Contains(r.stdout, "  permitline "+commands[name].usage+"\n") {
			t.Errorf("help does not list %q:\n%s", commands[name].usage, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "permitline help COMMAND") {
		t.Errorf("help does not say how to get a command's flags:\n%s", r.stdout)
	}

	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			fs := commandFlags(t, name)
			words := strings.Fields(name)
			for _, args := range [][]string{
				append(append([]string{}, words...), "--help"),
				append(append([]string{}, words...), "-h"),
				append([]string{"help"}, words...),
				// Flags before --help are not acted on: nothing is opened or written.
				append(append(append([]string{}, words...), "--db", filepath.Join(dir, "none.db")), "--help"),
			} {
				r := invoke(args...)
				if r.code != 0 || r.stderr != "" {
					t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, r.code, r.stderr)
					continue
				}
				if !strings.HasPrefix(r.stdout, "usage: permitline "+commands[name].usage+"\n") {
					t.Errorf("%v: output does not start with the usage line:\n%s", args, r.stdout)
				}
				fs.VisitAll(func(f *flag.Flag) {
					line := ""
					for _, l := range strings.Split(r.stdout, "\n") {
						if strings.HasPrefix(strings.TrimSpace(l), "--"+f.Name+" ") || strings.TrimSpace(l) == "--"+f.Name {
							line = l
						}
					}
					_, text := flag.UnquoteUsage(f)
					switch {
					case line == "":
						t.Errorf("%v: no line for --%s:\n%s", args, f.Name, r.stdout)
					case !strings.Contains(line, text):
						t.Errorf("%v: --%s line %q lacks its description %q", args, f.Name, line, text)
					case f.DefValue != "" && f.DefValue != "false" && !strings.Contains(line, "(default "+f.DefValue+")"):
						t.Errorf("%v: --%s line %q lacks its default %q", args, f.Name, line, f.DefValue)
					}
				})
				for _, shared := range []string{"db", "now"} {
					if fs.Lookup(shared) == nil {
						t.Errorf("%s has no --%s flag", name, shared)
					}
				}
				ex := examples[name]
				if !strings.HasPrefix(ex, "permitline "+name) {
					t.Errorf("the example for %s is %q, want a command line starting %q", name, ex, "permitline "+name)
				}
				if !strings.Contains(r.stdout, "\nexample:\n  "+ex+"\n") {
					t.Errorf("%v: no example line:\n%s", args, r.stdout)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("asking for help created the database (stat: %v)", err)
	}
}

// TestHelpGroups covers the groups of commands ("resident", "visits", ...) and unknown names.
func TestHelpGroups(t *testing.T) {
	for _, args := range [][]string{{"resident", "--help"}, {"help", "resident"}, {"refunds", "-h"}} {
		r := invoke(args...)
		if r.code != 0 || r.stderr != "" || !strings.HasPrefix(r.stdout, "usage: permitline "+args[0]+" COMMAND") && !strings.HasPrefix(r.stdout, "usage: permitline "+args[1]+" COMMAND") {
			t.Errorf("%v: %+v, want the group's commands on stdout, exit 0", args, r)
		}
	}
	if r := invoke("refunds"); r.code != 2 || !strings.Contains(r.stderr, "permitline refunds settle REF") {
		t.Errorf("a group alone: %+v, want exit 2 with its commands", r)
	}
	if r := invoke("help", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("help for an unknown command: %+v, want exit 2", r)
	}
}

// TestGlobalFlagsBeforeTheCommand: --db and --now may come before the command's words.
func TestGlobalFlagsBeforeTheCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	if r := invoke("--db", db, "migrate"); r.code != 0 || !strings.HasPrefix(r.stdout, db+" is at schema version") {
		t.Fatalf("--db x.db migrate: %+v", r)
	}
	for _, args := range [][]string{
		{"--db", db, "--now", "2026-12-25T12:00:00Z", "hours"},
		{"--now=2026-12-25 12:00", "--db=" + db, "hours"},
		{"--db", db, "hours", "--now", "2026-12-25T12:00"},
	} {
		r := invoke(args...)
		if r.code != 0 || !strings.Contains(r.stdout, "closed all day (Christmas Day)") {
			t.Errorf("%v: %+v, want Christmas Day's hours", args, r)
		}
	}
	if r := invoke("--db", db, "help", "migrate"); r.code != 0 || !strings.HasPrefix(r.stdout, "usage: permitline migrate") {
		t.Errorf("--db x.db help migrate: %+v", r)
	}
}

// TestRequiredFlags: a required flag left out, or given blank, is a usage error naming it
// (exit 2, the usage line), and nothing is written.
func TestRequiredFlags(t *testing.T) {
	c := newCLI(t)
	a := c.registeredWithPermits()
	before := c.show(a)
	for _, tc := range []struct {
		args []string
		flag string
	}{
		{[]string{"resident", "add", "--address", "2 High Street", "--postcode", "CB1 1AA", "--scheme", "Central", "--name", "Bob"}, "--phone"},
		{[]string{"resident", "add", "--address", "2 High Street", "--postcode", "CB1 1AA", "--scheme", "Central", "--phone", "07700 900112"}, "--name"},
		{[]string{"resident", "add", "--name", " ", "--address", "2 High Street", "--postcode", "CB1 1AA", "--scheme", "Central", "--phone", "07700 900112"}, "--name"},
		{[]string{"resident", "add", "--name", "Bob", "--postcode", "CB1 1AA", "--scheme", "Central", "--phone", "07700 900112"}, "--address"},
		{[]string{"resident", "add", "--name", "Bob", "--address", "2 High Street", "--postcode", "", "--scheme", "Central", "--phone", "07700 900112"}, "--postcode"},
		{[]string{"resident", "add", "--name", "Bob", "--address", "2 High Street", "--postcode", "CB1 1AA", "--phone", "07700 900112"}, "--scheme"},
		{[]string{"resident", "set-pin", a}, "--pin"},
		{[]string{"address", "deactivate", "--postcode", "CB1 1AA"}, "--address"},
		{[]string{"address", "activate", "--address", "1 High Street"}, "--postcode"},
		{[]string{"registration", "approve", a}, "--document"},
		{[]string{"registration", "approve", a, "--document", ""}, "--document"},
		{[]string{"registration", "approve", a, "--document", "utility-bill"}, "--document-date"},
		{[]string{"registration", "approve", a, "--document", "tenancy-agreement"}, "--tenancy-end"},
		{[]string{"member", "add", a, "--phone", "07700 900223", "--can", "view"}, "--name"},
		{[]string{"member", "add", a, "--name", "Kim", "--can", "view"}, "--phone"},
		{[]string{"member", "add", a, "--name", "Kim", "--phone", "07700 900223"}, "--can"},
		{[]string{"vehicle", "add", a}, "--vrm"},
		{[]string{"permits", "buy", a, "--payment-ref", "R1"}, "--quantity"},
		{[]string{"permits", "buy", a, "--quantity", "1"}, "--payment-ref"},
		{[]string{"visits", "add", a, "--date", "tomorrow"}, "--vrm"},
		{[]string{"check", "AB12CDE"}, "--scheme"},
		{[]string{"agent", "add", "--name", "Jo", "--phone", "01223 000000"}, "--username"},
		{[]string{"agent", "add", "--username", "jo", "--phone", "01223 000000"}, "--name"},
		{[]string{"agent", "add", "--username", "jo", "--name", "Jo"}, "--phone and --client"},
	} {
		r := c.run(tc.args...)
		name := strings.Join(tc.args[:2], " ")
		if tc.args[0] == "check" {
			name = "check"
		}
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, tc.flag) ||
			!strings.Contains(r.stderr, "usage: permitline "+name) {
			t.Errorf("%v: %+v, want exit 2 naming %s with the usage line", tc.args, r, tc.flag)
		}
	}
	after := c.show(a)
	if len(c.residents()) != 1 || len(after.Members) != len(before.Members) || len(after.Vehicles) != len(before.Vehicles) ||
		after.BoughtThisYear != before.BoughtThisYear || after.VisitsLeft != before.VisitsLeft ||
		len(after.RecentActivity) != len(before.RecentActivity) {
		t.Errorf("a usage error changed the account: before %+v, after %+v", before, after)
	}
}

// TestDates: --at and --now read RFC3339, London wall time or a bare date; --date reads
// what a text may say.
func TestDates(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct{ at, want string }{
		{"2026-12-25", "today (Friday 25 December 2026): closed all day (Christmas Day)\n"},
		{"2026-11-30", "closed: the helpdesk next opens Monday 30 November 2026 at 08:00\n"},
		{"2026-06-10 17:59", "open: the helpdesk is open until 18:00\n"},
	} {
		if got := c.ok("hours", "--at", tc.at); !strings.Contains(got, tc.want) {
			t.Errorf("hours --at %s = %q, want it to contain %q", tc.at, got, tc.want)
		}
	}
	for _, now := range []string{"2026-12-25T12:00", "2026-12-25 12:00", "2026-12-25", "2026-12-25T12:00:00Z"} {
		r := invoke("hours", "--db", c.db, "--now", now)
		if r.code != 0 || !strings.Contains(r.stdout, "(Christmas Day)") {
			t.Errorf("hours --now %q: %+v", now, r)
		}
	}
	// In summer London wall time is an hour ahead of UTC.
	if got := c.ok("hours", "--at", "2026-06-10T18:00"); !strings.HasPrefix(got, "closed:") {
		t.Errorf("hours --at 18:00 BST = %q, want closed", got)
	}

	a := c.registeredWithPermits() // today is Monday 30 November 2026
	for _, tc := range []struct{ date, on string }{
		{"wednesday", "Wednesday 2 December 2026"},
		{"thurs", "Thursday 3 December 2026"},
		{"4/12", "Friday 4 December 2026"},
		{"07/12/2026", "Monday 7 December 2026"},
		{"8 Dec", "Tuesday 8 December 2026"},
		{"9th December", "Wednesday 9 December 2026"},
		{"2026-12-10", "Thursday 10 December 2026"},
		{"TOMORROW", "Tuesday 1 December 2026"},
	} {
		if got := c.ok("visits", "add", a, "--vrm", "AB12CDE", "--date", tc.date); !strings.Contains(got, " on "+tc.on+" ") {
			t.Errorf("visits add --date %s printed %q, want a visit on %s", tc.date, got, tc.on)
		}
	}
	for _, bad := range []string{"someday", "31/11", "5 12", "2026-02-30"} {
		if r := c.run("visits", "add", a, "--vrm", "XY12ZZZ", "--date", bad); r.code != 2 ||
			!strings.Contains(r.stderr, "is not a date") || !strings.Contains(r.stderr, "usage: permitline visits add") {
			t.Errorf("visits add --date %q: %+v, want exit 2", bad, r)
		}
	}
	if got := c.show(a).VisitsLeft; got != 2 {
		t.Errorf("%d visits left, want 2 (10 less 8)", got)
	}
}

// TestMessages: plurals are right, dates are London dates in words, and refusals say
// why in words rather than codes.
func TestMessages(t *testing.T) {
	c := newCLI(t)
	if got := c.importSchemes("name,days,opens,closes\nCentral,Mon-Fri,09:00,18:00\n"); got != "imported 1 scheme\n" {
		t.Errorf("importing one scheme printed %q", got)
	}
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	c.ok("registration", "approve", a, "--document", "driving-licence")
	if got, want := c.ok("permits", "buy", a, "--quantity", "1", "--payment-ref", "ONE"),
		"1 permit bought for £18.00, valid until Tuesday 30 November 2027 at 10:00; 19 more may be bought this permit year, which renews on Thursday 1 April 2027\n"; got != want {
		t.Errorf("buying one permit printed %q, want %q", got, want)
	}
	stderr := c.refused([]string{"visits", "add", a, "--vrm", "AB12CDE", "--date", "2026-12-05"},
		"R14: no permit is needed on Saturday 5 December 2026: the scheme's permit hours do not cover a Saturday",
		"a permit is next needed from Monday 7 December 2026 at 09:00")
	if strings.Contains(stderr, "non_operational_day") || strings.Contains(stderr, "2026-12-05") {
		t.Errorf("the refusal shows a code or a stored date: %q", stderr)
	}
	for _, tc := range []struct{ pin, want string }{
		{"1234", "PIN not accepted: it must not be a run of digits up or down, such as 1234"},
		{"7777", "PIN not accepted: it must not be one digit repeated, such as 1111"},
		{"12", "PIN not accepted: it must be 4 to 6 digits"},
	} {
		if stderr := c.refused([]string{"resident", "set-pin", a, "--pin", tc.pin}, tc.want); strings.Contains(stderr, "PIN is not valid") {
			t.Errorf("set-pin %s: %q", tc.pin, stderr)
		}
	}
	if got := c.ok("visits", "add", a, "--vrm", "AB12CDE", "--date", "tomorrow"); !strings.Contains(got, "; 4 visits left; it can be cancelled until Tuesday 1 December 2026 at 08:55\n") {
		t.Errorf("visits add printed %q", got)
	}
	// R17: a visit for today starting now is already inside the 5 minutes before its start.
	if got := c.ok("visits", "add", a, "--vrm", "KX65ABC"); !strings.Contains(got, "; 3 visits left; it can no longer be cancelled") ||
		strings.Contains(got, "09:55") {
		t.Errorf("visits add for today printed %q", got)
	}
	// R17: a visit starting in exactly 5 minutes can no longer be cancelled either.
	c.now = "2026-12-01T08:55:00Z"
	if got := c.ok("visits", "add", a, "--vrm", "Y123ABC", "--date", "today"); !strings.Contains(got, "it can no longer be cancelled") {
		t.Errorf("visits add 5 minutes before the start printed %q", got)
	}
	c.now = "2026-12-01T08:54:00Z"
	if got := c.ok("visits", "add", a, "--vrm", "Y124ABC", "--date", "today"); !strings.Contains(got, "it can be cancelled until Tuesday 1 December 2026 at 08:55") {
		t.Errorf("visits add 6 minutes before the start printed %q", got)
	}
	show := c.ok("resident", "show", a)
	for _, want := range []string{"  Permits:       1 valid, 1 visit left\n", "    permit 1: 1 visit left, expires Tuesday 30 November 2027 at 10:00\n"} {
		if !strings.Contains(show, want) {
			t.Errorf("resident show does not contain %q:\n%s", want, show)
		}
	}
}
