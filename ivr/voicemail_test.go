package ivr_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

// voicemail returns the message left on a call, or ErrNotFound.
func (l *line) voicemail(callSid string) (domain.Voicemail, error) {
	var v domain.Voicemail
	err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { v, err = r.VoicemailByCall(callSid); return err })
	return v, err
}

func recordingParams(callSid string) url.Values {
	sid := servertest.Sid("RE", 0xbeef)
	return url.Values{"CallSid": {callSid}, "RecordingSid": {sid}, "RecordingStatus": {"completed"},
		"RecordingUrl":      {"https://api.twilio.com/2010-04-01/Accounts/" + servertest.AccountSid + "/Recordings/" + sid},
		"RecordingDuration": {"25"}, "RecordingChannels": {"1"}, "RecordingSource": {"RecordVerb"},
		"RecordingStartTime": {"Mon, 30 Nov 2026 22:01:00 +0000"}, "ErrorCode": {"0"}}
}

// A callback booked on Christmas Day at 17:00 is due when the helpdesk opens on Boxing Day.
func TestCallbackBookedOnChristmasDayIsDueOnBoxingDay(t *testing.T) {
	l := newLine(t, "2026-12-25 17:00")
	c := l.alexAtMenu().press("0").expect("To have us call you back when we open, press 1.").press("1")
	c.expect("We'll call you back on the number ending zero one two three").ended()
	var cb domain.Callback
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { cb, err = r.CallbackByCall(c.c.Sid()); return err }); err != nil {
		t.Fatal(err)
	}
	if want := at(t, "2026-12-26 08:00"); !cb.DueAt.Equal(want) || cb.Kind != domain.CallbackBooked ||
		cb.Number != alex || cb.Status != domain.CallbackPending || !cb.Verified {
		t.Fatalf("callback %+v, want booked to %s, pending, due %s", cb, alex, want.Format(time.RFC3339))
	}
}

// A message left out of hours waits for an agent with its recording, once, whether the
// recording callback comes after the <Record> action (as the simulation sends it) or first.
func TestVoicemailWaitsWithItsRecordingInEitherOrder(t *testing.T) {
	l := newLine(t, "2026-11-30 22:00")
	c := l.alexAtMenu().press("0").press("2").waitsFor("record")
	c.record(25).expect("your message has been left for the helpdesk").ended()
	v, err := l.voicemail(c.c.Sid())
	if err != nil || v.Status != domain.VoicemailWaiting || v.RecordingURL == "" || v.Duration != 25 || v.ResidentID == 0 {
		t.Fatalf("voicemail %+v, %v: want waiting with its recording and the caller", v, err)
	}

	// The callback first, for a call whose <Record> action comes later: one row, waiting.
	c2 := l.alexAtMenu().press("0").press("2").waitsFor("record")
	p := recordingParams(c2.c.Sid())
	for range 2 {
		if status, body := l.signedPost("/twilio/voice/recording", p); status != http.StatusNoContent {
			t.Fatalf("recording callback: %d %s", status, body)
		}
	}
	if v, err := l.voicemail(c2.c.Sid()); err != nil || v.Status != domain.VoicemailWaiting || v.RecordingURL != p.Get("RecordingUrl") {
		t.Fatalf("voicemail %+v, %v: want waiting with the callback's URL", v, err)
	}
	c2.record(25).expect("your message has been left for the helpdesk").ended()
	waiting, err := l.Svc.Voicemails(l.Ctx)
	if err != nil || len(waiting) != 2 {
		t.Fatalf("waiting voicemails %+v, %v: want the two calls' messages, once each", waiting, err)
	}
}

// A recording callback that is forged or malformed is refused, and nothing is stored.
func TestForgedOrMalformedRecordingCallbackIsRefused(t *testing.T) {
	l := newLine(t, "2026-11-30 22:00")
	callSid := servertest.Sid("CA", 0xcafe)
	bad := map[string]func(url.Values){
		"bad RecordingSid":  func(p url.Values) { p.Set("RecordingSid", "RE123") },
		"no RecordingSid":   func(p url.Values) { p.Del("RecordingSid") },
		"unknown status":    func(p url.Values) { p.Set("RecordingStatus", "done") },
		"bad duration":      func(p url.Values) { p.Set("RecordingDuration", "long") },
		"other account":     func(p url.Values) { p.Set("AccountSid", servertest.Sid("AC", 0xbad)) },
		"completed, no URL": func(p url.Values) { p.Del("RecordingUrl") },
	}
	for name, spoil := range bad {
		p := recordingParams(callSid)
		spoil(p)
		if status, _ := l.signedPost("/twilio/voice/recording", p); status < 400 || status > 499 {
			t.Errorf("%s: status %d, want 4xx", name, status)
		}
	}
	p := recordingParams(callSid)
	p.Set("AccountSid", servertest.AccountSid)
	req, err := twiliosim.NewRequest(l.Ctx, "not-the-token", l.Srv.URL+"/twilio/voice/recording", p)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := do(t, req); status < 400 || status > 499 {
		t.Errorf("forged signature: status %d, want 4xx", status)
	}
	if v, err := l.voicemail(callSid); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("voicemail %+v, %v: want none stored", v, err)
	}
}

// A call in a payment never reaches the closed helpdesk's offer: a payment stopped or
// declined is explained and can be tried again, with the helpdesk closed.
func TestPaymentNeverReachesTheClosedHelpdeskOffer(t *testing.T) {
	l := newLine(t, "2026-11-30 22:00")
	for _, card := range []string{"*", "4000000000000002", "1234"} {
		c := l.alexAtMenu().press("4").press("1").press("1").waitsFor("pay")
		c.pay(card).never("call you back", "leave a message", "The helpdesk is closed").waitsFor("gather")
		var conv domain.Conversation
		if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
			conv, err = r.ConversationByKey(domain.ChannelVoice, c.c.Sid())
			return err
		}); err != nil || conv.Flow != "buy" {
			t.Fatalf("after the payment (%s): %s.%s, %v; want still buying", card, conv.Flow, conv.State, err)
		}
	}
}
