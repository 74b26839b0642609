package twiliosim_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr"
	"permitline/ivr/twiliosim"
	"permitline/sms/fakeapi"
)

const (
	weekday = "2026-11-30 10:00"
	alex    = "+447700900123"
	line    = "+443455207007"
)

// queued has Alex call, key a wrong choice, then 0 for an agent, followed on the stand-in.
func queued(t *testing.T, l *servertest.Line) (*twiliosim.Call, *twiliosim.Follower) {
	t.Helper()
	call, err := twiliosim.Dial(l.Ctx, l.Sim(alex, line))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Next(l.Ctx); err != nil {
		t.Fatal(err)
	}
	for _, keys := range []string{"2580", "7"} {
		if _, err := call.Press(l.Ctx, keys); err != nil {
			t.Fatal(err)
		}
	}
	turn, err := call.Press(l.Ctx, "0")
	if err != nil || turn.Wait.Kind != "queue" {
		t.Fatalf("the caller is not in the queue: %+v %v", turn, err)
	}
	return call, twiliosim.NewFollower(l.TwilioSrv.URL, call)
}

// control is the line's call control against the stand-in, as the desk uses it.
func control(l *servertest.Line) *ivr.CallControl {
	target, _ := url.Parse(l.TwilioSrv.URL)
	cc := ivr.NewCallControl(servertest.AccountSid, "token", l.Srv.URL, ivr.Voice{},
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second})
	cc.Retry = ivr.Retry{Waits: []time.Duration{}}
	return cc
}

// take has the agent claim the call and the line put it through.
func take(t *testing.T, l *servertest.Line, call *twiliosim.Call, a domain.Agent) {
	t.Helper()
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Svc.ClaimTransfer(l.Ctx, a, tr.ID); err != nil {
		t.Fatal(err)
	}
	if err := control(l).Connect(l.Ctx, call.Sid(), a); err != nil {
		t.Fatal(err)
	}
}

// next waits for the call's next update on the stand-in.
func next(t *testing.T, f *twiliosim.Follower) twiliosim.Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ups, err := f.Next(ctx)
	if err != nil || len(ups) != 1 {
		t.Fatalf("the call's updates: %+v %v", ups, err)
	}
	return ups[0]
}

func TestTakenCallFollowsTheDeskBackToTheMenu(t *testing.T) {
	l := servertest.New(t, weekday)
	heard := make(chan string, 10)
	l.Twilio.OnCallerSaid = func(sid, text string) { heard <- sid + ": " + text }
	robin := l.AddAgent("robin", "Robin Patel", "07700 900501", "correct horse battery")
	call, f := queued(t, l)
	take(t, l, call, robin)

	turn, err := call.Update(l.Ctx, next(t, f))
	if err != nil || turn.Wait.Kind != "dial" || len(turn.Wait.Targets) != 1 || turn.Wait.Targets[0] != robin.Phone {
		t.Fatalf("put through: %+v %v", turn, err)
	}
	if err := f.Say(l.Ctx, "my visitor's car is not on the list"); err != nil {
		t.Fatal(err)
	}
	if got := <-heard; got != call.Sid()+": my visitor's car is not on the list" || len(heard) != 0 {
		t.Fatalf("the agent heard %q", got)
	}

	if err := control(l).Return(l.Ctx, call.Sid(), ivr.BackToMenu); err != nil {
		t.Fatal(err)
	}
	turn, err = call.Update(l.Ctx, next(t, f))
	if err != nil || turn.Wait.Kind != "gather" || turn.Ended {
		t.Fatalf("handed back: %+v %v", turn, err)
	}
	if said := strings.Join(turn.Said, " "); !strings.Contains(said, "To activate a visit, press 1") {
		t.Fatalf("handed back, the caller hears %q, not the menu", said)
	}
}

func TestTakenCallSentToPaymentContinuesInPay(t *testing.T) {
	l := servertest.New(t, weekday)
	robin := l.AddAgent("robin", "Robin Patel", "07700 900501", "correct horse battery")
	call, f := queued(t, l)
	take(t, l, call, robin)
	if _, err := call.Update(l.Ctx, next(t, f)); err != nil {
		t.Fatal(err)
	}
	if err := control(l).Return(l.Ctx, call.Sid(), ivr.BackToPay); err != nil {
		t.Fatal(err)
	}
	turn, err := call.Update(l.Ctx, next(t, f))
	for i := 0; err == nil && turn.Wait.Kind == "gather" && i < 3; i++ {
		turn, err = call.Press(l.Ctx, "1#") // how many books of permits
	}
	if err != nil || turn.Wait.Kind != "pay" {
		t.Fatalf("sent to payment, the call waits for %q: %+v %v", turn.Wait.Kind, turn.Said, err)
	}
}

func TestHangupInTheQueueLeavesIt(t *testing.T) {
	l := servertest.New(t, weekday)
	call, _ := queued(t, l)
	if err := call.Hangup(l.Ctx); err != nil {
		t.Fatal(err)
	}
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(call.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	if tr.Status != domain.TransferAbandoned {
		t.Fatalf("the caller hung up in the queue, but the transfer is not abandoned: %+v", tr)
	}
}
