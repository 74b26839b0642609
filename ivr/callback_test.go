package ivr_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"permitline/domain"
	"permitline/ivr"
	"permitline/sms/fakeapi"
)

// lineNumber is the line's own number in these tests.
const lineNumber = "+441632960123"

// keptCallback puts Alex in the queue and books a kept callback for the call, with an
// agent to take it and call control pointed at a fake Twilio API.
func keptCallback(t *testing.T) (*line, domain.Callback, domain.Agent, *ivr.CallControl, *fakeapi.Server) {
	t.Helper()
	l := newLine(t, monday)
	c := l.alexAtMenu().press("0").waitsFor("queue")
	var res domain.Resident
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		res, err = r.ResidentByAccount(l.People["Alex Morgan"].Account)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var cb domain.Callback
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) (err error) {
		caller := domain.ResidentCaller(res)
		cb, err = op.BookCallback(domain.CallbackIn{CallSid: c.c.Sid(), Number: alex, Caller: &caller, Verified: true,
			Kind: domain.CallbackKept, Reason: "asked for an agent"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	agent := l.AddAgent("sam", "Sam Agent", "+447700900900", "correct horse battery")
	fake := fakeapi.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	target, _ := url.Parse(srv.URL)
	cc := ivr.NewCallControl("AC"+strings.Repeat("1", 32), token, l.Srv.URL, ivr.Voice{Name: "Polly.Amy", Language: "en-GB"},
		&http.Client{Transport: fakeapi.Transport(target, nil), Timeout: 5 * time.Second})
	cc.From = lineNumber
	return l, cb, agent, cc, fake
}

// callBack takes the callback for the agent and makes the call, as the desk does.
func (l *line) callBack(cb domain.Callback, a domain.Agent, cc *ivr.CallControl) string {
	l.T.Helper()
	cb, err := l.Svc.TakeCallback(l.Ctx, a, cb.ID)
	if err != nil {
		l.T.Fatal(err)
	}
	sid, err := cc.CallBack(l.Ctx, cb, a)
	if err != nil {
		l.T.Fatal(err)
	}
	if err := l.Svc.CallbackDialled(l.Ctx, cb.ID, sid); err != nil {
		l.T.Fatal(err)
	}
	return sid
}

func (l *line) callbackNow(id int64) domain.Callback {
	l.T.Helper()
	cb, err := l.Svc.Callback(l.Ctx, id)
	if err != nil {
		l.T.Fatal(err)
	}
	return cb
}

func TestACallBackAnsweredIsPutThroughToTheAgent(t *testing.T) {
	l, cb, agent, cc, fake := keptCallback(t)
	sid := l.callBack(cb, agent, cc)

	calls := fake.Calls()
	q := "?cb=" + itoa(cb.ID)
	if len(calls) != 1 || calls[0].Sid != sid || calls[0].To != alex || calls[0].From != lineNumber ||
		calls[0].URL != l.Srv.URL+ivr.CallbackAnswerPath+q || calls[0].Method != "POST" ||
		calls[0].StatusCallback != l.Srv.URL+ivr.CallbackStatusPath+q ||
		strings.Join(calls[0].StatusCallbackEvent, ",") != "completed" {
		t.Fatalf("calls made: %+v", calls)
	}
	// Twilio fetches the call's URL once the resident answers.
	status, body := l.signedPost(ivr.CallbackAnswerPath+q, url.Values{"CallSid": {sid}, "From": {lineNumber},
		"To": {alex}, "CallStatus": {"in-progress"}})
	if status != 200 || !strings.Contains(body, "this is the visitor parking permit line calling you back") ||
		!strings.Contains(body, "<Number>+447700900900</Number>") {
		t.Fatalf("answer: %d %s", status, body)
	}
	if got := l.callbackNow(cb.ID); got.Status != domain.CallbackConnected {
		t.Fatalf("after the answer: %s", got.Status)
	}
	status, _ = l.signedPost(ivr.CallbackStatusPath+q, url.Values{"CallSid": {sid}, "CallStatus": {"completed"}})
	if status/100 != 2 {
		t.Fatalf("status callback: %d", status)
	}
	if got := l.callbackNow(cb.ID); got.Status != domain.CallbackConnected {
		t.Fatalf("after completed: %s", got.Status)
	}
	done, err := l.Svc.FinishCallback(l.Ctx, agent, cb.ID, "renewed the permit")
	if err != nil || done.Status != domain.CallbackDone || done.Note != "renewed the permit" {
		t.Fatalf("finish: %+v %v", done, err)
	}
}

func TestACallBackNotAnsweredThreeTimesFailsAndTextsOnce(t *testing.T) {
	l, cb, agent, cc, fake := keptCallback(t)
	before := len(l.texts())
	for i, why := range []string{"no-answer", "busy", "failed"} {
		sid := l.callBack(cb, agent, cc)
		q := "?cb=" + itoa(cb.ID)
		for range 2 { // a repeated status callback changes nothing
			if status, _ := l.signedPost(ivr.CallbackStatusPath+q, url.Values{"CallSid": {sid}, "CallStatus": {why}}); status/100 != 2 {
				t.Fatalf("status callback %s: %d\n%s", why, status, l.Logs.String())
			}
		}
		got := l.callbackNow(cb.ID)
		if got.Attempts != i+1 {
			t.Fatalf("try %d: attempts %d", i+1, got.Attempts)
		}
		if i < 2 {
			if got.Status != domain.CallbackPending {
				t.Fatalf("try %d: %s", i+1, got.Status)
			}
			l.Clock.Advance(domain.CallbackRetryAfter)
		} else if got.Status != domain.CallbackFailed {
			t.Fatalf("last try: %s", got.Status)
		}
	}
	if n := len(fake.Calls()); n != 3 {
		t.Fatalf("%d calls made", n)
	}
	if n := len(l.texts()) - before; n != 1 {
		t.Fatalf("%d texts queued", n)
	}
}

func TestForgedCallbackWebhooksChangeNothing(t *testing.T) {
	l, cb, agent, cc, _ := keptCallback(t)
	sid := l.callBack(cb, agent, cc)
	q := "?cb=" + itoa(cb.ID)
	unsigned := func(path string, form url.Values) int {
		req, _ := http.NewRequest(http.MethodPost, l.Srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl")
		status, _ := do(t, req)
		return status
	}
	for _, tc := range []struct {
		name   string
		status func() int
	}{
		{"unsigned answer", func() int {
			return unsigned(ivr.CallbackAnswerPath+q, url.Values{"CallSid": {sid}, "AccountSid": {"AC" + strings.Repeat("1", 32)}})
		}},
		{"unsigned status", func() int {
			return unsigned(ivr.CallbackStatusPath+q, url.Values{"CallSid": {sid}, "CallStatus": {"busy"}})
		}},
		{"another call's answer", func() int {
			s, _ := l.signedPost(ivr.CallbackAnswerPath+q, url.Values{"CallSid": {"CA" + strings.Repeat("9", 32)}})
			return s
		}},
		{"another call's status", func() int {
			s, _ := l.signedPost(ivr.CallbackStatusPath+q, url.Values{"CallSid": {"CA" + strings.Repeat("9", 32)}, "CallStatus": {"busy"}})
			return s
		}},
		{"an unknown callback", func() int {
			s, _ := l.signedPost(ivr.CallbackStatusPath+"?cb=999", url.Values{"CallSid": {sid}, "CallStatus": {"busy"}})
			return s
		}},
		{"no callback", func() int {
			s, _ := l.signedPost(ivr.CallbackStatusPath, url.Values{"CallSid": {sid}, "CallStatus": {"busy"}})
			return s
		}},
	} {
		if s := tc.status(); s/100 != 4 {
			t.Errorf("%s: %d, want 4xx", tc.name, s)
		}
		if got := l.callbackNow(cb.ID); got.Status != domain.CallbackCalling || got.Attempts != 1 || got.OutboundSid != sid {
			t.Fatalf("%s changed the callback: %+v", tc.name, got)
		}
	}
}

func TestACallBackNeedsTheLineNumber(t *testing.T) {
	l, cb, agent, cc, fake := keptCallback(t)
	cc.From = ""
	cb, err := l.Svc.TakeCallback(l.Ctx, agent, cb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cc.CallBack(l.Ctx, cb, agent); err == nil || len(fake.Calls()) != 0 {
		t.Fatalf("without the line's number: %v, %d calls", err, len(fake.Calls()))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
