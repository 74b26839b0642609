package domain_test

import (
	"errors"
	"testing"

	"permitline/domain"
)

// A step that only reads runs on a snapshot and answers as Update would; one that writes
// gets ErrNeedsWrite, writes nothing, and leaves the references Update will draw as they were.
func TestTryReadOnly(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident("Coleridge West", "+447700900123")
	w.mustBuy(res.Account, 1)

	var heard domain.Balance
	err := w.svc.TryReadOnly(w.ctx, func(op *domain.Op) (err error) {
		heard, err = op.Balance(w.admin, res.Account)
		return err
	})
	if err != nil {
		t.Fatalf("a balance on trial: %v", err)
	}
	if want := w.balance(res.Account); heard.VisitsLeft != want.VisitsLeft || heard.VisitsLeft != 5 {
		t.Errorf("balance on trial: %d visits left, Update's view %d, want 5", heard.VisitsLeft, want.VisitsLeft)
	}

	req := domain.VisitRequest{VRM: "AB12CDE", Date: date(t, "2026-12-01")}
	err = w.svc.TryReadOnly(w.ctx, func(op *domain.Op) error {
		_, _ = op.ActivateVisit(w.admin, res.Account, req)
		return nil // even a caller that drops the error is told it wrote
	})
	if !errors.Is(err, domain.ErrNeedsWrite) {
		t.Fatalf("an activation on trial: %v, want ErrNeedsWrite", err)
	}
	if b := w.balance(res.Account); b.VisitsLeft != 5 {
		t.Errorf("after an activation on trial: %d visits left, want 5 (nothing written)", b.VisitsLeft)
	}

	// Update draws the same reference as a world that never tried.
	a := w.mustActivate(res.Account, "AB12CDE", date(t, "2026-12-01"))
	fresh := domain.NewSeededIDs(uint64(len(t.Name())))
	fresh.AccountNumber() // the resident's account
	if want := fresh.VisitRef(); a.Visit.Ref != want {
		t.Errorf("reference after a trial: %s, want %s (the trial drew one)", a.Visit.Ref, want)
	}
}
