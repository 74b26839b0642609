package ivr_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/ivr"
	"permitline/sms/fakeapi"
)

func TestAgentPutsTheCallerThroughAndHandsThemBackToPay(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("0").waitsFor("queue")

	fake := fakeapi.New()
	srv := httptest.NewServer(fake)
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	cc := ivr.NewCallControl("AC"+strings.Repeat("1", 32), token, l.Srv.URL, ivr.Voice{Name: "Polly.Amy", Language: "en-GB"},
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second})
	agent := domain.Agent{Username: "sam", Name: "Sam Agent", Phone: "+447700900900"}
	if err := cc.Connect(l.Ctx, c.c.Sid(), agent); err != nil {
		t.Fatal(err)
	}
	ups := fake.CallUpdates()
	if len(ups) != 1 || ups[0].CallSid != c.c.Sid() || ups[0].URL != "" ||
		!strings.Contains(ups[0].Twiml, "<Number>+447700900900</Number>") || !strings.Contains(ups[0].Twiml, "Putting you through to Sam.") {
		t.Fatalf("connect request: %+v", ups)
	}
	if err := cc.Return(l.Ctx, c.c.Sid(), ivr.BackToPay); err != nil {
		t.Fatal(err)
	}
	ups = fake.CallUpdates()
	if len(ups) != 2 || ups[1].URL != l.Srv.URL+"/twilio/voice/resume?to=buy" || ups[1].Method != "POST" {
		t.Fatalf("return request: %+v", ups)
	}
	// Twilio then fetches the resume URL: the caller is at the purchase, identified.
	status, body := l.signedPost("/twilio/voice/resume?to=buy", url.Values{"CallSid": {c.c.Sid()}, "From": {alex}})
	if status != 200 || !strings.Contains(body, "How many permits would you like?") {
		t.Fatalf("resume: %d %s", status, body)
	}
	status, body = l.signedPost("/twilio/voice/resume?to=menu", url.Values{"CallSid": {c.c.Sid()}, "From": {alex}})
	if status != 200 || !strings.Contains(body, "To activate a visit, press 1.") {
		t.Fatalf("resume to the menu: %d %s", status, body)
	}
	if status, _ := l.signedPost("/twilio/voice/resume?to=elsewhere", url.Values{"CallSid": {c.c.Sid()}}); status != 400 {
		t.Fatalf("a bad destination: %d", status)
	}
}
