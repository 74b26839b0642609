package postgres_test

import (
	"context"
	"testing"
	"time"

	"permitline/domain"
	"permitline/domain/postgres"
	"permitline/domain/storetest"
	"permitline/fixtures"
)

// The ledger reads what the store wrote, on one snapshot.
func TestLedgerReadsTheStoreWhole(t *testing.T) {
	ctx := context.Background()
	addr := storetest.PostgresDatabase(t)
	s := storetest.OpenPostgres(t, addr)
	schemes, err := fixtures.Schemes()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, time.April, 13, 8, 30, 0, 0, time.UTC)
	var pay domain.Payment
	var permit domain.Permit
	if err := s.Update(ctx, func(tx domain.Tx) error {
		sc, err := tx.UpsertScheme(schemes[0])
		if err != nil {
			return err
		}
		a, err := tx.InsertAddress(domain.Address{Line: "1 Test Road", Postcode: "CB1 3AA", SchemeID: sc.ID, Active: true})
		if err != nil {
			return err
		}
		res, err := tx.InsertResident(domain.Resident{Account: "12345678", Name: "Test", AddressID: a.ID, Phone: "+447700900123", CreatedAt: now})
		if err != nil {
			return err
		}
		if pay, err = tx.InsertPayment(domain.Payment{ResidentID: res.ID, AmountPence: domain.PermitPrice, Quantity: 1,
			ProviderRef: "REF1", IdempotencyKey: "pay-1", Channel: domain.ChannelVoice, CreatedAt: now}); err != nil {
			return err
		}
		if permit, err = tx.InsertPermit(domain.Permit{ResidentID: res.ID, SchemeID: sc.ID, PaymentID: pay.ID,
			PurchasedAt: now, ExpiresAt: now.AddDate(1, 0, 0)}); err != nil {
			return err
		}
		return tx.AppendAudit(domain.AuditEntry{At: now, ResidentID: res.ID, Actor: domain.Admin("test"), Action: "permit.buy"})
	}); err != nil {
		t.Fatal(err)
	}
	err = postgres.ReadLedger(ctx, addr, func(l *postgres.Ledger) error {
		visit, payment, err := l.LastIDs()
		if err != nil || visit != 0 || payment != pay.ID {
			t.Errorf("LastIDs: %d, %d, %v; want 0, %d", visit, payment, err, pay.ID)
		}
		counts, err := l.AuditCounts()
		if err != nil || counts["permit.buy"] != 1 {
			t.Errorf("AuditCounts: %v, %v", counts, err)
		}
		n := 0
		if err := l.EachPayment(func(p domain.Payment, permits int) error {
			n++
			if p.ID != pay.ID || permits != 1 {
				t.Errorf("payment %+v with %d permits", p, permits)
			}
			return nil
		}); err != nil {
			return err
		}
		byRef, err := l.PaymentsByRef("REF1")
		if err != nil || len(byRef) != 1 || n != 1 {
			t.Errorf("PaymentsByRef: %v, %v; %d payments", byRef, err, n)
		}
		if _, err := l.ResidentByAccount("12345678"); err != nil {
			t.Errorf("the ledger's Reader: %v", err)
		}
		return l.EachPermit(func(p domain.Permit) error {
			if p.ID != permit.ID {
				t.Errorf("permit %+v", p)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
