package domain_test

import (
	"errors"
	"testing"
	"time"

	"permitline/domain"
)

// transfer reads the transfer of a call.
func (w *world) transfer(callSid string) (domain.Transfer, error) {
	w.t.Helper()
	var t domain.Transfer
	err := w.svc.View(w.ctx, func(r domain.Reader) (err error) { t, err = r.TransferByCall(callSid); return err })
	return t, err
}

func TestQueueTransferRecordsTheCallersContext(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident("Coleridge West", "+447700900123")
	caller := domain.ResidentCaller(res)
	const sid = "CA00000000000000000000000000000001"
	if err := w.svc.Update(w.ctx, func(o *domain.Op) error {
		_, err := o.QueueTransfer(domain.TransferIn{CallSid: sid, From: "+447700900123", Caller: &caller,
			Verified: true, Flow: "activate", State: "confirm", Reason: "asked for an agent",
			Context: []byte(`{"vrm":"AB12CDE","history":[]}`)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := w.transfer(sid)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.TransferQueued || got.ResidentID != res.ID || got.Caller != caller.Actor(domain.ChannelVoice) ||
		!got.Verified || got.Flow != "activate" || got.State != "confirm" || got.From != "+447700900123" ||
		string(got.Context) != `{"vrm":"AB12CDE","history":[]}` || !got.CreatedAt.Equal(w.clock.Now()) {
		t.Fatalf("transfer %+v", got)
	}

	// A caller who was never identified is put through all the same, as no one.
	const anon = "CA00000000000000000000000000000002"
	if err := w.svc.Update(w.ctx, func(o *domain.Op) error {
		_, err := o.QueueTransfer(domain.TransferIn{CallSid: anon, From: "anonymous", Flow: "identify",
			State: "start", Reason: "asked for an agent", Context: []byte(`{"history":[]}`)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.transfer(anon); err != nil || got.ResidentID != 0 || got.Caller.ID != 0 || got.Caller.Kind != "" || got.Verified {
		t.Fatalf("anonymous transfer %+v %v", got, err)
	}
}

func TestQueueUnknownCallerRecordsOneTransferOnly(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	const sid = "CA00000000000000000000000000000003"
	for range 2 {
		if err := w.svc.QueueUnknownCaller(w.ctx, sid, "+447700900555"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := w.transfer(sid)
	if err != nil || got.Status != domain.TransferQueued || got.From != "+447700900555" || got.Reason == "" {
		t.Fatalf("transfer %+v %v", got, err)
	}
	var all []domain.Transfer
	_ = w.svc.View(w.ctx, func(r domain.Reader) (err error) { all, err = r.Transfers(time.Time{}, 10); return err })
	if len(all) != 1 {
		t.Fatalf("%d transfers, want 1", len(all))
	}

	// A known caller's transfer is left as it is.
	known := w.queuedTransfer("CA00000000000000000000000000000004", 0)
	if err := w.svc.QueueUnknownCaller(w.ctx, known.CallSid, "+447700900666"); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.transfer(known.CallSid); got.From != known.From || got.Reason != known.Reason {
		t.Fatalf("known transfer changed: %+v", got)
	}
}

func TestLeaveQueueMovesOnlyAWaitingTransfer(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	waiting := w.queuedTransfer("CA00000000000000000000000000000005", 0)
	w.set("2026-11-30 10:05:00")
	leave := func(sid string, to domain.TransferStatus) {
		t.Helper()
		if err := w.svc.Update(w.ctx, func(o *domain.Op) error { return o.LeaveQueue(sid, to) }); err != nil {
			t.Fatal(err)
		}
	}
	leave(waiting.CallSid, domain.TransferTaken)
	if got, _ := w.transfer(waiting.CallSid); got.Status != domain.TransferTaken || !got.UpdatedAt.Equal(w.clock.Now()) {
		t.Fatalf("after taken: %+v", got)
	}
	// Taken already: a late "hangup" from the queue does not undo it.
	leave(waiting.CallSid, domain.TransferAbandoned)
	if got, _ := w.transfer(waiting.CallSid); got.Status != domain.TransferTaken {
		t.Fatalf("a taken transfer became %s", got.Status)
	}
	// A call with no transfer: nothing to do, no error.
	leave("CA00000000000000000000000000000006", domain.TransferAbandoned)
	if _, err := w.transfer("CA00000000000000000000000000000006"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a transfer appeared: %v", err)
	}
}
