package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/sqlite"
	"permitline/domain/sqlite/sqlitetest"
)

// indexes lists the store's indexes with their definitions.
func indexes(t *testing.T, s *sqlite.Store) map[string]string {
	t.Helper()
	rows, err := sqlite.ReadDB(s).Query(`SELECT name, COALESCE(sql, '') FROM sqlite_schema WHERE type = 'index'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		out[name] = def
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// bulkHistory is what TestBulkWritesRowsAsTheStoreDoes writes: a payment of two permits
// with visits on them, one cancelled.
type bulkHistory struct {
	payment domain.Payment
	permits []domain.Permit
	visits  []domain.Visit
}

func writeBulk(t *testing.T, path string, r records) bulkHistory {
	t.Helper()
	b, err := sqlite.OpenBulk(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	bought := time.Date(2024, time.April, 8, 10, 0, 0, 0, time.UTC)
	var h bulkHistory
	if h.payment, err = b.InsertPayment(domain.Payment{ResidentID: r.resident.ID, AmountPence: 2 * domain.PermitPrice,
		Quantity: 2, ProviderRef: "HIST-1", IdempotencyKey: "hist-1", Channel: domain.ChannelVoice, CreatedAt: bought}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		p, err := b.InsertPermit(domain.Permit{ResidentID: r.resident.ID, SchemeID: r.scheme.ID, PaymentID: h.payment.ID,
			PurchasedAt: bought, ExpiresAt: calendar.AddMonths(bought, domain.PermitValidityMonths).UTC(), VisitsUsed: 1 + i})
		if err != nil {
			t.Fatal(err)
		}
		h.permits = append(h.permits, p)
	}
	day := calendar.DateOf(bought).AddDays(1)
	for i, p := range []domain.Permit{h.permits[0], h.permits[1], h.permits[1], h.permits[1]} {
		v := domain.Visit{Ref: fmt.Sprintf("HIST%02d", i), ResidentID: r.resident.ID, PermitID: p.ID, SchemeID: r.scheme.ID,
			VRM: "AB12CDE", Date: day.AddDays(i), StartsAt: day.AddDays(i).At(8, 0).UTC(),
			EndsAt: day.AddDays(i).At(18, 0).UTC(), Status: domain.VisitActive, CreatedAt: bought,
			By: domain.Actor{Kind: domain.ActorResident, ID: r.resident.ID, Name: r.resident.Name, Channel: domain.ChannelSMS}}
		switch i {
		case 2:
			v.IdempotencyKey = "visit-key-2"
		case 3: // cancelled: not counted in visits_used
			v.Status, v.CancelledAt = domain.VisitCancelled, bought.Add(time.Hour)
		}
		if v, err = b.InsertVisit(v); err != nil {
			t.Fatal(err)
		}
		h.visits = append(h.visits, v)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBulkWritesRowsAsTheStoreDoes(t *testing.T) {
	s, path := open(t)
	r := seed(t, s)
	before := indexes(t, s)
	s.Close()

	h := writeBulk(t, path, r)
	if h.payment.ID != r.payment.ID+1 || h.permits[0].ID != r.permit.ID+1 || h.permits[1].ID != r.permit.ID+2 ||
		h.visits[0].ID != 1 || h.visits[3].ID != 4 {
		t.Fatalf("ids: payment %d, permits %d %d, visits %d..%d; want each after the last stored", h.payment.ID,
			h.permits[0].ID, h.permits[1].ID, h.visits[0].ID, h.visits[3].ID)
	}
	s = reopen(t, path)
	if after := indexes(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("indexes after the bulk write:\n%v\nwant as before:\n%v", after, before)
	}
	// What the store's own lookups read back is what was written.
	view(t, s, func(rd domain.Reader) error {
		if got, err := rd.PaymentByKey("hist-1"); err != nil || got != h.payment {
			t.Errorf("payment read back %+v, %v; want %+v", got, err, h.payment)
		}
		if got, err := rd.PermitsForPayment(h.payment.ID); err != nil || !reflect.DeepEqual(got, h.permits) {
			t.Errorf("permits read back %+v, %v; want %+v", got, err, h.permits)
		}
		for _, v := range h.visits {
			if got, err := rd.VisitByRef(v.Ref); err != nil || !reflect.DeepEqual(got, v) {
				t.Errorf("visit read back %+v, %v; want %+v", got, err, v)
			}
		}
		if got, err := rd.VisitByKey("visit-key-2"); err != nil || got.Ref != h.visits[2].Ref {
			t.Errorf("visit by its key: %+v, %v", got, err)
		}
		return nil
	})
	rows, err := sqlite.ReadDB(s).Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Error("a row written in bulk names a row that is not stored")
	}
	rows.Close()
	// The rebuilt indexes hold: a second active visit of the registration that day (R18).
	v := h.visits[0]
	v.ID, v.Ref = 0, "HIST99"
	err = s.Update(context.Background(), func(tx domain.Tx) error { _, err := tx.InsertVisit(v); return err })
	wantConstraint(t, err, "UNIQUE constraint failed: visits.resident_id, visits.scheme_id, visits.vrm, visits.date")
}

func TestBulkClosedUncommittedWritesNothing(t *testing.T) {
	s, path := open(t)
	r := seed(t, s)
	before := indexes(t, s)
	s.Close()
	b, err := sqlite.OpenBulk(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 { // more than a statement's rows: some were sent to SQLite
		if _, err := b.InsertPayment(domain.Payment{ResidentID: r.resident.ID, AmountPence: domain.PermitPrice, Quantity: 1,
			ProviderRef: "LOST", IdempotencyKey: fmt.Sprintf("lost-%d", i), Channel: domain.ChannelAdmin, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, path)
	if after := indexes(t, s); !reflect.DeepEqual(after, before) {
		t.Errorf("indexes after a bulk write rolled back: %v, want %v", after, before)
	}
	view(t, s, func(rd domain.Reader) error {
		if _, err := rd.PaymentByKey("lost-0"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("a payment of a bulk write never committed: %v", err)
		}
		return nil
	})
}

func TestBulkRefusesWhatIsNotAPermitlineDatabase(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "foreign.db")
	sqlitetest.Exec(t, foreign, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`)
	for _, tc := range []struct {
		path string
		want error
	}{{filepath.Join(dir, "missing.db"), sqlite.ErrNoDatabase}, {foreign, sqlite.ErrNotPermitline}} {
		if b, err := sqlite.OpenBulk(context.Background(), tc.path); !errors.Is(err, tc.want) {
			if b != nil {
				b.Close()
			}
			t.Errorf("OpenBulk(%s): %v, want %v", filepath.Base(tc.path), err, tc.want)
		}
	}
}
