package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"permitline/domain/pin"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testNow is Monday 30 November 2026, 10:00 GMT (London wall time is UTC in winter).
const testNow = "2026-11-30T10:00:00Z"

// testSchemes is the CSV every scenario starts from.
const testSchemes = `name,days,opens,closes
Central,Mon-Fri,09:00,18:00
Market,Mon-Sun,08:00,20:00
`

func TestMain(m *testing.M) {
	// The command reads these as defaults; a developer's shell must not leak into the tests.
	os.Unsetenv("PERMITLINE_DB")
	os.Unsetenv("PERMITLINE_NOW")
	os.Setenv("USER", "tester") // the back-office actor's name in the audit trail
	os.Setenv("PERMITLINE_PIN_KEY", pin.TestKey)
	os.Exit(m.Run())
}

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

// invoke calls run in-process with args exactly as given. The deadline stops a command
// that would serve (demo without --seed-only) from hanging the tests.
func invoke(args ...string) result {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// cli runs commands against one temporary database with the clock fixed at now.
type cli struct {
	t   *testing.T
	db  string
	now string
}

// newCLI creates the database with `migrate`, as an operator does first: the other
// commands open an existing database only.
func newCLI(t *testing.T) *cli {
	t.Helper()
	c := &cli{t: t, db: filepath.Join(t.TempDir(), "permitline.db"), now: testNow}
	c.ok("migrate")
	return c
}

// run runs args with --db and --now appended (flags may follow positional arguments).
func (c *cli) run(args ...string) result {
	c.t.Helper()
	return invoke(append(args, "--db", c.db, "--now", c.now)...)
}

// ok runs args, fails the test unless they exit 0 with nothing on stderr, and returns stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 || r.stderr != "" {
		c.t.Fatalf("permitline %s: exit %d, stderr %q, stdout %q; want exit 0 and no stderr",
			strings.Join(args, " "), r.code, r.stderr, r.stdout)
	}
	return r.stdout
}

// refused runs args, fails the test unless they exit 1 with nothing on stdout and one line
// on stderr containing every one of want, and returns stderr.
func (c *cli) refused(args []string, want ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 1 {
		c.t.Errorf("permitline %s: exit %d, want 1 (stdout %q, stderr %q)", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	if r.stdout != "" {
		c.t.Errorf("permitline %s: stdout %q, want nothing", strings.Join(args, " "), r.stdout)
	}
	assertOneLine(c.t, r.stderr)
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			c.t.Errorf("permitline %s: stderr %q does not contain %q", strings.Join(args, " "), r.stderr, w)
		}
	}
	return r.stderr
}

func assertOneLine(t *testing.T, s string) {
	t.Helper()
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") != 1 {
		t.Errorf("stderr %q is not exactly one line", s)
	}
}

// importSchemes writes csv to a file and imports it.
func (c *cli) importSchemes(csv string) string {
	c.t.Helper()
	return c.ok("schemes", "import", writeFile(c.t, "schemes.csv", csv))
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var accountRE = regexp.MustCompile(`^[1-9][0-9]{7}\n$`)

// addResident opens an account in scheme at address and returns its number. PINs are
// hashed with bcrypt, so most scenarios leave pin empty.
func (c *cli) addResident(name, address, scheme, phone, pin string) string {
	c.t.Helper()
	args := []string{"resident", "add", "--name", name, "--address", address, "--postcode", "cb1 1aa",
		"--scheme", scheme, "--phone", phone}
	if pin != "" {
		args = append(args, "--pin", pin)
	}
	out := c.ok(args...)
	if !accountRE.MatchString(out) {
		c.t.Fatalf("resident add printed %q, want an 8-digit account number alone", out)
	}
	return strings.TrimSpace(out)
}

// with returns the same command line reporting to t, for a subtest.
func (c *cli) with(t *testing.T) *cli {
	cc := *c
	cc.t = t
	return &cc
}

// registeredWithPermits opens a Central account, approves it and buys two permits (10 visits).
func (c *cli) registeredWithPermits() string {
	c.t.Helper()
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	c.ok("registration", "approve", a, "--document", "driving-licence")
	c.ok("permits", "buy", a, "--quantity", "2", "--payment-ref", "SETUP1")
	return a
}

// account is the part of `resident show --json` the tests read.
type account struct {
	Account        string `json:"account"`
	Name           string `json:"name"`
	Scheme         string `json:"scheme"`
	Registered     bool   `json:"registered"`
	Permits        []any  `json:"permits"`
	VisitsLeft     int    `json:"visits_left"`
	BoughtThisYear int    `json:"bought_this_permit_year"`
	AllowanceLeft  int    `json:"allowance_left"`
	Members        []struct {
		Name        string `json:"name"`
		Phone       string `json:"phone"`
		Permissions string `json:"permissions"`
	} `json:"members"`
	Vehicles       []string `json:"vehicles"`
	UpcomingVisits []visit  `json:"upcoming_visits"`
	RecentActivity []struct {
		Who     string `json:"who"`
		Channel string `json:"channel"`
		Action  string `json:"action"`
	} `json:"recent_activity"`
}

type visit struct {
	Ref      string `json:"ref"`
	VRM      string `json:"vrm"`
	Date     string `json:"date"`
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
	Status   string `json:"status"`
	By       string `json:"by"`
	Channel  string `json:"channel"`
}

func (c *cli) show(acct string) account {
	c.t.Helper()
	var a account
	decode(c.t, c.ok("resident", "show", acct, "--json"), &a)
	return a
}

func (c *cli) residents() []map[string]any {
	c.t.Helper()
	var rs []map[string]any
	decode(c.t, c.ok("resident", "list", "--json"), &rs)
	return rs
}

// wantAccounts fails the test unless resident list shows n accounts; after says when.
func (c *cli) wantAccounts(n int, after string) {
	c.t.Helper()
	if got := len(c.residents()); got != n {
		c.t.Errorf("resident list has %d accounts %s, want %d", got, after, n)
	}
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("output is not the JSON expected: %v\n%s", err, s)
	}
}

// schemaVersion is the number of the newest migration the store embeds.
func schemaVersion(t *testing.T) int {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("..", "..", "domain", "sqlite", "migrations", "*.sql"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations found (%v)", err)
	}
	v := 0
	for _, n := range names {
		num, _, _ := strings.Cut(filepath.Base(n), "_")
		i, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("migration %s has no number", n)
		}
		v = max(v, i)
	}
	return v
}

func TestMigrateTwiceIsIdempotent(t *testing.T) {
	c := newCLI(t)
	want := fmt.Sprintf("%s is at schema version %d\n", c.db, schemaVersion(t))
	for i := range 2 {
		if got := c.ok("migrate"); got != want {
			t.Errorf("migrate #%d printed %q, want %q", i+1, got, want)
		}
	}
	if _, err := os.Stat(c.db); err != nil {
		t.Errorf("the database file was not created: %v", err)
	}
}

func TestSchemesImportAndList(t *testing.T) {
	c := newCLI(t)
	if got := c.importSchemes(testSchemes); got != "imported 2 schemes\n" {
		t.Errorf("import printed %q", got)
	}
	wantList := "NAME     DAYS     HOURS\n" +
		"Central  Mon-Fri  09:00-18:00\n" +
		"Market   Mon-Sun  08:00-20:00\n"
	if got := c.ok("schemes", "list"); got != wantList {
		t.Errorf("schemes list =\n%s\nwant\n%s", got, wantList)
	}

	// A second import with changed hours updates by name, case and spaces aside: no duplicate.
	// The file comes from a spreadsheet: a byte-order mark, a comment, a quoted list of days.
	changed := "\ufeffname,days,opens,closes\n" +
		"# a comment line is skipped\n" +
		"central,\"Mon,Wed,Fri\", 08:30, 17:30\n" +
		"North,Sat-Sun,10:00,24:00\n"
	if got := c.importSchemes(changed); got != "imported 2 schemes\n" {
		t.Errorf("second import printed %q", got)
	}
	type scheme struct{ Name, Days, Opens, Closes string }
	var got []scheme
	decode(t, c.ok("schemes", "list", "--json"), &got)
	want := []scheme{
		{"Central", "Mon,Wed,Fri", "08:30", "17:30"},
		{"Market", "Mon-Sun", "08:00", "20:00"},
		{"North", "Sat,Sun", "10:00", "24:00"},
	}
	if len(got) != len(want) {
		t.Fatalf("schemes list --json = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("scheme %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// The JSON field names are part of the back office's contract.
	var raw []map[string]any
	if err := json.Unmarshal([]byte(c.ok("schemes", "list", "--json")), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "days", "opens", "closes"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("schemes list --json has no field %q: %v", k, raw[0])
		}
	}
}

func TestSchemesImportRefusesBadFilesWhole(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	before := c.ok("schemes", "list", "--json")
	// Each bad file starts with a good new scheme (or a changed one), which must not be saved.
	good := "Extra,Mon-Fri,09:00,17:00\nCentral,Mon-Sun,07:00,23:00\n"
	for _, tc := range []struct {
		name, csv, want string
	}{
		{"wrong header", "name,days,hours\nExtra,Mon-Fri,09:00-17:00\n", "the header must be name,days,opens,closes"},
		{"header in another order", "name,opens,closes,days\n" + good, "the header must be name,days,opens,closes"},
		{"empty file", "", "reading the header"},
		{"header only", "name,days,opens,closes\n", "no schemes in the file"},
		{"bad days", "name,days,opens,closes\n" + good + "Bad,Mon-Funday,09:00,17:00\n", `unknown day "Funday"`},
		{"backwards days", "name,days,opens,closes\n" + good + "Bad,Fri-Mon,09:00,17:00\n", "runs backwards"},
		{"bad time", "name,days,opens,closes\n" + good + "Bad,Mon-Fri,9am,17:00\n", `"9am" is not HH:MM`},
		{"time out of range", "name,days,opens,closes\n" + good + "Bad,Mon-Fri,09:00,25:00\n", "out of range"},
		{"closes before opens", "name,days,opens,closes\n" + good + "Bad,Mon-Fri,18:00,09:00\n", "opens at or after it closes"},
		{"closes when it opens", "name,days,opens,closes\n" + good + "Bad,Mon-Fri,09:00,09:00\n", "opens at or after it closes"},
		{"duplicate name", "name,days,opens,closes\n" + good + "extra,Mon-Sat,09:00,17:00\n", `line 4: scheme "extra" appears twice`},
		{"empty name", "name,days,opens,closes\n" + good + ",Mon-Fri,09:00,17:00\n", "the scheme name is empty"},
		{"too few fields", "name,days,opens,closes\n" + good + "Bad,Mon-Fri,09:00\n", "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.with(t)
			path := writeFile(t, "bad.csv", tc.csv)
			c.refused([]string{"schemes", "import", path}, tc.want, "bad.csv")
			if after := c.ok("schemes", "list", "--json"); after != before {
				t.Errorf("a refused import changed the schemes:\n%s\nwant\n%s", after, before)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		c := c.with(t)
		c.refused([]string{"schemes", "import", filepath.Join(t.TempDir(), "nope.csv")}, "no such file")
	})
}

func TestResidentAdd(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	c.wantAccounts(1, "after one add")
	ok := []string{"resident", "add", "--address", "2 High Street", "--postcode", "CB1 1AA", "--scheme", "Central"}
	for _, tc := range []struct {
		name   string
		args   []string
		want   string
		secret string // a PIN that must not be shown
	}{
		{"bad phone", []string{"--name", "Bob", "--phone", "12"}, "phone", ""},
		{"letters in the phone", []string{"--name", "Bob", "--phone", "0800 FLOWERS"}, "phone", ""},
		{"unknown scheme", []string{"--name", "Bob", "--phone", "07700 900112", "--scheme", "Nowhere"}, `no scheme called "Nowhere"`, ""},
		{"PIN 1234 is a run", []string{"--name", "Bob", "--phone", "07700 900112", "--pin", "1234"}, "must not be a run", ""},
		{"PIN 9876 is a run", []string{"--name", "Bob", "--phone", "07700 900112", "--pin", "9876"}, "must not be a run", "9876"},
		{"PIN one digit repeated", []string{"--name", "Bob", "--phone", "07700 900112", "--pin", "7777"}, "repeated", "7777"},
		{"PIN too short", []string{"--name", "Bob", "--phone", "07700 900112", "--pin", "147"}, "4 to 6 digits", "147"},
		{"PIN with letters", []string{"--name", "Bob", "--phone", "07700 900112", "--pin", "14a7"}, "4 to 6 digits", "14a7"},
		{"address in another scheme", []string{"--name", "Bob", "--phone", "07700 900112", "--address", "1 High Street", "--scheme", "Market"}, "another scheme", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.with(t)
			// Later flags win, so each case overrides the good defaults.
			stderr := c.refused(append(append([]string{}, ok...), tc.args...), tc.want)
			if tc.secret != "" && strings.Contains(stderr, tc.secret) {
				t.Errorf("stderr %q shows the PIN", stderr)
			}
			c.wantAccounts(1, "after a refused add")
		})
	}
	t.Run("unknown flag is a usage error", func(t *testing.T) {
		c := c.with(t)
		r := c.run("resident", "add", "--nmae", "Bob")
		if r.code != 2 || !strings.Contains(r.stderr, "usage: permitline resident add") || r.stdout != "" {
			t.Errorf("got %+v, want exit 2 with the usage line", r)
		}
	})
	t.Run("a second account at the same address", func(t *testing.T) {
		c := c.with(t)
		b := c.addResident("Al Smith", "1 High Street", "Central", "07700 900113", "")
		if b == a {
			t.Errorf("two accounts got the same number %s", a)
		}
	})
}

func TestResidentShowAndList(t *testing.T) {
	c := newCLI(t)
	a := c.registeredWithPermits()
	// The one bcrypt hash of this test: the account's own PIN must never be shown.
	if got := c.ok("resident", "set-pin", a, "--pin", "2580"); got != "PIN set\n" {
		t.Errorf("set-pin printed %q", got)
	}
	c.refused([]string{"resident", "set-pin", a, "--pin", "1111"}, "repeated")
	c.refused([]string{"resident", "set-pin", "12345678", "--pin", "2580"}, "not found")
	c.ok("member", "add", a, "--name", "Jo Smith", "--phone", "07700 900222", "--can", "view,activate")
	c.ok("vehicle", "add", a, "--vrm", "xy12 abc")
	c.ok("visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-12-01")

	out := c.ok("resident", "show", a, "--json")
	for _, bad := range []string{"pin_hash", "PINHash", "$2a$", "$2b$"} {
		if strings.Contains(out, bad) {
			t.Errorf("resident show --json contains %q:\n%s", bad, out)
		}
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("resident show --json is not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"account", "name", "scheme", "registered", "permits", "visits_left", "allowance_left",
		"members", "vehicles", "upcoming_visits", "recent_activity"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("resident show --json has no %q", k)
		}
	}
	got := c.show(a)
	if got.Account != a || got.Name != "Ann Smith" || got.Scheme != "Central" || !got.Registered ||
		len(got.Permits) != 2 || got.VisitsLeft != 9 || got.BoughtThisYear != 2 || got.AllowanceLeft != 18 {
		t.Errorf("resident show --json = %+v", got)
	}
	if len(got.Members) != 1 || got.Members[0].Name != "Jo Smith" || got.Members[0].Phone != "+447700900222" ||
		got.Members[0].Permissions != "view,activate" {
		t.Errorf("members = %+v, want Jo Smith +447700900222 view,activate", got.Members)
	}
	if strings.Join(got.Vehicles, " ") != "AB12CDE XY12ABC" && strings.Join(got.Vehicles, " ") != "XY12ABC AB12CDE" {
		t.Errorf("vehicles = %v, want XY12ABC and AB12CDE", got.Vehicles)
	}
	if len(got.UpcomingVisits) != 1 || got.UpcomingVisits[0].VRM != "AB12CDE" || got.UpcomingVisits[0].Date != "2026-12-01" {
		t.Errorf("upcoming visits = %+v", got.UpcomingVisits)
	}
	actions := map[string]bool{}
	for _, e := range got.RecentActivity {
		actions[e.Action] = true
		if e.Who != "admin tester" || e.Channel != "admin" {
			t.Errorf("activity %+v not recorded as the back office (R5)", e)
		}
	}
	for _, want := range []string{"resident.add", "registration.approve", "permits.buy", "member.add", "vehicle.add", "visit.activate"} {
		if !actions[want] {
			t.Errorf("recent activity has no %s: %+v", want, got.RecentActivity)
		}
	}

	text := c.ok("resident", "show", a)
	for _, want := range []string{
		"Account " + a + ": Ann Smith\n",
		"  Address:       1 High Street, CB1 1AA (Central)\n",
		"  Registration:  valid until Sunday 28 February 2027 at 10:00\n",
		"  Permits:       2 valid, 9 visits left\n",
		"  Allowance:     2 bought this permit year, 18 left, renews on Thursday 1 April 2027\n",
		"  Member:        Jo Smith, 07700 900222, may view,activate\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("resident show does not contain %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "$2a$") {
		t.Errorf("resident show prints a PIN hash:\n%s", text)
	}

	b := c.addResident("Bob Jones", "3 High Street", "Market", "07700 900333", "")
	list := c.ok("resident", "list", "--json")
	if strings.Contains(list, "$2a$") || strings.Contains(list, "pin_hash") {
		t.Errorf("resident list --json shows PIN hashes:\n%s", list)
	}
	var rs []struct {
		Account string `json:"account"`
		Name    string `json:"name"`
		Phone   string `json:"phone"`
		HasPIN  bool   `json:"has_pin"`
	}
	if err := json.Unmarshal([]byte(list), &rs); err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Account != a || !rs[0].HasPIN || rs[1].Account != b || rs[1].Name != "Bob Jones" ||
		rs[1].Phone != "+447700900333" || rs[1].HasPIN {
		t.Errorf("resident list --json = %+v", rs)
	}
	wantText := "ACCOUNT   NAME       PHONE\n" + a + "  Ann Smith  07700 900111\n" + b + "  Bob Jones  07700 900333\n"
	if got := c.ok("resident", "list"); got != wantText {
		t.Errorf("resident list =\n%s\nwant\n%s", got, wantText)
	}

	for _, args := range [][]string{
		{"resident", "show", "12345678"},
		{"resident", "show", "12345678", "--json"},
		{"visits", "list", "12345678"},
		{"permits", "buy", "12345678", "--quantity", "1", "--payment-ref", "X"},
		{"registration", "approve", "12345678", "--document", "driving-licence"},
		{"member", "add", "12345678", "--name", "X", "--phone", "07700 900444", "--can", "view"},
		{"visits", "add", "12345678", "--vrm", "AB12CDE"},
	} {
		c.refused(args, "12345678", "not found")
	}
}

func TestRegistrationApprove(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	const valid = "registration approved, valid until Sunday 28 February 2027 at 10:00\n" // 3 months on (R3)
	for _, tc := range []struct {
		name string
		args []string
		want string // "" when approved
	}{
		{"driving licence", []string{"--document", "driving-licence"}, ""},
		{"utility bill 2 months old", []string{"--document", "utility-bill", "--document-date", "2026-09-30"}, ""},
		{"utility bill exactly 3 months old", []string{"--document", "utility-bill", "--document-date", "2026-08-30"}, ""},
		{"utility bill 3 months and a day old", []string{"--document", "utility-bill", "--document-date", "2026-08-29"}, "3 months"},
		{"utility bill 4 months old", []string{"--document", "utility-bill", "--document-date", "2026-07-30"}, "3 months"},
		{"utility bill dated tomorrow", []string{"--document", "utility-bill", "--document-date", "2026-12-01"}, "future"},
		{"tenancy with 7 months left", []string{"--document", "tenancy-agreement", "--tenancy-end", "2027-06-30"}, ""},
		{"tenancy with exactly 6 months left", []string{"--document", "tenancy-agreement", "--tenancy-end", "2027-05-30"}, ""},
		{"tenancy ending a day too soon", []string{"--document", "tenancy-agreement", "--tenancy-end", "2027-05-29"}, "6 months"},
		{"tenancy ending in 3 months", []string{"--document", "tenancy-agreement", "--tenancy-end", "2027-03-01"}, "6 months"},
		{"expired tenancy", []string{"--document", "tenancy-agreement", "--tenancy-end", "2026-01-01"}, "6 months"},
		{"passport", []string{"--document", "passport"}, `"passport" is not accepted`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.with(t)
			args := append([]string{"registration", "approve", a}, tc.args...)
			if tc.want == "" {
				if got := c.ok(args...); got != valid {
					t.Errorf("printed %q, want %q", got, valid)
				}
				return
			}
			c.refused(args, "R2", tc.want)
		})
	}
	t.Run("badly written dates are usage errors", func(t *testing.T) {
		c := c.with(t)
		for _, args := range [][]string{
			{"--document", "utility-bill", "--document-date", "31/09/2026"},
			{"--document", "tenancy-agreement", "--tenancy-end", "next year"},
		} {
			r := c.run(append([]string{"registration", "approve", a}, args...)...)
			if r.code != 2 || !strings.Contains(r.stderr, "usage: permitline registration approve") {
				t.Errorf("%v: got %+v, want exit 2 with usage", args, r)
			}
		}
	})
}

func TestAddressDeactivateRefusesRegistration(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	if got := c.ok("address", "deactivate", "--address", "1 High Street", "--postcode", "cb11aa"); got != "1 High Street, CB1 1AA is now inactive\n" {
		t.Errorf("deactivate printed %q", got)
	}
	const email = "parking.permits@cambridgeshire.gov.uk"
	c.refused([]string{"registration", "approve", a, "--document", "driving-licence"}, "R4", email)
	c.refused([]string{"resident", "add", "--name", "Al", "--address", "1 High Street", "--postcode", "CB1 1AA",
		"--scheme", "Central", "--phone", "07700 900112"}, "R4", email)
	c.wantAccounts(1, "after a refused add")
	if got := c.show(a); got.Registered {
		t.Errorf("the account is registered after a refusal")
	}
	if !strings.Contains(c.ok("resident", "show", a), "(Central) INACTIVE") {
		t.Errorf("resident show does not say the address is inactive")
	}
	c.refused([]string{"address", "deactivate", "--address", "99 Nowhere", "--postcode", "CB1 1AA"}, "not found")

	if got := c.ok("address", "activate", "--address", "1 High Street", "--postcode", "CB1 1AA"); got != "1 High Street, CB1 1AA is now active\n" {
		t.Errorf("activate printed %q", got)
	}
	if got := c.ok("registration", "approve", a, "--document", "driving-licence"); !strings.Contains(got, "valid until") {
		t.Errorf("approve after activation printed %q", got)
	}
}

func TestMemberAdd(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	if got := c.ok("member", "add", a, "--name", "Jo Smith", "--phone", "07700 900222", "--can", "view,activate", "--pin", "1470"); got != "member Jo Smith added: may view,activate\n" {
		t.Errorf("member add printed %q", got)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown permission", []string{"--name", "Kim", "--phone", "07700 900223", "--can", "view,fly"}, 2, `unknown permission "fly"`},
		{"no permission", []string{"--name", "Kim", "--phone", "07700 900223", "--can", ""}, 2, "--can is required"},
		{"bad phone", []string{"--name", "Kim", "--phone", "12", "--can", "view"}, 1, "phone"},
		{"empty name", []string{"--name", "", "--phone", "07700 900223", "--can", "view"}, 2, "--name is required"},
		{"PIN that is a run", []string{"--name", "Kim", "--phone", "07700 900223", "--can", "view", "--pin", "4321"}, 1, "run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.with(t)
			args := append([]string{"member", "add", a}, tc.args...)
			if tc.code == 1 {
				c.refused(args, tc.want)
			} else {
				r := c.run(args...)
				if r.code != 2 || !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, "usage: permitline member add") {
					t.Errorf("got %+v, want exit 2 saying %q with usage", r, tc.want)
				}
			}
			if n := len(c.show(a).Members); n != 1 {
				t.Errorf("%d members after a refused add, want 1", n)
			}
		})
	}
	if got := c.ok("member", "add", a, "--name", "Kim", "--phone", "07700 900223", "--can", " BUY , view,buy"); got != "member Kim added: may buy,view\n" {
		t.Errorf("member add printed %q", got)
	}
}

func TestPermitsBuy(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")

	c.refused([]string{"permits", "buy", a, "--quantity", "2", "--payment-ref", "REF0"}, "R3", "no approved registration")
	c.ok("registration", "approve", a, "--document", "driving-licence")

	if got, want := c.ok("permits", "buy", a, "--quantity", "2", "--payment-ref", "REF1"),
		"2 permits bought for £36.00, valid until Tuesday 30 November 2027 at 10:00; 18 more may be bought this permit year, which renews on Thursday 1 April 2027\n"; got != want {
		t.Errorf("buy printed %q, want %q", got, want)
	}
	for range 2 {
		if got, want := c.ok("permits", "buy", a, "--quantity", "2", "--payment-ref", "REF1"),
			"payment REF1 was already recorded: nothing new bought\n"; got != want {
			t.Errorf("repeat printed %q, want %q", got, want)
		}
	}
	if got := c.show(a); got.BoughtThisYear != 2 || len(got.Permits) != 2 || got.AllowanceLeft != 18 {
		t.Errorf("after a repeated payment: bought %d, %d permits, %d left; want 2, 2, 18", got.BoughtThisYear, len(got.Permits), got.AllowanceLeft)
	}

	c.refused([]string{"permits", "buy", a, "--quantity", "19", "--payment-ref", "REF2"}, "R7", "only 18 more may be bought", "Thursday 1 April 2027")
	c.refused([]string{"permits", "buy", a, "--quantity", "21", "--payment-ref", "REF2"}, "quantity")
	c.refused([]string{"permits", "buy", a, "--quantity", "0", "--payment-ref", "REF2"}, "quantity")
	c.refused([]string{"permits", "buy", a, "--quantity", "-1", "--payment-ref", "REF2"}, "quantity")
	if got := c.show(a); got.BoughtThisYear != 2 {
		t.Errorf("refused purchases bought permits: %d bought, want 2", got.BoughtThisYear)
	}
	if got := c.ok("permits", "buy", a, "--quantity", "18", "--payment-ref", "REF3"); !strings.Contains(got, "18 permits bought for £324.00") ||
		!strings.Contains(got, "no more may be bought") {
		t.Errorf("buying the rest printed %q", got)
	}
	c.refused([]string{"permits", "buy", a, "--quantity", "1", "--payment-ref", "REF4"}, "R7", "1 permit asked for, but no more may be bought")

	for _, args := range [][]string{
		{"permits", "buy", a, "--quantity", "1"},
		{"permits", "buy", a, "--quantity", "1", "--payment-ref", "  "},
		{"permits", "buy", "--quantity", "1", "--payment-ref", "R"},
		{"permits", "buy", a, "--quantity", "two", "--payment-ref", "R"},
	} {
		if r := c.run(args...); r.code != 2 || !strings.Contains(r.stderr, "usage: permitline permits buy") {
			t.Errorf("%v: got %+v, want exit 2 with usage", args, r)
		}
	}
	if got := c.show(a); got.BoughtThisYear != 20 || got.AllowanceLeft != 0 {
		t.Errorf("bought %d, %d left; want 20 and 0", got.BoughtThisYear, got.AllowanceLeft)
	}
}

// TestFixedNowAcrossCommands pins the --now fix: with a clock that restarts at --now and
// runs on, a registration approved by one command was "in the future" for the next one
// run with the same --now, and buying was refused with R3.
func TestFixedNowAcrossCommands(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	for i := range 5 {
		c.ok("registration", "approve", a, "--document", "driving-licence")
		c.ok("permits", "buy", a, "--quantity", "1", "--payment-ref", "FIX"+string(rune('A'+i)))
	}
	if got := c.show(a); !got.Registered || len(got.Permits) != 5 || got.VisitsLeft != 25 {
		t.Errorf("after approving and buying at the same --now: registered %t, %d permits, %d visits; want true, 5, 25",
			got.Registered, len(got.Permits), got.VisitsLeft)
	}
}

var visitRE = regexp.MustCompile(`^visit ([3-9A-Z]{6}): AB12 CDE on Tuesday 1 December 2026 from 09:00 to 18:00; 9 visits left; it can be cancelled until Tuesday 1 December 2026 at 08:55\n$`)

func TestVisits(t *testing.T) {
	c := newCLI(t)
	a := c.registeredWithPermits()

	out := c.ok("visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-12-01")
	m := visitRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("visits add printed %q, want it to match %s", out, visitRE)
	}
	ref := m[1]

	c.refused([]string{"visits", "add", a, "--vrm", "AB12CDE", "--date", "2026-12-01"}, "R18", ref)
	c.refused([]string{"visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-12-15"}, "R12", "Monday 14 December 2026") // 15 days ahead
	c.refused([]string{"visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-11-29"}, "R12")                            // yesterday
	c.refused([]string{"visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-12-06"}, "R14", "no permit")               // a Sunday, Mon-Fri scheme
	c.refused([]string{"visits", "add", a, "--vrm", "zzzz", "--date", "2026-12-02"}, "R12", "zzzz")
	if r := c.run("visits", "add", a, "--vrm", "AB12CDE", "--date", "31 Nov"); r.code != 2 {
		t.Errorf("a badly written date: got %+v, want exit 2", r)
	}
	if got := c.show(a).VisitsLeft; got != 9 {
		t.Errorf("%d visits left after refusals, want 9", got)
	}

	if got := c.ok("visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-12-14"); !strings.Contains(got, "on Monday 14 December 2026") ||
		!strings.Contains(got, "; 8 visits left;") { // 14 days ahead is the last day allowed
		t.Errorf("visits add 14 days ahead printed %q", got)
	}
	if got := c.ok("visits", "add", a, "--vrm", "KX65ABC", "--date", "tomorrow"); !strings.Contains(got, "KX65 ABC on Tuesday 1 December 2026") {
		t.Errorf("visits add tomorrow printed %q", got)
	}
	// Today's visit starts now (R13), so its 5-minute cancellation window has gone (R17).
	today := c.ok("visits", "add", a, "--vrm", "Y123ABC")
	if !strings.Contains(today, "on Monday 30 November 2026 from 10:00 to 18:00; 6 visits left; it can no longer be cancelled (R17") {
		t.Errorf("visits add for today printed %q", today)
	}
	todayRef := strings.TrimSuffix(strings.Fields(today)[1], ":")
	c.refused([]string{"visits", "cancel", todayRef}, "R17", "could be cancelled until Monday 30 November 2026 at 09:55")

	// A bank holiday needs no permit (R14): ask on 21 December about the 28th.
	c.now = "2026-12-21T10:00:00Z"
	c.refused([]string{"visits", "add", a, "--vrm", "AB12CDE", "--date", "2026-12-28"}, "R14", "no permit is needed on Monday 28 December 2026: it is a bank holiday (Boxing Day)")
	c.now = testNow

	var vs []visit
	decode(t, c.ok("visits", "list", a, "--json"), &vs)
	if len(vs) != 4 {
		t.Fatalf("visits list --json has %d visits, want 4: %+v", len(vs), vs)
	}
	want := visit{Ref: ref, VRM: "AB12CDE", Date: "2026-12-01", StartsAt: "2026-12-01T09:00:00Z", EndsAt: "2026-12-01T18:00:00Z",
		Status: "active", By: "admin tester", Channel: "admin"}
	if vs[1] != want {
		t.Errorf("visits list --json [1] = %+v, want %+v", vs[1], want)
	}
	if vs[0].Date != "2026-11-30" || vs[3].Date != "2026-12-14" {
		t.Errorf("visits are not earliest first: %+v", vs)
	}
	if text := c.ok("visits", "list", a); !strings.Contains(text, ref+"  AB12CDE  2026-12-01  09:00  18:00  active  admin tester (admin)") {
		t.Errorf("visits list does not show %s:\n%s", ref, text)
	}

	if got, want := c.ok("visits", "cancel", strings.ToLower(ref)),
		"visit "+ref+" for AB12 CDE on Tuesday 1 December 2026 cancelled; the visit is back on its permit\n"; got != want {
		t.Errorf("cancel printed %q, want %q", got, want)
	}
	if got := c.show(a).VisitsLeft; got != 7 { // 10, less 4 taken, plus 1 given back
		t.Errorf("%d visits left after a cancellation, want 7", got)
	}
	c.refused([]string{"visits", "cancel", ref}, "R17", "already cancelled")
	c.refused([]string{"visits", "cancel", "QQQQQQ"}, "not found")
	decode(t, c.ok("visits", "list", a, "--json"), &vs)
	if vs[1].Ref != ref || vs[1].Status != "cancelled" {
		t.Errorf("after cancelling, visits list --json [1] = %+v, want %s cancelled", vs[1], ref)
	}
	// Once cancelled, the same vehicle may be booked again that day.
	if got := c.ok("visits", "add", a, "--vrm", "AB12CDE", "--date", "2026-12-01"); strings.Contains(got, ref) {
		t.Errorf("rebooking reused the cancelled reference: %q", got)
	}
}

func TestVisitsNeedPermits(t *testing.T) {
	c := newCLI(t)
	c.importSchemes(testSchemes)
	a := c.addResident("Ann Smith", "1 High Street", "Central", "07700 900111", "")
	c.refused([]string{"visits", "add", a, "--vrm", "AB12CDE", "--date", "2026-12-01"}, "R15")
	if got := c.ok("visits", "list", a, "--json"); got != "[]\n" {
		t.Errorf("visits list --json = %q, want []", got)
	}
}

func TestCheck(t *testing.T) {
	c := newCLI(t)
	a := c.registeredWithPermits()
	m := visitRE.FindStringSubmatch(c.ok("visits", "add", a, "--vrm", "ab12 cde", "--date", "2026-12-01"))
	if m == nil {
		t.Fatal("visits add did not print a visit")
	}
	ref := m[1]
	cancelled := strings.TrimSuffix(strings.Fields(c.ok("visits", "add", a, "--vrm", "AB12CDE", "--date", "2026-12-02"))[1], ":")
	c.ok("visits", "cancel", cancelled)

	for _, tc := range []struct {
		name         string
		args         []string
		code         int
		stdout, want string // want is stderr when code != 0
	}{
		{"active visit", []string{"ab12 cde", "--scheme", "Central", "--at", "2026-12-01T12:00"}, 0, "permitted: active visit " + ref + "\n", ""},
		{"active visit, RFC3339", []string{"AB12CDE", "--scheme", "Central", "--at", "2026-12-01T17:59:59Z"}, 0, "permitted: active visit " + ref + "\n", ""},
		{"another vehicle", []string{"XY12ZZZ", "--scheme", "Central", "--at", "2026-12-01T12:00"}, 1, "", "not permitted: XY12 ZZZ holds no active visit in Central at 12:00 on Tue 1 Dec 2026\n"},
		{"another scheme (R9)", []string{"AB12CDE", "--scheme", "Market", "--at", "2026-12-01T12:00"}, 1, "", "not permitted: AB12 CDE holds no active visit in Market at 12:00 on Tue 1 Dec 2026\n"},
		{"the day after", []string{"AB12CDE", "--scheme", "Central", "--at", "2026-12-03T12:00"}, 1, "", "not permitted: AB12 CDE holds no active visit in Central at 12:00 on Thu 3 Dec 2026\n"},
		{"a cancelled visit", []string{"AB12CDE", "--scheme", "Central", "--at", "2026-12-02T12:00"}, 1, "", "not permitted: AB12 CDE holds no active visit in Central at 12:00 on Wed 2 Dec 2026\n"},
		{"after hours", []string{"XY12ZZZ", "--scheme", "Central", "--at", "2026-12-01T18:00"}, 0, "permitted: no permit is needed outside Central's operational hours\n", ""},
		{"before hours", []string{"XY12ZZZ", "--scheme", "Central", "--at", "2026-12-01T08:59"}, 0, "permitted: no permit is needed outside Central's operational hours\n", ""},
		{"a Sunday", []string{"XY12ZZZ", "--scheme", "Central", "--at", "2026-12-06T12:00"}, 0, "permitted: no permit is needed on a Sunday in Central\n", ""},
		{"a bank holiday", []string{"XY12ZZZ", "--scheme", "Market", "--at", "2026-12-28T12:00"}, 0, "permitted: no permit is needed on a bank holiday\n", ""},
		{"default time is --now, inside hours", []string{"XY12ZZZ", "--scheme", "Central"}, 1, "", "not permitted: XY12 ZZZ holds no active visit in Central at 10:00 on Mon 30 Nov 2026\n"},
		{"unknown scheme", []string{"AB12CDE", "--scheme", "Nowhere", "--at", "2026-12-01T12:00"}, 3, "", "permitline check: scheme \"Nowhere\": not found\n"},
		{"invalid VRM", []string{"zzzz", "--scheme", "Central", "--at", "2026-12-01T12:00"}, 3, "", "R12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run(append([]string{"check"}, tc.args...)...)
			if r.code != tc.code || r.stdout != tc.stdout {
				t.Errorf("check %v: exit %d, stdout %q; want %d, %q (stderr %q)", tc.args, r.code, r.stdout, tc.code, tc.stdout, r.stderr)
			}
			if tc.code == 0 && r.stderr != "" {
				t.Errorf("stderr %q, want nothing", r.stderr)
			}
			if tc.code != 0 {
				assertOneLine(t, r.stderr)
				if !strings.Contains(r.stderr, tc.want) {
					t.Errorf("stderr %q does not contain %q", r.stderr, tc.want)
				}
			}
		})
	}
	if r := c.run("check", "AB12CDE", "--scheme", "Central", "--at", "noon"); r.code != 2 || !strings.Contains(r.stderr, "usage: permitline check") {
		t.Errorf("a bad --at: got %+v, want exit 2 with usage", r)
	}
}

func TestHours(t *testing.T) {
	c := newCLI(t)
	for _, tc := range []struct {
		name, at, want string
	}{
		{"R19 weekday 17:59 open", "2026-11-30T17:59",
			"open: the helpdesk is open until 18:00\ntoday (Monday 30 November 2026): 08:00 to 18:00\n"},
		{"R19 weekday 18:00 closed, opens tomorrow 08:00", "2026-11-30T18:00",
			"closed: the helpdesk next opens Tuesday 1 December 2026 at 08:00\ntoday (Monday 30 November 2026): 08:00 to 18:00\n"},
		{"R19 weekday 07:59 closed, opens at 08:00", "2026-11-30T07:59",
			"closed: the helpdesk next opens Monday 30 November 2026 at 08:00\ntoday (Monday 30 November 2026): 08:00 to 18:00\n"},
		{"R19 Saturday 16:00 closed, opens Sunday 10:00", "2026-12-05T16:00",
			"closed: the helpdesk next opens Sunday 6 December 2026 at 10:00\ntoday (Saturday 5 December 2026): 08:00 to 16:00\n"},
		{"R19 Christmas Eve 18:00, opens Saturday 26th", "2026-12-24T18:00",
			"closed: the helpdesk next opens Saturday 26 December 2026 at 08:00\ntoday (Thursday 24 December 2026): 08:00 to 18:00\n"},
		{"R19 Christmas Day closed all day", "2026-12-25T12:00",
			"closed: the helpdesk next opens Saturday 26 December 2026 at 08:00\ntoday (Friday 25 December 2026): closed all day (Christmas Day)\n"},
		{"R19 Christmas Day at 10:00 still closed", "2026-12-25T10:00:00Z",
			"closed: the helpdesk next opens Saturday 26 December 2026 at 08:00\ntoday (Friday 25 December 2026): closed all day (Christmas Day)\n"},
		{"R19 Sunday 27 Dec 16:00, opens on the substitute day at 10:00", "2026-12-27T16:00",
			"closed: the helpdesk next opens Monday 28 December 2026 at 10:00\ntoday (Sunday 27 December 2026): 10:00 to 16:00\n"},
		{"R19 substitute Boxing Day 09:00 closed", "2026-12-28 09:00",
			"closed: the helpdesk next opens Monday 28 December 2026 at 10:00\ntoday (Monday 28 December 2026): 10:00 to 16:00 (Boxing Day)\n"},
		{"R19 substitute Boxing Day noon open", "2026-12-28T12:00:00",
			"open: the helpdesk is open until 16:00\ntoday (Monday 28 December 2026): 10:00 to 16:00 (Boxing Day)\n"},
		{"R19 summer 17:59 BST open", "2026-06-10T17:59",
			"open: the helpdesk is open until 18:00\ntoday (Wednesday 10 June 2026): 08:00 to 18:00\n"},
		{"R19 summer 17:00Z is 18:00 BST, closed", "2026-06-10T17:00:00Z",
			"closed: the helpdesk next opens Thursday 11 June 2026 at 08:00\ntoday (Wednesday 10 June 2026): 08:00 to 18:00\n"},
		{"no --at: the clock's --now", "",
			"open: the helpdesk is open until 18:00\ntoday (Monday 30 November 2026): 08:00 to 18:00\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c.with(t)
			args := []string{"hours"}
			if tc.at != "" {
				args = append(args, "--at", tc.at)
			}
			if got := c.ok(args...); got != tc.want {
				t.Errorf("hours --at %s =\n%s\nwant\n%s", tc.at, got, tc.want)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "permitline.db")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"invalid --now", []string{"hours", "--db", db, "--now", "2026-11-30 25:00"}, []string{`--now: "2026-11-30 25:00" is not a time`, "RFC3339", "usage: permitline hours"}},
		{"invalid --now on migrate", []string{"migrate", "--db", db, "--now", "yesterday"}, []string{"is not a time", "usage: permitline migrate"}},
		{"invalid --now on resident list", []string{"resident", "list", "--db", db, "--now", "2026-13-01T00:00:00Z"}, []string{"is not a time"}},
		{"--now in the hour the clocks skip", []string{"hours", "--db", db, "--now", "2026-03-29 01:30"}, []string{"does not happen in London"}},
		{"unknown command", []string{"frobnicate", "--db", db}, []string{`unknown command "frobnicate --db ` + db + `"`, "usage: permitline COMMAND", "permitline visits add ACCOUNT"}},
		{"unknown subcommand", []string{"resident", "delete", "12345678"}, []string{"unknown command", "usage: permitline resident COMMAND", "permitline resident show ACCOUNT"}},
		{"no command", nil, []string{"usage: permitline COMMAND", "permitline hours [--at TIME]"}},
		{"missing argument", []string{"resident", "show", "--db", db}, []string{"expected 1 argument(s), got 0", "usage: permitline resident show ACCOUNT [--json]"}},
		{"extra argument", []string{"migrate", "now", "--db", db}, []string{"expected 0 argument(s), got 1", "usage: permitline migrate"}},
		{"unknown flag", []string{"hours", "--when", "noon", "--db", db}, []string{"-when", "usage: permitline hours"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := invoke(tc.args...)
			if r.code != 2 || r.stdout != "" {
				t.Errorf("exit %d, stdout %q; want 2 and nothing", r.code, r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, r.stderr)
				}
			}
		})
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a usage error created the database (stat: %v)", err)
	}
}

var demoLineRE = regexp.MustCompile(`(?m)^  (Alex Morgan|Jordan Morgan|Priya Shah|Sam Taylor|Chris Lee) +(0[0-9 ]+?) +([0-9]{4}) +([1-9][0-9]{7}) `)

// demoAccounts reads the demo's table: name to account number.
func demoAccounts(t *testing.T, out string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, m := range demoLineRE.FindAllStringSubmatch(out, -1) {
		got[m[1]] = m[4]
	}
	for _, name := range []string{"Alex Morgan", "Jordan Morgan", "Priya Shah", "Sam Taylor", "Chris Lee"} {
		if got[name] == "" {
			t.Errorf("demo does not list %s with an account number:\n%s", name, out)
		}
	}
	return got
}

// TestDemo seeds with --seed-only: without it, demo goes on to run the line's server.
func TestDemo(t *testing.T) {
	c := newCLI(t)
	out := c.ok("demo", "--seed-only")
	if !strings.HasPrefix(out, "Demo accounts in "+c.db+". You can be:\n") {
		t.Errorf("demo output starts %q", out)
	}
	if !strings.Contains(out, "  Alex Morgan    07700 900123  2580") {
		t.Errorf("demo does not show Alex Morgan's phone and PIN:\n%s", out)
	}
	people := demoAccounts(t, out)
	if people["Jordan Morgan"] != people["Alex Morgan"] {
		t.Errorf("Jordan Morgan (member) is on account %s, Alex Morgan on %s", people["Jordan Morgan"], people["Alex Morgan"])
	}
	var listed []string
	for _, r := range c.residents() {
		listed = append(listed, r["account"].(string))
	}
	want := []string{people["Alex Morgan"], people["Priya Shah"], people["Sam Taylor"], people["Chris Lee"]}
	if strings.Join(listed, " ") != strings.Join(want, " ") {
		t.Errorf("resident list = %v, want the demo accounts %v", listed, want)
	}
	if alex := c.show(people["Alex Morgan"]); len(alex.Permits) != 2 || !alex.Registered || len(alex.Members) != 1 {
		t.Errorf("Alex Morgan: %d permits, registered %t, %d members; want 2, true, 1", len(alex.Permits), alex.Registered, len(alex.Members))
	}
	if chris := c.show(people["Chris Lee"]); chris.AllowanceLeft != 0 {
		t.Errorf("Chris Lee has %d permits left to buy, want 0", chris.AllowanceLeft)
	}

	c.refused([]string{"demo", "--seed-only"}, "already holds accounts", "--fresh")
	c.wantAccounts(4, "after a refused demo")

	again := demoAccounts(t, c.ok("demo", "--seed-only", "--fresh"))
	c.wantAccounts(4, "after demo --fresh")
	if again["Alex Morgan"] == "" {
		t.Fatal("demo --fresh listed no Alex Morgan")
	}
	// The demo's account numbers are fixed, so a guide or a training sheet can name them.
	for name, account := range people {
		if again[name] != account {
			t.Errorf("%s: account %s, then %s after demo --fresh; want the same number", name, account, again[name])
		}
	}
	if people["Alex Morgan"] != "31000123" {
		t.Errorf("Alex Morgan is on account %s, want 31000123 (fixtures/demo.json)", people["Alex Morgan"])
	}
	c.ok("resident", "show", again["Alex Morgan"])
}

func TestEnvironmentVariables(t *testing.T) {
	db := filepath.Join(t.TempDir(), "from-env.db")
	t.Setenv("PERMITLINE_DB", db)
	t.Setenv("PERMITLINE_NOW", "2026-12-25T12:00:00Z")

	if r := invoke("migrate"); r.code != 0 || r.stdout != fmt.Sprintf("%s is at schema version %d\n", db, schemaVersion(t)) {
		t.Errorf("migrate with PERMITLINE_DB: %+v", r)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("PERMITLINE_DB was not used: %v", err)
	}
	if r := invoke("hours"); r.code != 0 ||
		r.stdout != "closed: the helpdesk next opens Saturday 26 December 2026 at 08:00\ntoday (Friday 25 December 2026): closed all day (Christmas Day)\n" {
		t.Errorf("hours with PERMITLINE_NOW on Christmas Day: %+v", r)
	}
	// Flags win over the environment.
	if r := invoke("hours", "--now", "2026-11-30T17:59:00Z"); r.code != 0 || !strings.HasPrefix(r.stdout, "open:") {
		t.Errorf("hours --now over PERMITLINE_NOW: %+v", r)
	}
	other := filepath.Join(t.TempDir(), "flag.db")
	if r := invoke("migrate", "--db", other); r.code != 0 || !strings.HasPrefix(r.stdout, other+" ") {
		t.Errorf("migrate --db over PERMITLINE_DB: %+v", r)
	}

	// A resident added under PERMITLINE_NOW carries that instant.
	path := writeFile(t, "s.csv", testSchemes)
	if r := invoke("schemes", "import", path); r.code != 0 {
		t.Fatalf("schemes import: %+v", r)
	}
	r := invoke("resident", "add", "--name", "Env", "--address", "1 Env Road", "--postcode", "CB1 1AA",
		"--scheme", "Central", "--phone", "07700 900555")
	if r.code != 0 || !accountRE.MatchString(r.stdout) {
		t.Fatalf("resident add: %+v", r)
	}
	list := invoke("resident", "list", "--json")
	if !strings.Contains(list.stdout, `"created_at": "2026-12-25T12:00:00Z"`) {
		t.Errorf("resident list --json does not show the PERMITLINE_NOW instant:\n%s", list.stdout)
	}

	t.Setenv("PERMITLINE_NOW", "not a time")
	if r := invoke("hours"); r.code != 2 || !strings.Contains(r.stderr, `--now: "not a time" is not a time`) {
		t.Errorf("a bad PERMITLINE_NOW: %+v, want exit 2", r)
	}
}

// TestClockAtNow pins how --now sets the clock: a back-office command acts at exactly
// --now, so a run of commands with one --now agree on the moment (see
// TestFixedNowAcrossCommands); the line's server starts there and runs on.
func TestClockAtNow(t *testing.T) {
	at, err := time.Parse(time.RFC3339, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		command string
		runs    bool
	}{
		{"permits buy", false},
		{"visits add", false},
		{"hours", false},
		{"serve", true},
		{"demo", true},
	} {
		t.Run(tc.command, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "c.db")
			if r := invoke("migrate", "--db", db); r.code != 0 {
				t.Fatalf("migrate: %+v", r)
			}
			e := &env{stdout: io.Discard, stderr: io.Discard}
			defer e.close()
			fs := e.flags(tc.command)
			if _, err := parse(fs, []string{"--db", db, "--now", testNow}, 0); err != nil {
				t.Fatal(err)
			}
			if err := e.open(context.Background()); err != nil {
				t.Fatal(err)
			}
			first := e.clock.Now()
			time.Sleep(5 * time.Millisecond)
			second := e.clock.Now()
			if first.Before(at) || first.Sub(at) > time.Second {
				t.Errorf("the clock first reads %v, want %v", first, at)
			}
			if runs := second.After(first); runs != tc.runs {
				t.Errorf("the clock runs: %t, want %t (%v then %v)", runs, tc.runs, first, second)
			}
			if !tc.runs && !first.Equal(at) {
				t.Errorf("the clock reads %v, want exactly %v", first, at)
			}
		})
	}
}
