package sqlite_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

// open opens a store on a fresh file in the test's temp dir and closes it at the end.
func open(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "permitline.db")
	return reopen(t, path), path
}

// reopen opens the store at path, as a restarted process would, and closes it at the end.
func reopen(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// latestMigration is the highest version among the migration files.
func latestMigration(t *testing.T) (version, files int) {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0])
		if err != nil {
			t.Fatalf("migration %s has no number", n)
		}
		version = max(version, v)
	}
	return version, len(names)
}

func update(t *testing.T, s *sqlite.Store, fn func(domain.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func view(t *testing.T, s *sqlite.Store, fn func(domain.Reader) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

var (
	now   = time.Date(2026, time.April, 13, 9, 30, 0, 0, calendar.London) // a Monday
	today = calendar.DateOf(now)
)

// records are the rows a visit hangs from.
type records struct {
	scheme   domain.Scheme
	resident domain.Resident
	payment  domain.Payment
	permit   domain.Permit
}

// seed writes a scheme, an address, a resident, a payment and a permit.
func seed(t *testing.T, s *sqlite.Store) records {
	t.Helper()
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	var r records
	update(t, s, func(tx domain.Tx) error {
		if r.scheme, err = tx.UpsertScheme(schemes[0]); err != nil {
			return err
		}
		addr, err := tx.InsertAddress(domain.Address{Line: "1 Test Road", Postcode: "CB1 3AA", SchemeID: r.scheme.ID, Active: true})
		if err != nil {
			return err
		}
		if r.resident, err = tx.InsertResident(domain.Resident{Account: "12345678", Name: "Test Resident",
			AddressID: addr.ID, Phone: "+447700900123", CreatedAt: now}); err != nil {
			return err
		}
		if r.payment, err = tx.InsertPayment(domain.Payment{ResidentID: r.resident.ID, AmountPence: domain.PermitPrice,
			Quantity: 1, ProviderRef: "TEST", IdempotencyKey: "pay-1", Channel: domain.ChannelAdmin, CreatedAt: now}); err != nil {
			return err
		}
		r.permit, err = tx.InsertPermit(domain.Permit{ResidentID: r.resident.ID, SchemeID: r.scheme.ID,
			PaymentID: r.payment.ID, PurchasedAt: now, ExpiresAt: calendar.AddMonths(now, domain.PermitValidityMonths)})
		return err
	})
	return r
}

// namedScheme is a demo scheme renamed.
func namedScheme(t *testing.T, name string) domain.Scheme {
	t.Helper()
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	sc := schemes[0]
	sc.Name = name
	return sc
}

func (r records) visit(ref, vrm string) domain.Visit {
	start, end := r.scheme.Hours.Span.On(today)
	return domain.Visit{Ref: ref, ResidentID: r.resident.ID, PermitID: r.permit.ID, SchemeID: r.scheme.ID,
		VRM: vrm, Date: today, StartsAt: start, EndsAt: end, Status: domain.VisitActive, CreatedAt: now,
		By: domain.Admin("test")}
}

func TestOpenAppliesMigrationsOnce(t *testing.T) {
	ctx := context.Background()
	want, files := latestMigration(t)
	s, path := open(t)
	if v, err := s.Version(ctx); err != nil || v != want {
		t.Fatalf("fresh file: version %d, %v; want %d", v, err, want)
	}
	r := seed(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = reopen(t, path)
	if v, err := s.Version(ctx); err != nil || v != want {
		t.Fatalf("reopened: version %d, %v; want %d", v, err, want)
	}
	var applied int
	if err := sqlite.WriteDB(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != files {
		t.Errorf("schema_migrations holds %d rows, want one per file (%d)", applied, files)
	}
	view(t, s, func(rd domain.Reader) error {
		got, err := rd.ResidentByAccount(r.resident.Account)
		if err != nil {
			return err
		}
		if got.ID != r.resident.ID {
			t.Errorf("resident after reopening: %+v, want id %d", got, r.resident.ID)
		}
		return nil
	})
}

func pragma(t *testing.T, c *sql.Conn, name string) string {
	t.Helper()
	var v string
	if err := c.QueryRowContext(context.Background(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestPragmas(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	for _, pool := range []struct {
		name string
		db   *sql.DB
		want map[string]string
	}{
		{"write", sqlite.WriteDB(s), map[string]string{"journal_mode": "wal", "foreign_keys": "1", "query_only": "0",
			"wal_autocheckpoint": "0"}}, // checkpoints run beside the writer, not in its commits
		{"read", sqlite.ReadDB(s), map[string]string{"journal_mode": "wal", "foreign_keys": "1", "query_only": "1"}},
	} {
		c, err := pool.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range pool.want {
			if got := pragma(t, c, name); got != want {
				t.Errorf("%s connection: %s = %s, want %s", pool.name, name, got, want)
			}
		}
		// NORMAL (1) or FULL (2): with WAL, either keeps every commit through a crash of the process.
		if sync := pragma(t, c, "synchronous"); sync != "1" && sync != "2" {
			t.Errorf("%s connection: synchronous = %s, want NORMAL (1) or FULL (2)", pool.name, sync)
		}
		if bt, err := strconv.Atoi(pragma(t, c, "busy_timeout")); err != nil || bt <= 0 {
			t.Errorf("%s connection: busy_timeout = %d (%v), want > 0", pool.name, bt, err)
		}
		c.Close()
	}
	if n := sqlite.WriteDB(s).Stats().MaxOpenConnections; n != 1 {
		t.Errorf("write pool allows %d connections, want 1", n)
	}
}

// Update takes the write lock when it begins (BEGIN IMMEDIATE), before its first write,
// so a read-then-write in fn cannot be overtaken by another writer.
func TestUpdateLocksAtBegin(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	update(t, s, func(tx domain.Tx) error {
		if _, err := tx.Schemes(); err != nil {
			return err
		}
		_, err := other.ExecContext(ctx, `BEGIN IMMEDIATE`)
		if err == nil {
			other.ExecContext(ctx, `ROLLBACK`) //nolint:errcheck // test cleanup
			t.Error("another connection took the write lock while an Update was open")
		} else if !strings.Contains(err.Error(), "locked") && !strings.Contains(err.Error(), "busy") {
			t.Errorf("another writer: %v, want SQLITE_BUSY", err)
		}
		return nil
	})
}

func TestCommittedWriteSurvivesRestart(t *testing.T) {
	s, path := open(t)
	r := seed(t, s)
	v := r.visit("ABC234", "AB12CDE")
	update(t, s, func(tx domain.Tx) error {
		var err error
		v, err = tx.InsertVisit(v)
		if err != nil {
			return err
		}
		return tx.SetPermitVisitsUsed(r.permit.ID, 1)
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Nothing else of the old process's files is used: only what reached the database file
	// and its WAL survives.
	s = reopen(t, path)
	view(t, s, func(rd domain.Reader) error {
		got, err := rd.VisitByRef("ABC234")
		if err != nil {
			return err
		}
		if got.ID != v.ID || got.VRM != "AB12CDE" || !got.StartsAt.Equal(v.StartsAt) || got.Date != today {
			t.Errorf("visit after restart: %+v, want %+v", got, v)
		}
		ps, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].VisitsUsed != 1 {
			t.Errorf("permits after restart: %+v, want one with 1 visit used", ps)
		}
		return nil
	})
}

// tableScan matches a plan step that reads a whole table or index.
var tableScan = regexp.MustCompile(`^SCAN (\w+)`)

// usesIndex matches a plan step that seeks through an index or the rowid.
var usesIndex = regexp.MustCompile(`^SEARCH (\w+) USING (INDEX|COVERING INDEX|INTEGER PRIMARY KEY)`)

// The lookups the rules make on every call find their rows through an index: their cost
// must not grow with the number of residents, permits or visits held.
func TestQueryPlansUseIndexes(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	db := sqlite.WriteDB(s)
	hot := []string{"PermitsBought", "PermitsExpiringAfter", "ActiveVisit", "VisitsCovering", "VisitByRef",
		"ResidentByAccount", "ResidentsByPhone", "VisitsFrom", "SignedOut"}
	names := make([]string, 0, len(sqlite.ReaderSQL))
	for name := range sqlite.ReaderSQL {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			query := sqlite.ReaderSQL[name]
			args := make([]any, strings.Count(query, "?"))
			for i := range args {
				args[i] = 1
			}
			rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var steps []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
					t.Fatal(err)
				}
				steps = append(steps, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %s", name, strings.Join(steps, " | "))
			searched := false
			for _, st := range steps {
				if m := tableScan.FindStringSubmatch(st); m != nil {
					t.Errorf("%s reads all of %s: %q", name, m[1], st)
				}
				searched = searched || usesIndex.MatchString(st)
			}
			if !searched {
				t.Errorf("%s uses no index: %q", name, steps)
			}
		})
	}
	for _, name := range hot {
		if _, ok := sqlite.ReaderSQL[name]; !ok {
			t.Errorf("no SQL exposed for %s", name)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupBenchStores()
	os.Exit(code)
}

// An address stored before migration 0010 has no line key: the store fills it when it
// opens, so the address is found by any spelling of its line (R4).
func TestAddressKeysFilledAtOpen(t *testing.T) {
	s, path := open(t)
	var sc domain.Scheme
	update(t, s, func(tx domain.Tx) (err error) {
		sc, err = tx.UpsertScheme(namedScheme(t, "Old"))
		if err != nil {
			return err
		}
		_, err = tx.InsertAddress(domain.Address{Line: "1 Old Street", Postcode: "CB1 1AA", SchemeID: sc.ID})
		return err
	})
	if _, err := sqlite.WriteDB(s).Exec(`UPDATE addresses SET line_key = ''`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, path)
	if err := s.View(context.Background(), func(r domain.Reader) error {
		a, err := r.AddressByLine("1 old st", "CB1 1AA")
		if err != nil {
			return err
		}
		if a.Line != "1 Old Street" || a.Active {
			t.Errorf("found %+v", a)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func wantConstraint(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the database accepted what %s forbids", what)
	}
	if !strings.Contains(err.Error(), what) {
		t.Fatalf("got %v, want a %s failure", err, what)
	}
}
