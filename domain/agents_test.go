package domain_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"permitline/domain"
)

func (w *world) agent(username string) domain.Agent {
	w.t.Helper()
	a, err := w.svc.AddAgent(w.ctx, w.admin, domain.NewAgent{Username: username, Name: "Agent " + username,
		Phone: "07700900900", Password: "correct horse battery"})
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

func (w *world) queuedTransfer(callSid string, residentID int64) domain.Transfer {
	w.t.Helper()
	var tr domain.Transfer
	err := w.svc.Update(w.ctx, func(o *domain.Op) (err error) {
		tr, err = o.Tx().InsertTransfer(domain.Transfer{CallSid: callSid, From: "+447700900123", ResidentID: residentID,
			Reason: "asked for an agent", Context: []byte(`{}`), Status: domain.TransferQueued, CreatedAt: o.Now(), UpdatedAt: o.Now()})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return tr
}

func TestAgentsSignInWithTheirPassword(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	a := w.agent("sam")
	if got, err := w.svc.SignInAgent(w.ctx, " SAM ", "correct horse battery", "192.0.2.1", w.clock.Now()); err != nil || got.ID != a.ID {
		t.Fatalf("sign in: %v %+v", err, got)
	}
	for _, tc := range []struct{ user, pass string }{{"sam", "wrong password"}, {"nobody", "correct horse battery"}} {
		if _, err := w.svc.SignInAgent(w.ctx, tc.user, tc.pass, "192.0.2.1", w.clock.Now()); !errors.Is(err, domain.ErrBadCredentials) {
			t.Errorf("%s/%s: %v", tc.user, tc.pass, err)
		}
	}
	bad := []domain.NewAgent{
		{Username: "sam", Name: "Again", Phone: "07700900901", Password: "long enough pass"},
		{Username: "short", Name: "S", Phone: "07700900901", Password: "short"},
		{Username: "both", Name: "B", Phone: "07700900901", ClientIdentity: "b", Password: "long enough pass"},
		{Username: "neither", Name: "N", Password: "long enough pass"},
		{Username: "bad name", Name: "N", Phone: "07700900901", Password: "long enough pass"},
	}
	for _, in := range bad {
		if _, err := w.svc.AddAgent(w.ctx, w.admin, in); domain.RuleOf(err) != "input" {
			t.Errorf("%+v: want an input refusal, got %v", in, err)
		}
	}
}

func TestTwoAgentsClaimingOneCallExactlyOneWins(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900040")
	tr := w.queuedTransfer("CA1", res.ID)
	agents := []domain.Agent{w.agent("a1"), w.agent("a2"), w.agent("a3"), w.agent("a4")}
	var wg sync.WaitGroup
	errs := make([]error, len(agents))
	for i, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = w.svc.ClaimTransfer(w.ctx, a, tr.ID)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, domain.ErrTaken):
			t.Fatal(err)
		}
	}
	got, _ := w.svc.Transfer(w.ctx, tr.ID)
	if won != 1 || got.Status != domain.TransferTaken || got.AgentID == 0 {
		t.Fatalf("%d claims won; transfer %+v", won, got)
	}
	var winner domain.Agent
	for i, err := range errs {
		if err == nil {
			winner = agents[i]
		}
	}
	other := agents[0]
	if other.ID == winner.ID {
		other = agents[1]
	}
	if _, err := w.svc.EndTransfer(w.ctx, other, tr.ID, domain.TransferDone, "not mine"); !errors.Is(err, domain.ErrNotYourCall) {
		t.Fatalf("another agent ended the call: %v", err)
	}
	long := strings.Repeat("x", domain.MaxNoteLen+1)
	if _, err := w.svc.EndTransfer(w.ctx, winner, tr.ID, domain.TransferDone, long); domain.RuleOf(err) != "input" {
		t.Fatalf("a note over %d characters: %v, want an input refusal", domain.MaxNoteLen, err)
	}
	if got, _ := w.svc.Transfer(w.ctx, tr.ID); got.Status != domain.TransferTaken || got.Note != "" {
		t.Fatalf("a refused wrap-up changed the call: %+v", got)
	}
	done, err := w.svc.EndTransfer(w.ctx, winner, tr.ID, domain.TransferDone, "visit booked for Tuesday")
	if err != nil || done.Status != domain.TransferDone || done.Note != "visit booked for Tuesday" {
		t.Fatalf("end: %v %+v", err, done)
	}
	if _, err := w.svc.EndTransfer(w.ctx, winner, tr.ID, domain.TransferReturned, "again"); !errors.Is(err, domain.ErrNotYourCall) {
		t.Fatalf("a finished call was ended again: %v", err)
	}
	today, _ := w.svc.TransfersToday(w.ctx)
	if len(today) != 1 || today[0].Status != domain.TransferDone {
		t.Fatalf("today: %+v", today)
	}
	view, _ := w.svc.Account(w.ctx, w.admin, res.Account)
	found := false
	for _, e := range view.Activity {
		found = found || (e.Action == "call.take" && e.Actor.Kind == domain.ActorAgent && e.Actor.ID == winner.ID)
	}
	if !found {
		t.Fatalf("the audit trail does not show the agent taking the call: %+v", view.Activity)
	}
}

func TestResendAConfirmation(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900041")
	w.mustBuy(res.Account, 1)
	a := w.mustActivate(res.Account, "AB12CDE", date(t, "2026-12-01"))
	agent := w.agent("sam")
	if err := w.svc.ResendConfirmation(w.ctx, agent.Actor(), a.Visit.Ref); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.ResendConfirmation(w.ctx, agent.Actor(), a.Visit.Ref); err != nil {
		t.Fatal(err)
	}
	var due []domain.Outgoing
	_ = w.svc.View(w.ctx, func(r domain.Reader) (err error) {
		due, err = r.DueOutgoing(w.clock.Now(), w.clock.Now(), 10)
		return err
	})
	n := 0
	for _, m := range due {
		if m.Kind == domain.NoticeActivated && m.VisitID == a.Visit.ID {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("two resends queue two texts; %d queued: %+v", n, due)
	}
}

func TestChannelsAskTheDomainWhatAMemberMayDo(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900042")
	m, err := w.svc.AddMember(w.ctx, w.admin, res.Account, domain.NewMember{Name: "Activator", Phone: "07700900043",
		Permissions: domain.Permissions{domain.PermActivate}})
	if err != nil {
		t.Fatal(err)
	}
	actor := domain.Actor{Kind: domain.ActorMember, ID: m.ID, Name: m.Name, Channel: domain.ChannelSMS}
	err = w.svc.Update(w.ctx, func(o *domain.Op) error {
		if _, err := o.Authorise(actor, res.Account, domain.PermActivate); err != nil {
			t.Errorf("R5 a member with activate may activate: %v", err)
		}
		if _, err := o.Balance(actor, res.Account); domain.RuleOf(err) != "R5" {
			t.Errorf("R5 a member without view hears no balance: %v", err)
		}
		if _, err := o.UpcomingVisits(actor, res.Account, 10); domain.RuleOf(err) != "R5" {
			t.Errorf("R5 a member without view sees no visits: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSignedOutSessionsAreKeptUntilTheyExpire: a signed-out desk session is kept until it
// would have expired, signing it out twice is harmless, and the sessions that have expired
// are forgotten at the next sign-out.
func TestSignedOutSessionsAreKeptUntilTheyExpire(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	sam, kim := w.agent("sam"), w.agent("kim")
	now := w.clock.Now()
	if err := w.svc.SignOut(w.ctx, sam, "session-a", now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SignOut(w.ctx, sam, "session-a", now.Add(time.Hour), now); err != nil {
		t.Fatalf("signing out the same session again: %v", err)
	}
	for session, want := range map[string]bool{"session-a": true, "session-b": false} {
		if got, err := w.svc.SessionSignedOut(w.ctx, session); err != nil || got != want {
			t.Errorf("SessionSignedOut(%s) = %v, %v; want %v", session, got, err, want)
		}
	}
	// Two hours on, session-a has expired: kim's sign-out forgets it.
	later := now.Add(2 * time.Hour)
	if err := w.svc.SignOut(w.ctx, kim, "session-c", later.Add(time.Hour), later); err != nil {
		t.Fatal(err)
	}
	for session, want := range map[string]bool{"session-a": false, "session-c": true} {
		if got, err := w.svc.SessionSignedOut(w.ctx, session); err != nil || got != want {
			t.Errorf("after expiry: SessionSignedOut(%s) = %v, %v; want %v", session, got, err, want)
		}
	}
	if err := w.svc.SignOut(w.ctx, kim, " ", later, later); domain.RuleOf(err) != "input" {
		t.Errorf("an empty session: %v, want an input refusal", err)
	}
}

// TestSentToPaymentIsAuditedForTheAgentHoldingTheCall: only the agent who took the call
// may record sending it to payment; the entry is on the caller's account, as that agent.
func TestSentToPaymentIsAuditedForTheAgentHoldingTheCall(t *testing.T) {
	w := newWorld(t, "2026-11-30 10:00:00")
	res := w.resident(cw, "07700900041")
	tr := w.queuedTransfer("CA2", res.ID)
	holder, other := w.agent("h1"), w.agent("o1")
	count := func() (n int) {
		err := w.svc.View(w.ctx, func(r domain.Reader) error {
			es, err := r.Audit(res.ID, 50)
			for _, e := range es {
				if e.Action == "call.to_payment" && e.Actor.ID == holder.ID && e.Actor.Kind == domain.ActorAgent {
					n++
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := w.svc.SentToPayment(w.ctx, holder, tr.ID); !errors.Is(err, domain.ErrNotYourCall) {
		t.Fatalf("a call still queued: %v, want ErrNotYourCall", err)
	}
	if _, err := w.svc.ClaimTransfer(w.ctx, holder, tr.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SentToPayment(w.ctx, other, tr.ID); !errors.Is(err, domain.ErrNotYourCall) {
		t.Fatalf("another agent: %v, want ErrNotYourCall", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d entries before the holder sent the call", n)
	}
	if err := w.svc.SentToPayment(w.ctx, holder, tr.ID); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d entries after the holder sent the call, want 1", n)
	}
}
