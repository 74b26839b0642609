package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the bulk history and the end-of-run check use the file directly

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/phone"
	"permitline/domain/pin"
	"permitline/domain/sqlite"
	"permitline/fixtures"
)

// resident is one simulated account holder.
type resident struct {
	idx      int
	id       int64
	account  string
	name     string
	phone    string // E.164
	pin      string
	schemeID int64
	hours    calendar.OperatingHours
}

// namePrefix marks the accounts the load seeds, so a run against a running server's
// database finds and reuses those of an earlier run.
const namePrefix = "Load Resident "

// pins are the PINs the simulated residents key, in turn; each resident's is hashed with
// its own salt, as the line hashes them.
var pins = []string{"2580", "1357", "3690", "8642", "4826", "9713", "5049", "6172",
	"7391", "8025", "3948", "6507", "1486", "2973", "5814", "7260"}

// residentPhone is the mobile number of resident i: +447400 then six digits, a real
// UK mobile range the phone package accepts (Ofcom's drama range has only 1000 numbers).
func residentPhone(i int) string { return fmt.Sprintf("+447400%06d", i) }

func residentName(i int) string { return fmt.Sprintf("%s%06d", namePrefix, i) }

// seedAddress returns resident i's address line and postcode, a well-formed UK one.
func seedAddress(i int) (line, postcode string) {
	return fmt.Sprintf("%d Load Street", i+1), fmt.Sprintf("CB%d %dLD", 1+i%9, i%10)
}

// vrmLetters are letters valid in every position of a current-format registration.
const vrmLetters = "ABCDEFGHJKLMNPRSTUVWXY"

// vrmFor returns a distinct current-format registration (AB12CDE) for each n below
// 22^5 * 97 (about 500 million): two letters, an issued age identifier, three letters.
func vrmFor(n int) string {
	age := n % 97 // 02-49 and 51-99
	n /= 97
	a := age + 2
	if a >= 50 {
		a++
	}
	var l [5]byte
	for i := range l {
		l[i] = vrmLetters[n%len(vrmLetters)]
		n /= len(vrmLetters)
	}
	return fmt.Sprintf("%c%c%02d%c%c%c", l[0], l[1], a, l[2], l[3], l[4])
}

// Ranges of vrmFor numbers, so saved vehicles, history and each run's visitors never share a mark.
const (
	vrmSaved   = 0
	vrmHistory = 10_000_000
	vrmRun     = 100_000_000
)

// seeding is the set-up of the simulated residents.
type seeding struct {
	path string    // the database
	now  time.Time // the instant seeding acts at: an hour before the run's clock
	pins pin.Keyed // the run's PIN key
}

// seedResidents makes sure residents 0..n-1 exist, as the domain writes them: schemes
// from the fixtures, then each resident with an address, a PIN, an approved
// registration, 2-4 permits bought in the back office and a saved vehicle, a batch of
// residents per transaction. Residents seeded by an earlier run are reused.
func seedResidents(ctx context.Context, s seeding, n int) ([]*resident, error) {
	store, err := sqlite.Open(ctx, s.path)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	clock := domain.NewManualClock(s.now)
	holidays := fixtures.MustBankHolidays()
	svc := domain.New(domain.Config{Store: store, Clock: clock, Holidays: holidays, PIN: s.pins})
	admin := domain.Admin("load")
	schemes, err := fixtures.Schemes()
	if err != nil {
		return nil, err
	}
	if schemes, err = svc.ImportSchemes(ctx, admin, schemes); err != nil {
		return nil, err
	}
	out := make([]*resident, n)
	const batch = 200
	for from := 0; from < n; from += batch {
		to := min(n, from+batch)
		err := svc.Update(ctx, func(o *domain.Op) error {
			for i := from; i < to; i++ {
				sc := schemes[i%len(schemes)]
				r, err := seedOne(o, admin, sc, i, s.pins)
				if err != nil {
					return fmt.Errorf("seeding resident %d: %w", i, err)
				}
				out[i] = r
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// seedOne opens resident i's account unless it is there, in the operation's transaction.
func seedOne(o *domain.Op, admin domain.Actor, sc domain.Scheme, i int, keyed pin.Keyed) (*resident, error) {
	tx := o.Tx()
	e164, err := phone.Parse(residentPhone(i))
	if err != nil {
		return nil, err
	}
	r := &resident{idx: i, name: residentName(i), phone: e164, pin: pins[i%len(pins)]}
	existing, err := tx.ResidentsByPhone(e164)
	if err != nil {
		return nil, err
	}
	for _, res := range existing {
		if res.Name == r.name {
			addr, err := tx.AddressByID(res.AddressID)
			if err != nil {
				return nil, err
			}
			sc, err := tx.SchemeByID(addr.SchemeID)
			if err != nil {
				return nil, err
			}
			r.id, r.account, r.schemeID, r.hours = res.ID, res.Account, sc.ID, sc.Hours
			return r, nil
		}
	}
	line, postcode := seedAddress(i)
	addr, err := tx.AddressByLine(line, postcode)
	switch {
	case errors.Is(err, domain.ErrNotFound):
		if addr, err = tx.InsertAddress(domain.Address{Line: line, Postcode: postcode, SchemeID: sc.ID, Active: true}); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	var account string
	for range 20 {
		a := domain.RandomIDs{}.AccountNumber()
		if _, err := tx.ResidentByAccount(a); errors.Is(err, domain.ErrNotFound) {
			account = a
			break
		} else if err != nil {
			return nil, err
		}
	}
	if account == "" {
		return nil, errors.New("no free account number after 20 tries")
	}
	now := o.Now()
	hash, err := keyed.Hash(r.pin)
	if err != nil {
		return nil, err
	}
	res, err := tx.InsertResident(domain.Resident{Account: account, Name: r.name, AddressID: addr.ID, Phone: e164,
		PINHash: hash, CreatedAt: now})
	if err != nil {
		return nil, err
	}
	if err := tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: res.ID, Actor: admin, Action: "resident.add",
		Detail: fmt.Sprintf("account %s at %s, %s (%s)", account, line, postcode, sc.Name)}); err != nil {
		return nil, err
	}
	reg, err := tx.InsertRegistration(domain.Registration{ResidentID: res.ID, Document: domain.DocDrivingLicence,
		ApprovedAt: now, ExpiresAt: calendar.AddMonths(now, domain.RegistrationValidityMonths)})
	if err != nil {
		return nil, err
	}
	if err := tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: res.ID, Actor: admin, Action: "registration.approve",
		Detail: fmt.Sprintf("%s, valid to %s", reg.Document, calendar.DateOf(reg.ExpiresAt))}); err != nil {
		return nil, err
	}
	qty := 2 + i%3
	if _, err := o.BuyPermits(admin, account, qty, domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty),
		ProviderRef: "LOAD-SEED-" + account, IdempotencyKey: "load-seed:" + account}); err != nil {
		return nil, err
	}
	if _, err := o.AddVehicle(admin, account, vrmFor(vrmSaved+i)); err != nil {
		return nil, err
	}
	r.id, r.account, r.schemeID, r.hours = res.ID, account, sc.ID, sc.Hours
	return r, nil
}

// openRaw opens the database file directly, on one connection, with the store's
// pragmas and these: foreign_keys(ON) unless foreign_keys(OFF) is among them.
func openRaw(path string, pragmas ...string) (*sql.DB, error) {
	q := []string{"_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)"}
	if !slices.Contains(pragmas, "_pragma=foreign_keys(OFF)") {
		q = append(q, "_pragma=foreign_keys(ON)")
	}
	q = append(q, pragmas...)
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+strings.Join(q, "&"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// seedHistory inserts v past visits with raw SQL, before the server opens the file, in
// the shape the domain writes them: permits bought in earlier permit years (at most 20
// a year each, one payment of £18 each, all expired or used up), each with up to 5
// active visits on days after its purchase that need a permit in the resident's scheme,
// in its hours, visits_used counting them. Nothing of it is
// usable now, so it is the weight of a big store, not a change to the rules' answers.
func seedHistory(ctx context.Context, path string, residents []*resident, v int, now time.Time,
	holidays *calendar.BankHolidays) error {
	if v <= 0 {
		return nil
	}
	// Foreign keys are not checked row by row (visits.permit_id has no index, so each
	// permit inserted would scan the visits): the rows are made consistent here, and the
	// end-of-run check counts every visit against its permit.
	db, err := openRaw(path, "_pragma=foreign_keys(OFF)", "_pragma=synchronous(OFF)", "_pragma=cache_size(-65536)",
		"_pragma=temp_store(MEMORY)")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var payID, permitID, visitID int64
	for _, q := range []struct {
		dst   *int64
		query string
	}{{&payID, `SELECT COALESCE(MAX(id), 0) FROM payments`}, {&permitID, `SELECT COALESCE(MAX(id), 0) FROM permits`},
		{&visitID, `SELECT COALESCE(MAX(id), 0) FROM visits`}} {
		if err := conn.QueryRowContext(ctx, q.query).Scan(q.dst); err != nil {
			return err
		}
	}
	yearStart, _ := domain.PermitYear(now)
	firstYear := calendar.DateOf(yearStart).Year
	permits := (v + domain.VisitsPerPermit - 1) / domain.VisitsPerPermit
	const perStmt = 40 // rows per INSERT statement
	pays := newBulk(conn, "payments", []string{"id", "resident_id", "amount_pence", "quantity", "provider_ref",
		"idempotency_key", "channel", "created_at"}, perStmt)
	perms := newBulk(conn, "permits", []string{"id", "resident_id", "scheme_id", "payment_id", "purchased_at",
		"expires_at", "visits_used"}, perStmt)
	visits := newBulk(conn, "visits", []string{"id", "ref", "resident_id", "permit_id", "scheme_id", "vrm", "date",
		"starts_at", "ends_at", "status", "created_at", "cancelled_at", "actor_kind", "actor_id", "actor_name", "channel"}, perStmt)
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	// The secondary indexes of visits and permits are dropped and made again after the
	// rows are in, from their own stored definitions, in the same transaction: building
	// an index by sorting is far quicker than a million inserts in random order.
	var names, indexes []string
	rows, err := conn.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'index'
		AND tbl_name IN ('visits', 'permits') AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return err
		}
		names, indexes = append(names, name), append(indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if _, err := conn.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return err
		}
	}
	g := 0 // visits written
	for j := range permits {
		r := residents[j%len(residents)]
		k := j / len(residents) // r's k-th permit of history
		year, slot := k/domain.PermitsPerYear, k%domain.PermitsPerYear
		bought := calendar.NewDate(firstYear-1-year, time.April, 1).AddDays(1+7*slot).At(10, 0)
		payID++
		permitID++
		if err := pays.add(ctx, payID, r.id, int64(domain.PermitPrice), 1, fmt.Sprintf("HISTORY-%d", payID),
			fmt.Sprintf("load-history:%012d", payID), string(domain.ChannelAdmin), sqlite.Instant(bought)); err != nil {
			return err
		}
		n := min(domain.VisitsPerPermit, v-g)
		if err := perms.add(ctx, permitID, r.id, r.schemeID, payID, sqlite.Instant(bought),
			sqlite.Instant(calendar.AddMonths(bought, domain.PermitValidityMonths)), n); err != nil {
			return err
		}
		day := calendar.DateOf(bought).AddDays(1)
		for range n {
			// The next day from here that needs a permit in the resident's scheme, in its hours.
			start, end, why := r.hours.Window(day, holidays)
			for why != calendar.PermitNeeded {
				day = day.AddDays(1)
				start, end, why = r.hours.Window(day, holidays)
			}
			channel := domain.ChannelVoice
			if g%3 == 0 {
				channel = domain.ChannelSMS
			}
			visitID++
			if err := visits.add(ctx, visitID, historyRef(g), r.id, permitID, r.schemeID, vrmFor(vrmHistory+g), day.String(),
				sqlite.Instant(start), sqlite.Instant(end), string(domain.VisitActive), sqlite.Instant(start.Add(-14*time.Hour)), "",
				string(domain.ActorResident), r.id, r.name, string(channel)); err != nil {
				return err
			}
			g++
			day = day.AddDays(3)
		}
	}
	for _, b := range []*bulk{pays, perms, visits} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	for _, def := range indexes {
		if _, err := conn.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("making the index again (%s): %w", def, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	committed = true
	_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// historyRef returns a distinct visit reference for each g below 25^6, in ascending
// order (the alphabet is in ASCII order), so the UNIQUE index on ref is appended to.
func historyRef(g int) string {
	const alphabet = "34679ACDEFGHJKMNPQRTUVWXY"
	var b [6]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = alphabet[g%25]
		g /= 25
	}
	return string(b[:])
}

// bulk inserts rows a statement of many rows at a time.
type bulk struct {
	conn   *sql.Conn
	table  string
	cols   []string
	rows   int
	args   []any
	stmt   *sql.Stmt
	prefix string
}

func newBulk(conn *sql.Conn, table string, cols []string, rows int) *bulk {
	return &bulk{conn: conn, table: table, cols: cols, rows: rows,
		prefix: "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "}
}

func (b *bulk) query(rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(b.cols)), ", ") + ")"
	return b.prefix + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func (b *bulk) add(ctx context.Context, values ...any) error {
	if len(values) != len(b.cols) {
		return fmt.Errorf("%s: %d values for %d columns", b.table, len(values), len(b.cols))
	}
	b.args = append(b.args, values...)
	if len(b.args) < b.rows*len(b.cols) {
		return nil
	}
	if b.stmt == nil {
		var err error
		if b.stmt, err = b.conn.PrepareContext(ctx, b.query(b.rows)); err != nil {
			return fmt.Errorf("preparing the %s insert: %w", b.table, err)
		}
	}
	if _, err := b.stmt.ExecContext(ctx, b.args...); err != nil {
		return fmt.Errorf("inserting %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}

func (b *bulk) flush(ctx context.Context) error {
	if b.stmt != nil {
		defer b.stmt.Close()
	}
	if len(b.args) == 0 {
		return nil
	}
	if _, err := b.conn.ExecContext(ctx, b.query(len(b.args)/len(b.cols)), b.args...); err != nil {
		return fmt.Errorf("inserting %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	return nil
}
