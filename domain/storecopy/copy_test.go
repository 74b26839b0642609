package storecopy_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
	"permitline/domain/sqlite/sqlitetest"
	"permitline/domain/storecopy"
	"permitline/domain/storetest"
	"permitline/fixtures"
)

// now is Monday 30 November 2026, 10:00 GMT.
var now = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// line is a service on one store.
type line struct {
	t     *testing.T
	ctx   context.Context
	store domain.Store
	svc   *domain.Service
	admin domain.Actor
}

func newLine(t *testing.T, store domain.Store, seed uint64) *line {
	return &line{t: t, ctx: context.Background(), store: store, admin: domain.Admin("test"),
		svc: domain.New(domain.Config{Store: store, Clock: domain.NewManualClock(now), Holidays: fixtures.MustBankHolidays(),
			AgentPasswordCost: bcrypt.MinCost, PIN: pin.TestKeyed(), IDs: domain.NewSeededIDs(seed)})}
}

func (l *line) update(fn func(*domain.Op) error) {
	l.t.Helper()
	if err := l.svc.Update(l.ctx, fn); err != nil {
		l.t.Fatal(err)
	}
}

// seeded is a SQLite store holding the demo accounts and a day of the line's work: permits
// bought, visits activated and one cancelled, texts, a transfer to the desk, a callback, a
// voicemail, a conversation with a step's reply, a desk sign-out, and their audit trail.
type seeded struct {
	path    string
	store   *sqlite.Store
	account string // a demo resident's, with permits, who did all of the above
	kept    string // the reference of a visit left active
}

func seed(t *testing.T) seeded {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "permitline.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	people, err := fixtures.SeedDemo(ctx, s, fixtures.MustBankHolidays(), now, bcrypt.MinCost, pin.TestKeyed())
	if err != nil {
		t.Fatal(err)
	}
	l := newLine(t, s, 1)
	acct := people[0].Account
	if _, err := l.svc.BuyPermits(ctx, l.admin, acct, 2, domain.PaymentIn{Amount: 2 * domain.PermitPrice,
		ProviderRef: "PAY-COPY", IdempotencyKey: "copy:1"}); err != nil {
		t.Fatal(err)
	}
	tomorrow := calendar.DateOf(now.Add(24 * time.Hour))
	kept, err := l.svc.ActivateVisit(ctx, l.admin, acct, domain.VisitRequest{VRM: "AB12CDE", Date: tomorrow})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := l.svc.ActivateVisit(ctx, l.admin, acct, domain.VisitRequest{VRM: "CD34EFG", Date: tomorrow})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.svc.CancelVisit(ctx, l.admin, gone.Visit.Ref); err != nil {
		t.Fatal(err)
	}
	res, err := func() (r domain.Resident, err error) {
		err = s.View(ctx, func(rd domain.Reader) error { r, err = rd.ResidentByAccount(acct); return err })
		return r, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	caller := domain.ResidentCaller(res)
	l.update(func(o *domain.Op) error {
		if err := o.RecordText(domain.SentText{MessageSid: "SM1", From: res.Phone, Body: "VISITOR AB12CDE",
			Reply: "Visit booked", CreatedAt: now}); err != nil {
			return err
		}
		return o.SetOptOut("+447700900999", true)
	})
	l.update(func(o *domain.Op) error {
		_, err := o.QueueTransfer(domain.TransferIn{CallSid: "CA1", From: res.Phone, Caller: &caller, Verified: true,
			Flow: "voice", State: "menu", Reason: "asked for an agent", Context: []byte(`{"tried":["1"]}`)})
		return err
	})
	l.update(func(o *domain.Op) error {
		_, err := o.BookCallback(domain.CallbackIn{CallSid: "CA2", Number: res.Phone, Caller: &caller, Verified: true,
			Kind: domain.CallbackBooked, Reason: "closed", Context: []byte(`{}`)})
		return err
	})
	l.update(func(o *domain.Op) error {
		_, err := o.RecordVoicemail(domain.VoicemailIn{CallSid: "CA3", From: "+447700900555", Reason: "left a message",
			Context: []byte{0, 1, 2, 0xff}, RecordingSid: "RE1", RecordingURL: "https://api.twilio.com/RE1", Duration: 9, Available: true})
		return err
	})
	l.update(func(o *domain.Op) error {
		c, err := o.Tx().InsertConversation(domain.Conversation{Channel: domain.ChannelVoice, Key: "CA4", Flow: "voice",
			State: "menu", Data: []byte(`{"account":"x"}`), Version: 1, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			return err
		}
		return o.Tx().InsertStepReply(domain.StepReply{ConversationID: c.ID, Step: 1, InputHash: "h",
			Reply: []byte("<Response/>"), CreatedAt: now})
	})
	agent, err := l.svc.AddAgent(ctx, l.admin, domain.NewAgent{Username: "sam", Name: "Sam", Phone: "01223 000000",
		Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.svc.SignOut(ctx, agent, "session-a", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	return seeded{path: path, store: s, account: acct, kept: kept.Visit.Ref}
}

// catalogue lists the constraints and indexes of the PostgreSQL database at addr, each
// with its definition.
func catalogue(t *testing.T, addr string) []string {
	t.Helper()
	db, err := sql.Open("pgx", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT t.relname || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid)
		FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid WHERE t.relnamespace = current_schema()::regnamespace
		UNION ALL
		SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func openPostgres(t *testing.T, addr string) *postgres.Store {
	t.Helper()
	return storetest.OpenPostgres(t, addr)
}

func TestCopyMovesEveryTableAndTheLineRunsOnTheCopy(t *testing.T) {
	addr := storetest.PostgresDatabase(t)
	src := seed(t)
	dst := openPostgres(t, addr)
	ctx := context.Background()

	shape := catalogue(t, addr)
	rep, err := storecopy.SQLiteToPostgres(ctx, src.store, dst)
	if err != nil {
		t.Fatal(err)
	}
	// The foreign keys and indexes set aside for the copy are all back, as they were.
	if got := catalogue(t, addr); !reflect.DeepEqual(got, shape) || len(shape) < 40 {
		t.Errorf("constraints and indexes after the copy:\n%v\nbefore:\n%v", got, shape)
	}
	if d := rep.Differences(); len(d) > 0 {
		t.Fatalf("counts differ: %+v", d)
	}
	counts := map[string]int64{}
	var sum int64
	for _, c := range rep.Counts {
		counts[c.Table] = c.Target
		sum += c.Target
	}
	if sum != rep.Rows {
		t.Errorf("rows written %d, counted %d", rep.Rows, sum)
	}
	if _, ok := counts["schema_migrations"]; ok {
		t.Error("the migrations' record was copied")
	}
	// Every table the seed wrote to holds its rows on the target.
	for _, table := range []string{"schemes", "addresses", "residents", "members", "registrations", "vehicles",
		"payments", "permits", "visits", "audit", "conversations", "conversation_steps", "transfers", "opt_outs",
		"texts_received", "outbox", "agents", "desk_sign_outs", "callbacks", "voicemails"} {
		if counts[table] == 0 {
			t.Errorf("table %s: %d rows copied (counts %v)", table, counts[table], counts)
		}
	}
	// Parents before children: the order is the one the foreign keys allow.
	pos := map[string]int{}
	for i, c := range rep.Counts {
		pos[c.Table] = i
	}
	for child, parent := range map[string]string{"addresses": "schemes", "residents": "addresses", "permits": "payments",
		"visits": "permits", "conversation_steps": "conversations", "desk_sign_outs": "agents", "callbacks": "residents"} {
		if pos[child] < pos[parent] {
			t.Errorf("%s copied before %s", child, parent)
		}
	}

	lines, err := storecopy.CompareLedgers(ctx, src.path, addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if !l.Same() {
			t.Errorf("ledger %s: source %s, target %s", l.What, l.Source, l.Target)
		}
	}
	if len(lines) == 0 || lines[0].What != "residents" || lines[0].Source == "0" {
		t.Errorf("ledger %+v", lines)
	}

	// The line, on the copy, reads what it read on SQLite.
	before, after := newLine(t, src.store, 2), newLine(t, dst, 2)
	b1, err := before.svc.Balance(ctx, before.admin, src.account)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := after.svc.Balance(ctx, after.admin, src.account)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b1, b2) || b2.VisitsLeft == 0 {
		t.Errorf("balance on SQLite %+v, on PostgreSQL %+v", b1, b2)
	}
	v1, err := before.svc.UpcomingVisits(ctx, before.admin, src.account)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := after.svc.UpcomingVisits(ctx, after.admin, src.account)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v1, v2) || len(v2) != 2 || v2[0].Ref != src.kept || v2[0].Status != domain.VisitActive ||
		v2[1].Status != domain.VisitCancelled {
		t.Errorf("upcoming visits on SQLite %+v, on PostgreSQL %+v", v1, v2)
	}
	cb, err := after.svc.Callbacks(ctx)
	if err != nil || len(cb) != 1 || cb[0].CallSid != "CA2" {
		t.Errorf("callbacks on PostgreSQL %+v %v", cb, err)
	}
	vm, err := after.svc.Voicemails(ctx)
	if err != nil || len(vm) != 1 || string(vm[0].Context) != "\x00\x01\x02\xff" {
		t.Errorf("voicemails on PostgreSQL %+v %v", vm, err)
	}

	// New writes take ids past those copied: the sequences were set.
	var lastVisit, lastPayment int64
	err = postgres.ReadLedger(ctx, addr, func(l *postgres.Ledger) error {
		lastVisit, lastPayment, err = l.LastIDs()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tomorrow := calendar.DateOf(now.Add(24 * time.Hour))
	a, err := after.svc.ActivateVisit(ctx, after.admin, src.account, domain.VisitRequest{VRM: "EF56GHJ", Date: tomorrow})
	if err != nil {
		t.Fatalf("a new visit on the copy: %v", err)
	}
	if a.Visit.ID != lastVisit+1 || a.VisitsLeft != b2.VisitsLeft-1 {
		t.Errorf("new visit %+v (last copied id %d, visits left before %d)", a, lastVisit, b2.VisitsLeft)
	}
	p, err := after.svc.BuyPermits(ctx, after.admin, src.account, 1, domain.PaymentIn{Amount: domain.PermitPrice,
		ProviderRef: "PAY-PG", IdempotencyKey: "copy:pg:1"})
	if err != nil {
		t.Fatalf("a purchase on the copy: %v", err)
	}
	if p.Payment.ID != lastPayment+1 {
		t.Errorf("new payment id %d, last copied %d", p.Payment.ID, lastPayment)
	}
	if _, err := after.svc.AddResident(ctx, after.admin, domain.NewResident{Name: "New Resident", Address: "99 New Road",
		Postcode: "CB1 1AA", Scheme: "Coleridge West", Phone: "07700900777", PIN: "2580"}); err != nil {
		t.Errorf("a new account on the copy: %v", err)
	}
}

func TestCopyRefusesATargetThatHoldsRows(t *testing.T) {
	addr := storetest.PostgresDatabase(t)
	src := seed(t)
	dst := openPostgres(t, addr)
	ctx := context.Background()
	// The target already has a line's first rows: a scheme imported.
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	l := newLine(t, dst, 3)
	if _, err := l.svc.ImportSchemes(ctx, l.admin, schemes[:1]); err != nil {
		t.Fatal(err)
	}
	_, err = storecopy.SQLiteToPostgres(ctx, src.store, dst)
	var ne *storecopy.NotEmptyError
	// The import wrote a scheme and its audit entry; the first table looked into is named.
	if !errors.As(err, &ne) || ne.Table != "audit" || !errors.Is(err, storecopy.ErrNotEmpty) {
		t.Fatalf("want the target refused for its audit trail, got %v", err)
	}
	// Nothing changed: one scheme, nothing else.
	lines, err := storecopy.CompareLedgers(ctx, src.path, addr)
	if err != nil {
		t.Fatal(err)
	}
	if lines[0].What != "residents" || lines[0].Target != "0" {
		t.Errorf("target after the refusal: %+v", lines)
	}
	got, err := l.svc.Schemes(ctx)
	if err != nil || len(got) != 1 {
		t.Errorf("schemes on the target after the refusal: %+v %v", got, err)
	}
}

func TestCopyRefusesAStoreWhoseSchemaDiffers(t *testing.T) {
	ctx := context.Background()
	addr := storetest.PostgresDatabase(t)
	src := seed(t)
	src.store.Close()

	// A table on SQLite that the PostgreSQL migrations do not make.
	sqlitetest.Exec(t, src.path, `CREATE TABLE desk_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL)`)
	s, err := sqlite.Open(ctx, src.path)
	if err != nil {
		t.Fatal(err)
	}
	dst := openPostgres(t, addr)
	_, err = storecopy.SQLiteToPostgres(ctx, s, dst)
	var se *storecopy.SchemaError
	if !errors.As(err, &se) || !reflect.DeepEqual(se.Problems,
		[]string{"table desk_notes is in the SQLite store but not in the PostgreSQL one"}) {
		t.Fatalf("want desk_notes named, got %v", err)
	}
	s.Close()

	// A column on one side only.
	sqlitetest.Exec(t, src.path, `DROP TABLE desk_notes`, `ALTER TABLE agents ADD COLUMN team TEXT NOT NULL DEFAULT ''`)
	if s, err = sqlite.Open(ctx, src.path); err != nil {
		t.Fatal(err)
	}
	_, err = storecopy.SQLiteToPostgres(ctx, s, dst)
	if !errors.As(err, &se) || !reflect.DeepEqual(se.Problems,
		[]string{"column agents.team is in the SQLite store but not in the PostgreSQL one"}) {
		t.Fatalf("want agents.team named, got %v", err)
	}
	s.Close()

	// A source written by a newer permitline.
	sqlitetest.Exec(t, src.path, `ALTER TABLE agents DROP COLUMN team`,
		`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_later.sql')`)
	if s, err = sqlite.Open(ctx, src.path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = storecopy.SQLiteToPostgres(ctx, s, dst)
	var ve *storecopy.VersionError
	if !errors.As(err, &ve) || ve.Have != 9999 || ve.Engine != "sqlite" {
		t.Fatalf("want the source's version refused, got %v", err)
	}
	// The target took nothing from any of these.
	lines, err := storecopy.CompareLedgers(ctx, src.path, addr)
	if err != nil {
		t.Fatal(err)
	}
	if lines[0].Target != "0" {
		t.Errorf("target after the refusals: %+v", lines)
	}
}

// A source row the target refuses (here a visit of a permit that is not there, which a
// SQLite file written with its foreign keys off can hold) fails the whole copy: the
// target is left as it was, empty, and a later copy of a sound file goes in.
func TestCopyIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	addr := storetest.PostgresDatabase(t)
	src := seed(t)
	src.store.Close()
	sqlitetest.Exec(t, src.path, `PRAGMA foreign_keys = OFF`,
		`INSERT INTO visits (ref, resident_id, permit_id, scheme_id, vrm, date, starts_at, ends_at, status, created_at,
			actor_kind, actor_id, actor_name, channel)
		SELECT 'ORPHAN', resident_id, 999999, scheme_id, 'ZZ99ZZZ', date, starts_at, ends_at, 'cancelled', created_at,
			actor_kind, actor_id, actor_name, channel FROM visits LIMIT 1`)
	s, err := sqlite.Open(ctx, src.path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dst := openPostgres(t, addr)
	shape := catalogue(t, addr)
	if _, err := storecopy.SQLiteToPostgres(ctx, s, dst); err == nil || !strings.Contains(err.Error(), "visits_permit_id_fkey") {
		t.Fatalf("want the orphan refused by visits' foreign key, got %v", err)
	}
	lines, err := storecopy.CompareLedgers(ctx, src.path, addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.What == "residents" && l.Target != "0" || l.What == "last visit id" && l.Target != "0" {
			t.Errorf("the failed copy left %s %s on the target", l.Target, l.What)
		}
	}
	if got := catalogue(t, addr); !reflect.DeepEqual(got, shape) {
		t.Errorf("the failed copy left the target's keys and indexes as:\n%v", got)
	}

	sqlitetest.Exec(t, src.path, `DELETE FROM visits WHERE ref = 'ORPHAN'`)
	rep, err := storecopy.SQLiteToPostgres(ctx, s, dst)
	if err != nil || len(rep.Differences()) > 0 || rep.Rows == 0 {
		t.Fatalf("the copy after the fix: %+v %v", rep, err)
	}
}
