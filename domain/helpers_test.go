package domain_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/pin"
	"permitline/domain/postgres"
	"permitline/domain/sqlite"
	"permitline/domain/storetest"
	"permitline/fixtures"
)

// world is a service on a fresh store (a SQLite file unless newWorldOn says otherwise)
// with a clock the test sets.
type world struct {
	t     *testing.T
	ctx   context.Context
	path  string // the file, or the PostgreSQL database's address
	store domain.Store
	clock *domain.ManualClock
	svc   *domain.Service
	admin domain.Actor
}

// at returns the instant of a London wall time "2006-01-02 15:04:05".
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, calendar.London)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func newWorld(t *testing.T, now string) *world {
	t.Helper()
	return newWorldAt(t, now, filepath.Join(t.TempDir(), "permitline.db"))
}

// newWorldOn is newWorld on a fresh store of engine e.
func newWorldOn(t *testing.T, now string, e storetest.Engine) *world {
	t.Helper()
	return newWorldAt(t, now, e.Address(t))
}

func newWorldAt(t *testing.T, now, path string) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), path: path,
		clock: domain.NewManualClock(at(t, now)), admin: domain.Admin("test")}
	w.open()
	t.Cleanup(func() { w.store.Close() })
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.ImportSchemes(w.ctx, w.admin, schemes); err != nil {
		t.Fatal(err)
	}
	return w
}

// open (re)opens the store on the same file, as a restarted process would.
func (w *world) open() {
	w.t.Helper()
	if w.store != nil {
		w.store.Close()
	}
	w.store = openStore(w.t, w.path)
	w.svc = domain.New(domain.Config{Store: w.store, Clock: w.clock, Holidays: fixtures.MustBankHolidays(),
		AgentPasswordCost: bcrypt.MinCost, PIN: pin.TestKeyed(), IDs: domain.NewSeededIDs(uint64(len(w.t.Name())))})
}

// openStore opens the store at path: a PostgreSQL address or a SQLite file.
func openStore(t *testing.T, path string) domain.Store {
	t.Helper()
	var s domain.Store
	var err error
	if postgres.IsAddress(path) {
		s, err = postgres.Open(context.Background(), path)
	} else {
		s, err = sqlite.Open(context.Background(), path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// node is a second service on the world's database through a store of its own, as
// another node of the line would be (on SQLite, another process on the same file).
func (w *world) node() *domain.Service {
	w.t.Helper()
	s := openStore(w.t, w.path)
	w.t.Cleanup(func() { s.Close() })
	return domain.New(domain.Config{Store: s, Clock: w.clock, Holidays: fixtures.MustBankHolidays(),
		AgentPasswordCost: bcrypt.MinCost, PIN: pin.TestKeyed(), IDs: domain.NewSeededIDs(uint64(len(w.t.Name())) + 7919)})
}

func (w *world) set(now string) { w.clock.Set(at(w.t, now)) }

// mustAdd opens an account, failing the test if it is refused.
func (w *world) mustAdd(in domain.NewResident) domain.Resident {
	w.t.Helper()
	res, err := w.svc.AddResident(w.ctx, w.admin, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return res
}

// resident opens a registered account in scheme (Coleridge West: Mon-Fri 09:00-18:00).
func (w *world) resident(scheme, phoneNo string) domain.Resident {
	w.t.Helper()
	res := w.mustAdd(domain.NewResident{Name: "Test Resident " + phoneNo, Address: "1 Test Road " + phoneNo,
		Postcode: "CB1 1AA", Scheme: scheme, Phone: phoneNo, PIN: "2580"})
	if _, err := w.svc.ApproveRegistration(w.ctx, w.admin, res.Account, domain.Proof{Document: domain.DocDrivingLicence}); err != nil {
		w.t.Fatal(err)
	}
	return res
}

var payN int

func (w *world) buy(account string, qty int) (domain.Purchase, error) {
	payN++
	return w.svc.BuyPermits(w.ctx, w.admin, account, qty, domain.PaymentIn{Amount: domain.PermitPrice * domain.Pence(qty),
		ProviderRef: "TEST", IdempotencyKey: "test:" + w.t.Name() + ":" + time.Duration(payN).String()})
}

func (w *world) mustBuy(account string, qty int) domain.Purchase {
	w.t.Helper()
	p, err := w.buy(account, qty)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func (w *world) activate(account, vrm string, d calendar.Date) (domain.Activation, error) {
	return w.svc.ActivateVisit(w.ctx, w.admin, account, domain.VisitRequest{VRM: vrm, Date: d})
}

func (w *world) mustActivate(account, vrm string, d calendar.Date) domain.Activation {
	w.t.Helper()
	a, err := w.activate(account, vrm, d)
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// wantRule fails unless err is a refusal of the rule, and returns it as T.
func wantRule[T domain.Refusal](t *testing.T, err error, rule string) T {
	t.Helper()
	var r T
	if !errors.As(err, &r) {
		t.Fatalf("want a %T refusal (%s), got %v", r, rule, err)
	}
	if r.Rule() != rule {
		t.Fatalf("want rule %s, got %s (%v)", rule, r.Rule(), err)
	}
	return r
}

func (w *world) balance(account string) domain.Balance {
	w.t.Helper()
	b, err := w.svc.Balance(w.ctx, w.admin, account)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}
