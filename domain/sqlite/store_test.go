package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
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

func TestUpdateCommitsOrRollsBack(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx domain.Tx) error {
		if _, err := tx.UpsertScheme(namedScheme(t, "Rolled Back")); err != nil {
			return err
		}
		// A transaction reads its own writes.
		if _, err := tx.SchemeByName("Rolled Back"); err != nil {
			t.Errorf("own write not visible in the transaction: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	update(t, s, func(tx domain.Tx) error {
		_, err := tx.UpsertScheme(namedScheme(t, "Committed"))
		return err
	})
	view(t, s, func(r domain.Reader) error {
		if _, err := r.SchemeByName("Rolled Back"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("write of a failed Update: got %v, want ErrNotFound", err)
		}
		if _, err := r.SchemeByName("Committed"); err != nil {
			t.Errorf("write of a committed Update: %v", err)
		}
		return nil
	})
}

// A panic inside fn must not leave the one write connection in an open transaction.
func TestUpdateSurvivesPanic(t *testing.T) {
	s, _ := open(t)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic")
			}
		}()
		s.Update(context.Background(), func(tx domain.Tx) error { //nolint:errcheck // panics
			if _, err := tx.UpsertScheme(namedScheme(t, "Panicked")); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Update(ctx, func(tx domain.Tx) error {
		_, err := tx.SchemeByName("Panicked")
		if !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("write of a panicked Update: got %v, want ErrNotFound", err)
		}
		return nil
	}); err != nil {
		t.Fatalf("Update after a panicked one: %v", err)
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

// wantConstraint fails unless the Update failed on a constraint naming what.
func wantConstraint(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the database accepted what %s forbids", what)
	}
	if !strings.Contains(err.Error(), what) {
		t.Fatalf("got %v, want a %s failure", err, what)
	}
}

func TestSchemaRefusesWhatIsNeverRight(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	r := seed(t, s)
	update(t, s, func(tx domain.Tx) error {
		_, err := tx.InsertVisit(r.visit("ABC234", "AB12CDE"))
		return err
	})

	t.Run("second active visit", func(t *testing.T) {
		err := s.Update(ctx, func(tx domain.Tx) error {
			_, err := tx.InsertVisit(r.visit("ABC235", "AB12CDE"))
			return err
		})
		wantConstraint(t, err, "UNIQUE constraint failed: visits.resident_id, visits.scheme_id, visits.vrm, visits.date")
		// Another vehicle, or the same vehicle once its visit is cancelled, is fine.
		update(t, s, func(tx domain.Tx) error {
			if _, err := tx.InsertVisit(r.visit("ABC236", "XY34ZZZ")); err != nil {
				return err
			}
			v, err := tx.VisitByRef("ABC234")
			if err != nil {
				return err
			}
			if err := tx.SetVisitCancelled(v.ID, now); err != nil {
				return err
			}
			_, err = tx.InsertVisit(r.visit("ABC237", "AB12CDE"))
			return err
		})
	})
	t.Run("visits_used out of range", func(t *testing.T) {
		for _, used := range []int{-1, domain.VisitsPerPermit + 1} {
			err := s.Update(ctx, func(tx domain.Tx) error { return tx.SetPermitVisitsUsed(r.permit.ID, used) })
			wantConstraint(t, err, "CHECK constraint failed")
		}
		update(t, s, func(tx domain.Tx) error { return tx.SetPermitVisitsUsed(r.permit.ID, domain.VisitsPerPermit) })
	})
	t.Run("duplicate payment key", func(t *testing.T) {
		err := s.Update(ctx, func(tx domain.Tx) error {
			p := r.payment
			p.ID, p.ProviderRef = 0, "AGAIN"
			_, err := tx.InsertPayment(p)
			return err
		})
		wantConstraint(t, err, "UNIQUE constraint failed: payments.idempotency_key")
	})
	t.Run("duplicate visit key", func(t *testing.T) {
		v := r.visit("ABC238", "CD56EFG")
		v.IdempotencyKey = "visit-1"
		update(t, s, func(tx domain.Tx) error { _, err := tx.InsertVisit(v); return err })
		err := s.Update(ctx, func(tx domain.Tx) error {
			v.Ref, v.VRM = "ABC239", "CD56EFH"
			_, err := tx.InsertVisit(v)
			return err
		})
		wantConstraint(t, err, "UNIQUE constraint failed: visits.idempotency_key")
	})
	t.Run("permit of no payment", func(t *testing.T) {
		err := s.Update(ctx, func(tx domain.Tx) error {
			p := r.permit
			p.ID, p.PaymentID = 0, r.payment.ID+1000
			_, err := tx.InsertPermit(p)
			return err
		})
		wantConstraint(t, err, "FOREIGN KEY constraint failed")
	})
	t.Run("nothing of the refused writes was kept", func(t *testing.T) {
		view(t, s, func(rd domain.Reader) error {
			ps, err := rd.PermitsExpiringAfter(r.resident.ID, time.Time{})
			if err != nil {
				return err
			}
			if len(ps) != 1 || ps[0].VisitsUsed != domain.VisitsPerPermit {
				t.Errorf("permits: %+v, want the one permit with %d visits used", ps, domain.VisitsPerPermit)
			}
			vs, err := rd.VisitsFrom(r.resident.ID, today, 100)
			if err != nil {
				return err
			}
			var refs []string
			for _, v := range vs {
				refs = append(refs, v.Ref+":"+string(v.Status))
			}
			sort.Strings(refs)
			want := "ABC234:cancelled ABC236:active ABC237:active ABC238:active"
			if got := strings.Join(refs, " "); got != want {
				t.Errorf("visits: %s, want %s", got, want)
			}
			return nil
		})
	})
}

func TestViewNotFound(t *testing.T) {
	s, _ := open(t)
	view(t, s, func(r domain.Reader) error {
		for name, lookup := range map[string]func() error{
			"ResidentByAccount":  func() error { _, err := r.ResidentByAccount("99999999"); return err },
			"ResidentByID":       func() error { _, err := r.ResidentByID(42); return err },
			"VisitByRef":         func() error { _, err := r.VisitByRef("ZZZZZZ"); return err },
			"VisitByKey":         func() error { _, err := r.VisitByKey("nope"); return err },
			"PaymentByKey":       func() error { _, err := r.PaymentByKey("nope"); return err },
			"LatestRegistration": func() error { _, err := r.LatestRegistration(42); return err },
			"ActiveVisit":        func() error { _, err := r.ActiveVisit(42, 1, "AB12CDE", today); return err },
			"SchemeByName":       func() error { _, err := r.SchemeByName("Nowhere"); return err },
		} {
			if err := lookup(); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("%s of a missing record: %v, want ErrNotFound", name, err)
			}
		}
		return nil
	})
}

// A View reads one snapshot: a write committed while it runs is not seen by it.
func TestViewReadsASnapshot(t *testing.T) {
	s, _ := open(t)
	r := seed(t, s)
	view(t, s, func(rd domain.Reader) error {
		before, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err != nil {
			return err
		}
		update(t, s, func(tx domain.Tx) error { return tx.SetPermitVisitsUsed(r.permit.ID, 3) })
		after, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err != nil {
			return err
		}
		if len(after) != 1 || after[0].VisitsUsed != before[0].VisitsUsed {
			t.Errorf("a View saw a write committed after it began: %+v then %+v", before, after)
		}
		return nil
	})
	view(t, s, func(rd domain.Reader) error {
		ps, err := rd.PermitsExpiringAfter(r.resident.ID, now)
		if err == nil && (len(ps) != 1 || ps[0].VisitsUsed != 3) {
			t.Errorf("a later View: %+v, want 3 visits used", ps)
		}
		return err
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

// TestViewAndCancellation: a View asked for on a context already ended reads nothing; one
// whose context ends while it reads runs its reads to their end (each is short, and a
// snapshot never waits for a lock).
func TestViewAndCancellation(t *testing.T) {
	s, _ := open(t)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := s.View(ended, func(domain.Reader) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("View on an ended context: err %v, ran %v; want context.Canceled, not run", err, ran)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := s.View(ctx, func(r domain.Reader) error {
		cancel()
		for range 3 {
			if _, err := r.Schemes(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reads after the context ended mid-View: %v", err)
	}
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
