package ivr_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twilioapi"
	"permitline/sms"
	"permitline/sms/fakeapi"
	"permitline/sms/outbound"
)

// newcomerMobile is a UK mobile on no account.
const newcomerMobile = "+447700900999"

// TestNewcomerIsTextedHowToRegisterOnce: a caller on a UK mobile on no account hears how
// to register with the offer of a text; pressing 1, twice over as Twilio retrying a
// webhook would, queues one text, which the outbox sends once, with the council's route
// and the helpdesk's number and hours. A withheld number is never offered it.
func TestNewcomerIsTextedHowToRegisterOnce(t *testing.T) {
	l := newLine(t, monday)
	c := l.dial(newcomerMobile).press("9").press("1").expect("For help registering, call the helpdesk on",
		"To have this sent to you by text, press 1.", "To go back, press 9.")
	params := url.Values{"CallSid": {c.c.Sid()}, "From": {newcomerMobile}, "Digits": {"1"}}
	step := stepOf(t, c.turn.TwiML[len(c.turn.TwiML)-1])
	first, body1 := l.signedPost("/twilio/voice/step?s="+step, params)
	second, body2 := l.signedPost("/twilio/voice/step?s="+step, params)
	if first != 200 || second != 200 || body1 != body2 || !strings.Contains(body1, "A text is on its way to you") ||
		!strings.Contains(body1, "To hear how to register, press 1.") {
		t.Fatalf("%d %d\n%s\n%s", first, second, body1, body2)
	}
	texts := l.texts()
	if len(texts) != 1 || texts[0].Kind != domain.NoticeRegisterHelp || texts[0].To != newcomerMobile || texts[0].ResidentID != 0 {
		t.Fatalf("outbox %+v", texts)
	}

	fake := fakeapi.New()
	fake.Now = l.Clock.Now
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	api := twilioapi.New(servertest.AccountSid, servertest.Token,
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second}).Api
	sender := outbound.New(outbound.Config{API: api, From: "+443455207007"}, l.Svc, sms.Notice,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	for range 2 {
		if _, err := sender.Flush(l.Ctx); err != nil {
			t.Fatal(err)
		}
	}
	msgs := fake.Messages()
	if len(msgs) != 1 || msgs[0].To != newcomerMobile {
		t.Fatalf("sent %+v", msgs)
	}
	for _, want := range []string{"mipermit.com", "PO Box 761, Huntingdon, PE29 9QR", domain.HelpdeskPhone, "Mon-Fri 8am-6pm"} {
		if !strings.Contains(msgs[0].Body, want) {
			t.Errorf("the text %q does not say %q", msgs[0].Body, want)
		}
	}

	l.dial("anonymous").press("9").press("1").expect("For help registering").never("by text")
}
