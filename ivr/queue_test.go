package ivr_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

// A caller in the queue hears their place, again each time Twilio fetches the wait URL,
// and, in the last half hour before the helpdesk closes, when it closes.
func TestTheQueueSaysThePlaceAndAClosingSoon(t *testing.T) {
	for _, tc := range []struct {
		name, now string
		want, not []string
	}{
		{"morning", monday, []string{"You're number three in the queue.", `<Pause length="30"`}, []string{"closes"}},
		{"17:29, closing in 31 minutes", "2026-11-30 17:29", []string{"number three"}, []string{"closes"}},
		{"17:40, closing soon", "2026-11-30 17:40",
			[]string{"You're number three in the queue.", "The helpdesk closes at six p.m. today."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLine(t, tc.now)
			status, body := l.signedPost("/twilio/voice/queue/wait", url.Values{"CallSid": {servertest.Sid("CA", 0x9a17)},
				"From": {alex}, "QueuePosition": {"3"}})
			body = strings.ReplaceAll(body, "&apos;", "'")
			if status != 200 {
				t.Fatalf("wait: %d %s", status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("wait says %s, want %q in it", body, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("wait says %s, want no %q in it", body, w)
				}
			}
		})
	}
}

// A caller in the queue who presses 1 keeps their place as a call back: they hear the
// number it will be made to and the call ends; hanging up then (the queue's action with
// hangup, the call's status callback) does not mark the transfer abandoned, and the call
// back is due from when they joined the queue.
func TestACallBackKeepsThePlaceInTheQueue(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("0").waitsFor("queue").expect("To keep your place and be called back, press 1.")
	joined := l.transfer(c).CreatedAt
	l.Clock.Set(at(t, monday).Add(3 * time.Minute))
	// The <Hangup> ends the call in the queue: Twilio posts the queue's action with
	// QueueResult hangup, then the status callback (posted again below, as a repeat).
	c.press("1").expect("We'll call you back on the number ending zero one two three when it's your turn").ended()
	status, body := l.signedPost("/twilio/voice/status", url.Values{"CallSid": {c.c.Sid()}, "From": {alex},
		"CallStatus": {"completed"}})
	if status >= 300 {
		t.Fatalf("status: %d %s", status, body)
	}
	if tr := l.transfer(c); tr.Status != domain.TransferCallback {
		t.Fatalf("transfer %s, want callback", tr.Status)
	}
	cbs, err := l.Svc.Callbacks(l.Ctx)
	if err != nil || len(cbs) != 1 {
		t.Fatalf("callbacks: %v %+v", err, cbs)
	}
	if cb := cbs[0]; cb.Kind != domain.CallbackKept || !cb.DueAt.Equal(joined) || cb.Number != alex ||
		cb.ResidentID == 0 || cb.CallSid != c.c.Sid() {
		t.Fatalf("callback %+v, want kept, due %s, to %s, for Alex", cb, joined, alex)
	}
}

// A caller in the queue hears an estimate of the wait from the calls agents took in the
// last hour, in whole minutes, and none when too few were taken to say; the self-service
// reminder comes on entering and about every two minutes after.
func TestTheQueueEstimatesTheWaitFromTheLastHour(t *testing.T) {
	l := newLine(t, "2026-11-30 09:00")
	wait := func(queueTime string) string {
		t.Helper()
		status, body := l.signedPost("/twilio/voice/queue/wait", url.Values{"CallSid": {servertest.Sid("CA", 0x9a18)},
			"From": {alex}, "QueuePosition": {"2"}, "QueueTime": {queueTime}})
		if status != 200 {
			t.Fatalf("wait: %d %s", status, body)
		}
		return strings.ReplaceAll(body, "&apos;", "'")
	}
	if body := wait("0"); strings.Contains(body, "wait should be") || !strings.Contains(body, "open all day, every day") {
		t.Fatalf("with no history: %s", body)
	}
	a, err := l.Svc.AddAgent(l.Ctx, domain.Admin("test"), domain.NewAgent{Username: "robin", Name: "Robin Patel",
		Phone: "07700900900", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	// Four calls taken in the hour: one every fifteen minutes, so second in the queue
	// waits about thirty.
	for i := range 4 {
		l.Clock.Set(at(t, "2026-11-30 09:00").Add(time.Duration(i) * 15 * time.Minute))
		var tr domain.Transfer
		if err := l.Svc.Update(l.Ctx, func(o *domain.Op) (err error) {
			tr, err = o.QueueTransfer(domain.TransferIn{CallSid: servertest.Sid("CA", 0x7700+i), From: alex,
				Reason: "asked for an agent", Context: []byte(`{"history":[]}`)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Svc.ClaimTransfer(l.Ctx, a, tr.ID); err != nil {
			t.Fatal(err)
		}
	}
	l.Clock.Set(at(t, "2026-11-30 09:50"))
	body := wait("60")
	if !strings.Contains(body, "The wait should be about thirty minutes.") {
		t.Fatalf("with four taken in the hour: %s", body)
	}
	if strings.Contains(body, "open all day, every day") {
		t.Fatalf("the self-service reminder a minute in: %s", body)
	}
	if body := wait("120"); !strings.Contains(body, "open all day, every day") {
		t.Fatalf("no self-service reminder two minutes in: %s", body)
	}
}
