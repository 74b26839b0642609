package ivr_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr"
	"permitline/sms/fakeapi"
)

// A recorded conversation across two calls: Alex asks for a person, keeps his place in the
// queue by pressing 1 and hangs up; an agent takes the callback when his turn comes; the
// line calls him from its own number (twilio-go's Calls.Create, to the fake API), and once
// he answers puts him through to the agent. (The desk's page of the callback, with the
// first call's context, is tested in cmd/permitline/desk.)
func TestRecordedKeptCallback(t *testing.T) {
	l := newLine(t, monday)
	var b strings.Builder
	write := func(what string, docs ...string) {
		fmt.Fprintf(&b, "\n> %s\n", what)
		for _, doc := range docs {
			fmt.Fprintf(&b, "%s\n", strings.ReplaceAll(canonical(t, doc), l.Srv.URL, "{base}"))
		}
	}
	fmt.Fprintf(&b, "# callback-kept-in-the-queue-and-made: %s calls at %s\n", alex, monday)
	c := l.alexAtMenu()
	c.press("0").waitsFor("queue")
	write("0 (a person)", c.turn.TwiML...)
	l.Clock.Set(at(t, monday).Add(3 * time.Minute))
	c.press("1").ended()
	write("1 (keep my place and be called back)", c.turn.TwiML...)
	if status, body := l.signedPost("/twilio/voice/status", url.Values{"CallSid": {c.c.Sid()}, "From": {alex},
		"CallStatus": {"completed"}}); status >= 300 {
		t.Fatalf("status: %d %s", status, body)
	}
	tr := l.transfer(c)
	fmt.Fprintf(&b, "= transfer %s: %s\n", tr.Status, tr.Reason)

	cbs, err := l.Svc.Callbacks(l.Ctx)
	if err != nil || len(cbs) != 1 || cbs[0].Kind != domain.CallbackKept || cbs[0].CallSid != c.c.Sid() {
		t.Fatalf("callbacks: %v %+v", err, cbs)
	}
	cb := cbs[0]
	fmt.Fprintf(&b, "= callback %s, %s, due %s, to %s\n", cb.Kind, cb.Status,
		cb.DueAt.In(time.UTC).Format(time.RFC3339), cb.Number)

	// The agent takes it ten minutes later, as the desk does.
	l.Clock.Set(at(t, monday).Add(10 * time.Minute))
	agent := l.AddAgent("sam", "Sam Agent", "+447700900900", "correct horse battery")
	fake := fakeapi.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	cc := ivr.NewCallControl("AC"+strings.Repeat("1", 32), token, l.Srv.URL, ivr.Voice{Name: "Polly.Amy", Language: "en-GB"},
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second})
	cc.From = lineNumber
	sid := l.callBack(cb, agent, cc)
	calls := fake.Calls()
	if len(calls) != 1 {
		t.Fatalf("calls made: %+v", calls)
	}
	fmt.Fprintf(&b, "\n> the agent takes the callback\n= the line calls %s from %s: %s (status callback %s)\n",
		calls[0].To, calls[0].From, strings.ReplaceAll(calls[0].URL, l.Srv.URL, "{base}"),
		strings.ReplaceAll(calls[0].StatusCallback, l.Srv.URL, "{base}"))
	fmt.Fprintf(&b, "= callback %s, try %d\n", l.callbackNow(cb.ID).Status, l.callbackNow(cb.ID).Attempts)

	q := "?cb=" + itoa(cb.ID)
	status, body := l.signedPost(ivr.CallbackAnswerPath+q, url.Values{"CallSid": {sid}, "From": {lineNumber},
		"To": {alex}, "CallStatus": {"in-progress"}, "Direction": {"outbound-api"}})
	if status != http.StatusOK {
		t.Fatalf("answer: %d %s", status, body)
	}
	write("Alex answers", body)
	fmt.Fprintf(&b, "= callback %s\n", l.callbackNow(cb.ID).Status)
	if status, _ := l.signedPost(ivr.CallbackStatusPath+q, url.Values{"CallSid": {sid}, "CallStatus": {"completed"}}); status/100 != 2 {
		t.Fatalf("status callback: %d", status)
	}
	done, err := l.Svc.FinishCallback(l.Ctx, agent, cb.ID, "renewed the permit")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "\n> the call ends; the agent finishes the callback\n= callback %s: %s\n", done.Status, done.Note)

	servertest.Golden(t, filepath.Join("testdata", "calls", "callback-kept-in-the-queue-and-made.txt"), b.String(), *update)
}
