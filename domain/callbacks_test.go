package domain_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"permitline/domain"
)

func (w *world) book(in domain.CallbackIn) (domain.Callback, error) {
	w.t.Helper()
	var cb domain.Callback
	err := w.svc.Update(w.ctx, func(o *domain.Op) (err error) { cb, err = o.BookCallback(in); return err })
	return cb, err
}

func TestACallbackBookedOnChristmasDayIsDueWhenTheHelpdeskOpensOnBoxingDay(t *testing.T) {
	w := newWorld(t, "2026-12-25 17:00:00")
	res := w.resident(cw, "07700900123")
	caller := domain.ResidentCaller(res)
	cb, err := w.book(domain.CallbackIn{CallSid: "CA1", Number: "07700 900123", Caller: &caller, Verified: true,
		Kind: domain.CallbackBooked, Reason: "asked for an agent"})
	if err != nil {
		t.Fatal(err)
	}
	// Saturday 26 December 2026 is Boxing Day, but the bank holiday is Monday 28th: Saturday hours.
	if want := at(t, "2026-12-26 08:00:00"); !cb.DueAt.Equal(want) || cb.Status != domain.CallbackPending ||
		cb.Number != "+447700900123" || cb.ResidentID != res.ID {
		t.Fatalf("callback %+v, want due %v", cb, want)
	}
	// A repeated webhook gets the same callback, and nothing more is booked.
	again, err := w.book(domain.CallbackIn{CallSid: "CA1", Number: "07700900123", Caller: &caller, Kind: domain.CallbackBooked})
	if err != nil || again.ID != cb.ID {
		t.Fatalf("again: %+v %v", again, err)
	}
	// R25: one pending callback per resident, whichever call asks.
	_, err = w.book(domain.CallbackIn{CallSid: "CA2", Number: "01223 457000", Caller: &caller, Kind: domain.CallbackBooked})
	var pending *domain.CallbackPendingError
	if !errors.As(err, &pending) || !pending.Due.Equal(cb.DueAt) {
		t.Fatalf("a second callback: %v", err)
	}
	// Before it is due, no agent may make it.
	w.set("2026-12-26 07:59:00")
	a := w.agent("robin")
	var notDue *domain.CallbackNotDueError
	if _, err := w.svc.TakeCallback(w.ctx, a, cb.ID); !errors.As(err, &notDue) {
		t.Fatalf("taken before due: %v", err)
	}
	list, _ := w.svc.Callbacks(w.ctx)
	if len(list) != 1 || list[0].ID != cb.ID {
		t.Fatalf("list %+v", list)
	}
}

func TestACallbackIsOnlyToANumberTheLineCanCall(t *testing.T) {
	w := newWorld(t, "2026-11-30 20:00:00")
	for _, n := range []string{"anonymous", "", "+33612345678", "09098790000", "0844 800 0000"} {
		_, err := w.book(domain.CallbackIn{CallSid: "CA" + n, Number: n, Kind: domain.CallbackBooked})
		var bad *domain.CallbackNumberError
		if !errors.As(err, &bad) || domain.RuleOf(err) != "R25" {
			t.Errorf("number %q: %v", n, err)
		}
	}
	// A caller not identified may book one per number.
	if _, err := w.book(domain.CallbackIn{CallSid: "CAa", Number: "07700900555", Kind: domain.CallbackBooked}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.book(domain.CallbackIn{CallSid: "CAb", Number: "+447700900555", Kind: domain.CallbackBooked}); domain.RuleOf(err) != "R25" {
		t.Fatalf("a second callback to one number: %v", err)
	}
	var n int
	_ = w.svc.View(w.ctx, func(r domain.Reader) (err error) { n, err = r.CountCallbacks(domain.CallbackPending); return err })
	if n != 1 {
		t.Fatalf("%d pending callbacks, want 1", n)
	}
}

func TestAKeptCallbackKeepsTheCallersPlaceInTheQueue(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900123")
	first := w.queuedTransfer("CA1", res.ID)
	w.set("2026-11-30 10:05:00")
	w.queuedTransfer("CA2", 0)
	w.set("2026-11-30 10:07:00")
	caller := domain.ResidentCaller(res)
	cb, err := w.book(domain.CallbackIn{CallSid: "CA1", Number: "+447700900123", Caller: &caller, Kind: domain.CallbackKept})
	if err != nil {
		t.Fatal(err)
	}
	if !cb.DueAt.Equal(first.CreatedAt) || cb.TransferID != first.ID || cb.Reason != first.Reason {
		t.Fatalf("callback %+v, want due %v from transfer %d", cb, first.CreatedAt, first.ID)
	}
	tr, _ := w.transfer("CA1")
	if tr.Status != domain.TransferCallback {
		t.Fatalf("transfer status %s", tr.Status)
	}
	// The caller hanging up afterwards does not make the call abandoned.
	if err := w.svc.Update(w.ctx, func(o *domain.Op) error { return o.LeaveQueue("CA1", domain.TransferAbandoned) }); err != nil {
		t.Fatal(err)
	}
	if tr, _ := w.transfer("CA1"); tr.Status != domain.TransferCallback {
		t.Fatalf("hang-up changed the transfer to %s", tr.Status)
	}
	// A call no longer queued cannot keep a place.
	if _, err := w.book(domain.CallbackIn{CallSid: "CA9", Number: "07700900999", Kind: domain.CallbackKept}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a kept callback for a call never queued: %v", err)
	}
}

func TestACallbackNotAnsweredIsTriedThreeTimesThenTheResidentIsTexted(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900123")
	w.queuedTransfer("CA1", res.ID)
	caller := domain.ResidentCaller(res)
	cb, err := w.book(domain.CallbackIn{CallSid: "CA1", Number: res.Phone, Caller: &caller, Kind: domain.CallbackKept})
	if err != nil {
		t.Fatal(err)
	}
	a := w.agent("robin")
	for try := 1; try <= domain.CallbackAttempts; try++ {
		got, err := w.svc.TakeCallback(w.ctx, a, cb.ID)
		if err != nil || got.Attempts != try || got.Status != domain.CallbackCalling {
			t.Fatalf("try %d: %+v %v", try, got, err)
		}
		sid := fmt.Sprintf("CAout%d", try)
		if err := w.svc.CallbackDialled(w.ctx, cb.ID, sid); err != nil {
			t.Fatal(err)
		}
		got, err = w.svc.CallbackNotAnswered(w.ctx, sid, "no-answer")
		if err != nil {
			t.Fatal(err)
		}
		// A repeated status callback changes nothing.
		if again, err := w.svc.CallbackNotAnswered(w.ctx, sid, "no-answer"); err != nil || again.Status != got.Status || again.Attempts != try {
			t.Fatalf("repeat: %+v %v", again, err)
		}
		if try < domain.CallbackAttempts {
			if got.Status != domain.CallbackPending || !got.DueAt.Equal(w.clock.Now().Add(domain.CallbackRetryAfter)) {
				t.Fatalf("try %d: %+v", try, got)
			}
			if len(w.outbox()) != 0 {
				t.Fatalf("texted after try %d", try)
			}
			w.clock.Set(got.DueAt)
			continue
		}
		if got.Status != domain.CallbackFailed {
			t.Fatalf("after the last try: %+v", got)
		}
	}
	texts := w.outbox()
	if len(texts) != 1 || texts[0].Kind != domain.NoticeCallbackFailed || texts[0].To != res.Phone {
		t.Fatalf("texts %+v", texts)
	}
	// With the failed one closed, the resident may book again.
	if _, err := w.book(domain.CallbackIn{CallSid: "CA2", Number: res.Phone, Caller: &caller, Kind: domain.CallbackBooked}); err != nil {
		t.Fatal(err)
	}
}

func TestACallbackAnsweredIsFinishedByTheAgentWhoMadeIt(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900123")
	caller := domain.ResidentCaller(res)
	w.set("2026-11-29 20:00:00") // a Sunday evening: closed
	cb, err := w.book(domain.CallbackIn{CallSid: "CA1", Number: res.Phone, Caller: &caller, Kind: domain.CallbackBooked})
	if err != nil || !cb.DueAt.Equal(at(t, "2026-11-30 08:00:00")) {
		t.Fatalf("%+v %v", cb, err)
	}
	w.set("2026-11-30 08:01:00")
	agents := []domain.Agent{w.agent("a1"), w.agent("a2"), w.agent("a3")}
	var wg sync.WaitGroup
	errs := make([]error, len(agents))
	for i, a := range agents {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = w.svc.TakeCallback(w.ctx, a, cb.ID) }()
	}
	wg.Wait()
	var winner domain.Agent
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won, winner = won+1, agents[i]
		case !errors.Is(err, domain.ErrTaken):
			t.Fatal(err)
		}
	}
	if won != 1 {
		t.Fatalf("%d agents took one callback", won)
	}
	if err := w.svc.CallbackDialled(w.ctx, cb.ID, "CAout"); err != nil {
		t.Fatal(err)
	}
	if got, err := w.svc.CallbackAnswered(w.ctx, "CAout"); err != nil || got.Status != domain.CallbackConnected {
		t.Fatalf("answered: %+v %v", got, err)
	}
	other := agents[0]
	if other.ID == winner.ID {
		other = agents[1]
	}
	if _, err := w.svc.FinishCallback(w.ctx, other, cb.ID, "not mine"); !errors.Is(err, domain.ErrNotYourCall) {
		t.Fatalf("another agent finished it: %v", err)
	}
	done, err := w.svc.FinishCallback(w.ctx, winner, cb.ID, "booked a visit")
	if err != nil || done.Status != domain.CallbackDone || done.Note != "booked a visit" {
		t.Fatalf("finish: %+v %v", done, err)
	}
	view, _ := w.svc.Account(w.ctx, w.admin, res.Account)
	seen := map[string]bool{}
	for _, e := range view.Activity {
		seen[e.Action] = true
	}
	for _, a := range []string{"callback.book", "callback.take", "callback.answered", "callback.done"} {
		if !seen[a] {
			t.Errorf("no %s in the audit: %+v", a, view.Activity)
		}
	}
}

func TestAVoicemailIsOneRowWhicheverReportComesFirst(t *testing.T) {
	w := newWorld(t, "2026-11-30 20:00:00")
	res := w.resident(cw, "07700900123")
	caller := domain.ResidentCaller(res)
	record := func(in domain.VoicemailIn) domain.Voicemail {
		t.Helper()
		var v domain.Voicemail
		if err := w.svc.Update(w.ctx, func(o *domain.Op) (err error) { v, err = o.RecordVoicemail(in); return err }); err != nil {
			t.Fatal(err)
		}
		return v
	}
	const url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
	// The status callback first, then the <Record> action with the call's context.
	v := record(domain.VoicemailIn{CallSid: "CA1", RecordingSid: "RE1", RecordingURL: url, Duration: 14, Available: true})
	if v.Status != domain.VoicemailWaiting {
		t.Fatalf("after the status callback: %+v", v)
	}
	v = record(domain.VoicemailIn{CallSid: "CA1", From: res.Phone, Caller: &caller, Reason: "left a message",
		Context: []byte(`{"history":["menu"]}`), RecordingURL: url, Duration: 14})
	if v.Status != domain.VoicemailWaiting || v.RecordingSid != "RE1" || v.ResidentID != res.ID ||
		string(v.Context) != `{"history":["menu"]}` || v.Duration != 14 {
		t.Fatalf("after the action: %+v", v)
	}
	// The other order: the action alone is not yet listed.
	record(domain.VoicemailIn{CallSid: "CA2", From: "+447700900555", RecordingURL: url + "2", Duration: 5})
	list, _ := w.svc.Voicemails(w.ctx)
	if len(list) != 1 || list[0].CallSid != "CA1" {
		t.Fatalf("list %+v", list)
	}
	record(domain.VoicemailIn{CallSid: "CA2", RecordingSid: "RE2", RecordingURL: url + "2", Available: true})
	if list, _ = w.svc.Voicemails(w.ctx); len(list) != 2 {
		t.Fatalf("list %+v", list)
	}
	a := w.agent("robin")
	done, err := w.svc.VoicemailDone(w.ctx, a, v.ID, "called back, visit booked")
	if err != nil || done.Status != domain.VoicemailDone || done.AgentID != a.ID {
		t.Fatalf("done: %+v %v", done, err)
	}
	if _, err := w.svc.VoicemailDone(w.ctx, a, v.ID, "again"); !errors.Is(err, domain.ErrTaken) {
		t.Fatalf("done twice: %v", err)
	}
	if list, _ = w.svc.Voicemails(w.ctx); len(list) != 1 || list[0].CallSid != "CA2" {
		t.Fatalf("list after done %+v", list)
	}
}

func TestClaimTransferRecordsWhenTheCallWasTaken(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	tr := w.queuedTransfer("CA1", 0)
	w.set("2026-11-30 10:00:45")
	got, err := w.svc.ClaimTransfer(w.ctx, w.agent("robin"), tr.ID)
	if err != nil || !got.TakenAt.Equal(w.clock.Now()) {
		t.Fatalf("%+v %v", got, err)
	}
	if read, _ := w.svc.Transfer(w.ctx, tr.ID); !read.TakenAt.Equal(w.clock.Now()) {
		t.Fatalf("stored taken at %v", read.TakenAt)
	}
}
