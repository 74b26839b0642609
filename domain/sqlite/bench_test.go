package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

// The benchmarks run the two writes residents make most, activating a visit and buying a
// permit, through domain.Service on stores of two sizes. Both stores hold the same 10,000
// residents, registered, each with 4 permits bought this permit year; the larger one also
// holds the last permit year's history: 20 used-up permits a resident and the 1,000,000
// visits made with them. An operation's cost must not depend on that history.
//
// A store is seeded once per process, on its first benchmark, with raw SQL in one
// transaction, and reused by every later benchmark and -count round: each iteration acts
// for the next resident in turn, so no rule (R7's 20 a year, R18's one visit a day, R8's 5
// visits a permit) refuses for as long as 10,000 residents x 16 purchases, or x 20
// activations, last.

const (
	benchResidents      = 10_000
	benchPermitsNow     = 4   // bought this permit year, unused
	benchPermitsPast    = 20  // bought last permit year, used up
	benchVisitsPerPast  = 100 // visits of the past year per resident: 20 permits x 5
	benchVehiclesPerRes = 5
	pastPermitIDBase    = 1_000_000
)

var (
	// benchStart is when the benchmarks act: a Monday, inside Coleridge West's hours.
	benchStart = time.Date(2026, time.April, 13, 9, 30, 0, 0, calendar.London)
	// boughtNow is when this permit year's permits were bought.
	boughtNow = time.Date(2026, time.April, 2, 10, 0, 0, 0, calendar.London)
	// boughtPast is when last permit year's permits were bought: they expired the day
	// before benchStart, after the last of their visits.
	boughtPast = time.Date(2025, time.April, 12, 10, 0, 0, 0, calendar.London)
)

type benchStore struct {
	name       string
	pastVisits bool

	once  sync.Once
	err   error
	dir   string
	store *sqlite.Store
	svc   *domain.Service
	clock *domain.ManualClock
	// nextVisit and nextBuy count the operations done on the store, across runs.
	nextVisit, nextBuy int
}

var benchStores = []*benchStore{
	{name: "residents=10k"},
	{name: "visits=1M", pastVisits: true},
}

// get seeds the store on first use.
func (bs *benchStore) get(b *testing.B) *benchStore {
	b.Helper()
	bs.once.Do(func() {
		start := time.Now()
		bs.err = bs.build(context.Background())
		if bs.err == nil {
			fi, err := os.Stat(filepath.Join(bs.dir, "permitline.db"))
			if err != nil {
				bs.err = err
				return
			}
			b.Logf("seeded %s in %s (%d MB)", bs.name, time.Since(start).Round(time.Millisecond), fi.Size()>>20)
		}
	})
	if bs.err != nil {
		b.Fatalf("seeding %s: %v", bs.name, bs.err)
	}
	return bs
}

func cleanupBenchStores() {
	for _, bs := range benchStores {
		if bs.store != nil {
			bs.store.Close()
		}
		if bs.dir != "" {
			os.RemoveAll(bs.dir)
		}
	}
}

func (bs *benchStore) build(ctx context.Context) error {
	var err error
	if bs.dir, err = os.MkdirTemp("", "permitline-bench-"); err != nil {
		return err
	}
	path := filepath.Join(bs.dir, "permitline.db")
	// The schema and the schemes, as the service makes them.
	bs.clock = domain.NewManualClock(boughtPast.AddDate(0, 0, -2))
	if err := bs.open(ctx, path); err != nil {
		return err
	}
	schemes, err := fixtures.Schemes()
	if err != nil {
		return err
	}
	if _, err := bs.svc.ImportSchemes(ctx, domain.Admin("bench"), schemes); err != nil {
		return err
	}
	var scheme domain.Scheme
	if err := bs.store.View(ctx, func(r domain.Reader) (err error) {
		scheme, err = r.SchemeByName("Coleridge West")
		return err
	}); err != nil {
		return err
	}
	if err := bs.store.Close(); err != nil {
		return err
	}
	bs.store = nil
	// The records, in bulk. A rollback journal without syncs: the file is thrown away
	// if seeding fails. Foreign keys stay on, to check the seed.
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(ON)&_pragma=journal_mode(DELETE)"+
		"&_pragma=synchronous(OFF)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(1)
	if err := bs.seed(ctx, db, scheme.ID); err != nil {
		db.Close()
		return err
	}
	if _, err := db.ExecContext(ctx, `PRAGMA journal_mode = WAL`); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	// The seed was written without syncs: put it on disk now, so that no checkpoint's
	// fsync during a benchmark pays for it.
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return err
	}
	bs.clock.Set(benchStart)
	return bs.open(ctx, path)
}

func (bs *benchStore) open(ctx context.Context, path string) error {
	var err error
	if bs.store, err = sqlite.Open(ctx, path); err != nil {
		return err
	}
	bs.svc = domain.New(domain.Config{Store: bs.store, Clock: bs.clock, Holidays: fixtures.MustBankHolidays(),
		PIN: pin.TestKeyed(), IDs: domain.NewSeededIDs(uint64(len(bs.name)))})
	return nil
}

func benchAccount(residentID int) string { return strconv.Itoa(10_000_000 + residentID) }

// benchVRM returns the n-th of 23*23*40*24*24*24 distinct current-style marks (AB12CDE).
func benchVRM(n int) string {
	const first, last = "ABCDEFGHJKLMNOPRSTUVWXY", "ABCDEFGHJKLMNOPRSTUVWXYZ"
	b := []byte("AA00AAA")
	age := 10 + n%40 // 10-49: issued age identifiers
	n /= 40
	b[2], b[3] = byte('0'+age/10), byte('0'+age%10)
	for i := 6; i >= 4; i-- {
		b[i] = last[n%len(last)]
		n /= len(last)
	}
	b[1] = first[n%len(first)]
	b[0] = first[n/len(first)%len(first)]
	return string(b)
}

// refAlphabet is the visit reference alphabet; seeded refs are a counter written in it.
const refAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

// seedStep is one bulk statement, or a function for what SQL alone does not make.
type seedStep struct {
	query string
	args  []any
	fn    func(context.Context, *sql.Tx) error
}

func sqlStep(query string, args ...any) seedStep { return seedStep{query: query, args: args} }

// residentsCTE counts the residents 1..?1 as r(i); every row of a resident derives from i.
const residentsCTE = `WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < ?1) `

func (bs *benchStore) seed(ctx context.Context, db *sql.DB, schemeID int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // committed below
	const residents = residentsCTE
	regApproved := benchStart.AddDate(0, 0, -7)
	steps := []seedStep{
		sqlStep(residents+`INSERT INTO addresses (id, line, postcode, scheme_id, active)
			SELECT i, i || ' Bench Road', 'CB1 3AA', ?2, 1 FROM r`,
			benchResidents, schemeID),
		sqlStep(residents+`INSERT INTO residents (id, account, name, address_id, phone, pin_hash, created_at)
			SELECT i, 10000000 + i, 'Bench Resident ' || i, i, printf('+447700%06d', i), '', ?2 FROM r`,
			benchResidents, sqlite.Instant(boughtPast.AddDate(0, 0, -1))),
		sqlStep(residents+`INSERT INTO registrations (resident_id, document, approved_at, expires_at)
			SELECT i, 'driving-licence', ?2, ?3 FROM r`,
			benchResidents, sqlite.Instant(regApproved), sqlite.Instant(calendar.AddMonths(regApproved, domain.RegistrationValidityMonths))),
		sqlStep(residents+`INSERT INTO payments (id, resident_id, amount_pence, quantity, provider_ref, idempotency_key, channel, created_at)
			SELECT i, i, ?2 * ?3, ?3, 'BENCH', 'bench:now:' || i, 'voice', ?4 FROM r`,
			benchResidents, int64(domain.PermitPrice), benchPermitsNow, sqlite.Instant(boughtNow)),
		sqlStep(residents+`, p(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM p WHERE j < ?2 - 1)
			INSERT INTO permits (resident_id, scheme_id, payment_id, purchased_at, expires_at, visits_used)
			SELECT i, ?3, i, ?4, ?5, 0 FROM r, p ORDER BY i, j`,
			benchResidents, benchPermitsNow, schemeID, sqlite.Instant(boughtNow),
			sqlite.Instant(calendar.AddMonths(boughtNow, domain.PermitValidityMonths))),
	}
	if bs.pastVisits {
		steps = append(steps, bs.pastSteps(schemeID)...)
	}
	for _, st := range steps {
		if st.fn != nil {
			err = st.fn(ctx, tx)
		} else {
			_, err = tx.ExecContext(ctx, st.query, st.args...)
		}
		if err != nil {
			return fmt.Errorf("seeding (%.60q): %w", st.query, err)
		}
	}
	return tx.Commit()
}

// pastSteps seed last permit year: a registration, a payment for 20 permits, 5 vehicles
// and 100 visits a resident, on distinct working days of the past year.
func (bs *benchStore) pastSteps(schemeID int64) []seedStep {
	const residents = residentsCTE
	holidays := fixtures.MustBankHolidays()
	var days []calendar.Date
	for d := calendar.DateOf(boughtPast).AddDays(1); d.Before(calendar.DateOf(benchStart)); d = d.AddDays(1) {
		if _, hol := holidays.On(d); !hol && d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, d)
		}
	}
	steps := []seedStep{
		sqlStep(`CREATE TEMP TABLE bench_days (idx INTEGER PRIMARY KEY, date TEXT, starts TEXT, ends TEXT, created TEXT)`),
	}
	for i, d := range days {
		steps = append(steps, sqlStep(`INSERT INTO bench_days VALUES (?, ?, ?, ?, ?)`,
			i, d.String(), sqlite.Instant(d.At(9, 0)), sqlite.Instant(d.At(18, 0)), sqlite.Instant(d.At(8, 0))))
	}
	// Visit k of resident i is on day (3i + 2k) mod len(days): distinct for k < len(days)/2.
	if len(days) < 2*benchVisitsPerPast {
		panic("too few working days for the past visits")
	}
	regApproved := boughtPast.Add(-time.Hour)
	expires := calendar.AddMonths(boughtPast, domain.PermitValidityMonths)
	vehicles := func(ctx context.Context, tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO vehicles (id, resident_id, vrm, saved, last_used_at, created_at)
			VALUES (?, ?, ?, 0, ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for n := range benchVehiclesPerRes * benchResidents {
			if _, err := stmt.ExecContext(ctx, n+1, n/benchVehiclesPerRes+1, benchVRM(n), sqlite.Instant(benchStart.AddDate(0, 0, -3)),
				sqlite.Instant(boughtPast)); err != nil {
				return err
			}
		}
		return nil
	}
	ref := func(x string) string { // six base-25 digits of x
		s := ""
		for d := 1; d <= 9765625; d *= 25 {
			if s != "" {
				s += " || "
			}
			s += fmt.Sprintf("substr('%s', (%s) / %d %% 25 + 1, 1)", refAlphabet, x, d)
		}
		return s
	}
	steps = append(steps,
		sqlStep(residents+`INSERT INTO registrations (resident_id, document, approved_at, expires_at)
			SELECT i, 'driving-licence', ?2, ?3 FROM r`,
			benchResidents, sqlite.Instant(regApproved), sqlite.Instant(calendar.AddMonths(regApproved, domain.RegistrationValidityMonths))),
		sqlStep(residents+`INSERT INTO payments (id, resident_id, amount_pence, quantity, provider_ref, idempotency_key, channel, created_at)
			SELECT ?2 + i, i, ?3 * ?4, ?4, 'BENCH', 'bench:past:' || i, 'voice', ?5 FROM r`,
			benchResidents, benchResidents, int64(domain.PermitPrice), benchPermitsPast, sqlite.Instant(boughtPast)),
		sqlStep(residents+`, p(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM p WHERE j < ?2 - 1)
			INSERT INTO permits (id, resident_id, scheme_id, payment_id, purchased_at, expires_at, visits_used)
			SELECT ?3 + (i - 1) * ?2 + j, i, ?4, ?5 + i, ?6, ?7, ?8 FROM r, p`,
			benchResidents, benchPermitsPast, pastPermitIDBase, schemeID, benchResidents, sqlite.Instant(boughtPast), sqlite.Instant(expires),
			domain.VisitsPerPermit),
		seedStep{query: "vehicles", fn: vehicles},
		sqlStep(residents+`, k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k < ?2 - 1)
			INSERT INTO visits (ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at, status, created_at,
				actor_kind, actor_id, actor_name, channel)
			SELECT `+ref("(i - 1) * ?2 + k")+`, i, ?3 + (i - 1) * ?4 + k / ?5, ?6, v.vrm, d.date, d.starts, d.ends,
				'active', d.created, 'resident', i, 'Bench Resident ' || i, 'voice'
			FROM r, k
			JOIN bench_days d ON d.idx = (3 * i + 2 * k) % ?7
			JOIN vehicles v ON v.id = (i - 1) * ?8 + k % ?8 + 1
			`,
			benchResidents, benchVisitsPerPast, pastPermitIDBase, benchPermitsPast, domain.VisitsPerPermit,
			schemeID, len(days), benchVehiclesPerRes),
		sqlStep(`DROP TABLE bench_days`),
	)
	return steps
}

// processCPU returns the CPU time, user and system, the process has used; nil where the
// platform has no such count.
var processCPU func() time.Duration

func cpuNow() time.Duration {
	if processCPU == nil {
		return 0
	}
	return processCPU()
}

// reportCPU adds cpu-ns/op, the process's CPU time per operation: unlike ns/op it leaves
// out the time waiting for fsync and for other processes, so it compares the work done.
func reportCPU(b *testing.B, start time.Duration) {
	if processCPU != nil && b.N > 0 {
		b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkActivateVisit(b *testing.B) {
	benchResidentOps(b, func(bs *benchStore) *int { return &bs.nextVisit },
		func(ctx context.Context, bs *benchStore, actor domain.Actor, n int) error {
			// A mark no seeded visit uses, new on every iteration: R18 never refuses.
			_, err := bs.svc.ActivateVisit(ctx, actor, benchAccount(int(actor.ID)),
				domain.VisitRequest{VRM: benchVRM(1_000_000 + n)})
			return err
		})
}

func BenchmarkBuyPermit(b *testing.B) {
	benchResidentOps(b, func(bs *benchStore) *int { return &bs.nextBuy },
		func(ctx context.Context, bs *benchStore, actor domain.Actor, n int) error {
			_, err := bs.svc.BuyPermits(ctx, actor, benchAccount(int(actor.ID)), 1, domain.PaymentIn{Amount: domain.PermitPrice,
				ProviderRef: "BENCH", IdempotencyKey: "bench:buy:" + strconv.Itoa(n)})
			return err
		})
}

// benchResidentOps runs op once an iteration on every store, as the seeded residents in
// turn, a millisecond apart; counter picks the store's count of such operations, which
// numbers them across runs.
func benchResidentOps(b *testing.B, counter func(*benchStore) *int,
	op func(ctx context.Context, bs *benchStore, actor domain.Actor, n int) error) {
	ctx := context.Background()
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			bs.get(b)
			b.ReportAllocs()
			cpu := cpuNow()
			for b.Loop() {
				n := *counter(bs)
				*counter(bs)++
				id := n%benchResidents + 1
				bs.clock.Advance(time.Millisecond)
				actor := domain.Actor{Kind: domain.ActorResident, ID: int64(id), Name: "Bench Resident", Channel: domain.ChannelVoice}
				if err := op(ctx, bs, actor, n); err != nil {
					b.Fatalf("operation %d (resident %d): %v", n, id, err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkGroupedUpdates is the writer's cost an Update at saturation: 200 goroutines
// each appending one audit entry at a time, as 200 webhooks do at once. The writer takes
// them in groups; cpu-ns/op is the process's CPU an Update, commit included.
func BenchmarkGroupedUpdates(b *testing.B) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "grouped.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	at := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	b.ReportAllocs()
	b.SetParallelism(max(1, 200/runtime.GOMAXPROCS(0)))
	before := store.WriterStats()
	cpu := cpuNow()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			err := store.Update(ctx, func(tx domain.Tx) error {
				return tx.AppendAudit(domain.AuditEntry{At: at, Actor: domain.Admin("bench"), Action: "bench.write",
					Detail: "one small write"})
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu)
	after := store.WriterStats()
	if groups := after.Groups - before.Groups; groups > 0 {
		b.ReportMetric(float64(after.Updates-before.Updates)/float64(groups), "updates/commit")
	}
}
