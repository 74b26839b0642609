package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"permitline/domain"
	"permitline/domain/sqlite"
)

func TestLedgerReadsTheStoreWhole(t *testing.T) {
	ctx := context.Background()
	s, path := open(t)
	r := seed(t, s)
	var visits []domain.Visit
	update(t, s, func(tx domain.Tx) error {
		for _, v := range []domain.Visit{r.visit("LED001", "AB12CDE"), r.visit("LED002", "XY34ZZZ")} {
			v.By = domain.Actor{Kind: domain.ActorResident, ID: r.resident.ID, Name: r.resident.Name, Channel: domain.ChannelVoice}
			v, err := tx.InsertVisit(v)
			if err != nil {
				return err
			}
			visits = append(visits, v)
		}
		if err := tx.SetVisitCancelled(visits[1].ID, now); err != nil {
			return err
		}
		visits[1].Status, visits[1].CancelledAt = domain.VisitCancelled, now
		if err := tx.SetPermitVisitsUsed(r.permit.ID, 1); err != nil {
			return err
		}
		if _, err := tx.InsertPayment(domain.Payment{ResidentID: r.resident.ID, AmountPence: domain.PermitPrice, Quantity: 1,
			ProviderRef: "TEST", IdempotencyKey: "pay-2", Channel: domain.ChannelVoice, CreatedAt: now}); err != nil {
			return err
		}
		return tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: r.resident.ID, Actor: domain.Admin("test"),
			Action: "visit.activate"})
	})
	err := sqlite.ReadLedger(ctx, path, func(l *sqlite.Ledger) error {
		if v, p, err := l.LastIDs(); err != nil || v != visits[1].ID || p != r.payment.ID+1 {
			t.Errorf("last ids %d, %d, %v; want %d, %d", v, p, err, visits[1].ID, r.payment.ID+1)
		}
		if got, err := l.VisitByRef("LED002"); err != nil || got.Status != domain.VisitCancelled {
			t.Errorf("the Reader's VisitByRef: %+v, %v", got, err)
		}
		if n, err := l.VisitCount(r.resident.ID, "AB12CDE", today); err != nil || n != 1 {
			t.Errorf("visits of AB12CDE today: %d, %v", n, err)
		}
		if n, err := l.VisitCount(r.resident.ID, "AB12CDE", today.AddDays(1)); err != nil || n != 0 {
			t.Errorf("visits of AB12CDE tomorrow: %d, %v", n, err)
		}
		if got, err := l.VisitsAfter(visits[0].ID); err != nil || len(got) != 1 || got[0].ID != visits[1].ID ||
			got[0].Status != domain.VisitCancelled || !got[0].CancelledAt.Equal(now) || got[0].By != visits[1].By {
			t.Errorf("visits after the first: %+v, %v; want %+v", got, err, visits[1:])
		}
		if got, err := l.ActiveVisitsByPermit(); err != nil || !reflect.DeepEqual(got, map[int64]int{r.permit.ID: 1}) {
			t.Errorf("active visits by permit: %v, %v", got, err)
		}
		var permits []domain.Permit
		if err := l.EachPermit(func(p domain.Permit) error { permits = append(permits, p); return nil }); err != nil ||
			len(permits) != 1 || permits[0].ID != r.permit.ID || permits[0].VisitsUsed != 1 {
			t.Errorf("permits: %+v, %v", permits, err)
		}
		counts := map[string]int{}
		if err := l.EachPayment(func(p domain.Payment, n int) error { counts[p.IdempotencyKey] = n; return nil }); err != nil ||
			!reflect.DeepEqual(counts, map[string]int{"pay-1": 1, "pay-2": 0}) {
			t.Errorf("permits a payment: %v, %v", counts, err)
		}
		if got, err := l.PaymentsByRef("TEST"); err != nil || len(got) != 2 || got[0].ID != r.payment.ID {
			t.Errorf("payments with the reference TEST: %+v, %v", got, err)
		}
		if got, err := l.PaymentsAfter(r.payment.ID); err != nil || len(got) != 1 || got[0].IdempotencyKey != "pay-2" {
			t.Errorf("payments after the first: %+v, %v", got, err)
		}
		if got, err := l.AuditCounts(); err != nil || !reflect.DeepEqual(got, map[string]int{"visit.activate": 1}) {
			t.Errorf("audit counts: %v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlite.ReadLedger(ctx, filepath.Join(t.TempDir(), "missing.db"), func(*sqlite.Ledger) error { return nil }); !errors.Is(err, sqlite.ErrNoDatabase) {
		t.Errorf("a ledger of a missing file: %v", err)
	}
}
