package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

const (
	token  = servertest.Token
	alex   = "+447700900123"
	monday = "2026-11-30 10:00"
)

// activeVisits counts a demo person's visits that are not cancelled.
func activeVisits(l *servertest.Line, name string) int {
	n := 0
	for _, v := range l.Upcoming(name) {
		if v.Status != domain.VisitCancelled {
			n++
		}
	}
	return n
}

// smsForm is the incoming-text webhook as Twilio sends it.
func smsForm(sid, from, body string) url.Values {
	return url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid},
		"AccountSid": {servertest.AccountSid}, "From": {from}, "To": {"+447700900000"}, "Body": {body},
		"NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
}

// Twilio signs the names and values run together, so a captured activation, replayed with
// the boundary between MessageSid and NumMedia moved, carries a valid signature and a
// MessageSid never seen: it must be refused before it can activate the visit again.
func TestBoundaryMovedReplayOfAnActivationIsRefused(t *testing.T) {
	l := servertest.New(t, monday)
	u := l.Srv.URL + "/twilio/sms"
	sid := servertest.Sid("SM", 0xabc)
	captured := smsForm(sid, alex, "VISITOR AB12CDE TUE")
	req, err := twiliosim.NewRequest(l.Ctx, token, u, captured)
	if err != nil {
		t.Fatal(err)
	}
	sig := req.Header.Get("X-Twilio-Signature")
	if status, body := servertest.Do(t, req); status != http.StatusOK || activeVisits(l, "Alex Morgan") != 1 {
		t.Fatalf("the activation: %d %s", status, body)
	}
	ref := l.Upcoming("Alex Morgan")[0].Ref
	if status, body := l.SignedPost("/twilio/sms", smsForm(servertest.Sid("SM", 0xabd), alex, "UNDO "+ref)); status != http.StatusOK ||
		activeVisits(l, "Alex Morgan") != 0 {
		t.Fatalf("the cancellation: %d %s", status, body)
	}

	moved := smsForm(sid, alex, "VISITOR AB12CDE TUE")
	moved.Del("NumMedia")
	moved.Set("MessageSid", sid+"NumMedia0")
	if twiliosim.Sign(token, u, moved) != sig {
		t.Fatal("the moved boundary should keep the captured signature")
	}
	replay, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(moved.Encode()))
	replay.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	replay.Header.Set("X-Twilio-Signature", sig)
	if status, body := servertest.Do(t, replay); status != http.StatusBadRequest {
		t.Fatalf("the replay answered %d %s, want 400", status, body)
	}
	if n := activeVisits(l, "Alex Morgan"); n != 0 {
		t.Fatalf("the replay activated %d visits", n)
	}
}

// Every Sid a webhook carries must have the shape Twilio gives it, and the account must be
// the line's; anything else is refused with 400 and changes nothing.
func TestWebhooksRefuseSidsTwilioWouldNotSend(t *testing.T) {
	l := servertest.New(t, monday)
	call := func(mod func(url.Values)) url.Values {
		v := url.Values{"CallSid": {servertest.Sid("CA", 0x51d)}, "AccountSid": {servertest.AccountSid}, "From": {alex},
			"To": {"+443455207007"}, "CallStatus": {"ringing"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
		mod(v)
		return v
	}
	text := func(mod func(url.Values)) url.Values {
		v := smsForm(servertest.Sid("SM", 0x51d), alex, "VISITOR AB12CDE TUE")
		mod(v)
		return v
	}
	tests := []struct {
		name, path string
		form       url.Values
	}{
		{"another account", "/twilio/voice", call(func(v url.Values) { v.Set("AccountSid", servertest.Sid("AC", 0xbad)) })},
		{"no account", "/twilio/voice", call(func(v url.Values) { v.Del("AccountSid") })},
		{"account placeholder", "/twilio/voice", call(func(v url.Values) { v.Set("AccountSid", "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX") })},
		{"short CallSid", "/twilio/voice", call(func(v url.Values) { v.Set("CallSid", "CA123") })},
		{"CallSid too long", "/twilio/voice", call(func(v url.Values) { v.Set("CallSid", servertest.Sid("CA", 1)+"Direction") })},
		{"CallSid upper-case hex", "/twilio/voice", call(func(v url.Values) { v.Set("CallSid", strings.ToUpper(servertest.Sid("CA", 0xabc))) })},
		{"CallSid of a message", "/twilio/voice", call(func(v url.Values) { v.Set("CallSid", servertest.Sid("SM", 1)) })},
		{"bad ParentCallSid", "/twilio/voice", call(func(v url.Values) { v.Set("ParentCallSid", "CA1") })},
		{"bad QueueSid", "/twilio/voice/queue/wait", call(func(v url.Values) { v.Set("QueueSid", servertest.Sid("CA", 1)) })},
		{"bad DialCallSid", "/twilio/voice/dialed", call(func(v url.Values) {
			v.Set("DialCallSid", "CAshort")
			v.Set("DialCallStatus", "no-answer")
		})},
		{"bad unknown Sid", "/twilio/voice/status", call(func(v url.Values) {
			v.Set("SomethingNewSid", "XX1")
			v.Set("CallStatus", "completed")
		})},
		{"short MessageSid", "/twilio/sms", text(func(v url.Values) { v.Set("MessageSid", "SM1") })},
		{"MessageSid of a call", "/twilio/sms", text(func(v url.Values) { v.Set("MessageSid", servertest.Sid("CA", 1)) })},
		{"bad SmsSid", "/twilio/sms", text(func(v url.Values) { v.Set("SmsSid", "SM"+strings.Repeat("g", 32)) })},
		{"bad SmsMessageSid", "/twilio/sms", text(func(v url.Values) { v.Set("SmsMessageSid", "") })},
		{"no MessageSid", "/twilio/sms", text(func(v url.Values) { v.Del("MessageSid") })},
		{"bad MessagingServiceSid", "/twilio/sms", text(func(v url.Values) { v.Set("MessagingServiceSid", "MGXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX") })},
		{"another account's text", "/twilio/sms", text(func(v url.Values) { v.Set("AccountSid", servertest.Sid("AC", 0xbad)) })},
		{"status of a short MessageSid", "/twilio/sms/status", url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"},
			"AccountSid": {servertest.AccountSid}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := twiliosim.NewRequest(l.Ctx, token, l.Srv.URL+tc.path, tc.form)
			if err != nil {
				t.Fatal(err)
			}
			if status, body := servertest.Do(t, req); status != http.StatusBadRequest {
				t.Fatalf("answered %d %s, want 400", status, body)
			}
		})
	}
	if n := activeVisits(l, "Alex Morgan"); n != 0 {
		t.Fatalf("refused texts activated %d visits", n)
	}
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) error {
		if _, err := r.ConversationByKey(domain.ChannelVoice, servertest.Sid("CA", 0x51d)); err == nil {
			t.Error("a refused call left a conversation behind")
		}
		return nil
	})
	// The same webhooks with every Sid as Twilio sends it are answered.
	if status, body := l.SignedPost("/twilio/voice", call(func(v url.Values) {
		v.Set("ParentCallSid", "")
		v.Set("MessagingServiceSid", servertest.Sid("MG", 2))
	})); status != http.StatusOK {
		t.Fatalf("a good call: %d %s", status, body)
	}
	if status, body := l.SignedPost("/twilio/sms", text(func(v url.Values) { v.Set("MessagingServiceSid", servertest.Sid("MG", 2)) })); status != http.StatusOK {
		t.Fatalf("a good text: %d %s", status, body)
	}
	if n := activeVisits(l, "Alex Morgan"); n != 1 {
		t.Fatalf("the good text activated %d visits", n)
	}
}

func TestWebhooksRefuseWhatTwilioDidNotSign(t *testing.T) {
	l := servertest.New(t, monday)
	form := url.Values{"CallSid": {servertest.Sid("CA", 1)}, "From": {alex}}
	req := func(sig string, body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, l.Srv.URL+"/twilio/voice", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sig != "" {
			r.Header.Set("X-Twilio-Signature", sig)
		}
		return r
	}
	good := twiliosim.Sign(token, l.Srv.URL+"/twilio/voice", form)
	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"unsigned", req("", form.Encode()), http.StatusForbidden},
		{"forged", req(twiliosim.Sign("another-token", l.Srv.URL+"/twilio/voice", form), form.Encode()), http.StatusForbidden},
		{"tampered body", req(good, form.Encode()+"&Digits=1"), http.StatusForbidden},
		{"oversized", req(good, "Body="+strings.Repeat("x", 70<<10)), http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := servertest.Do(t, tc.req); status != tc.want {
				t.Fatalf("status %d (%s), want %d", status, body, tc.want)
			}
		})
	}
	get, _ := http.NewRequest(http.MethodGet, l.Srv.URL+"/twilio/voice", nil)
	if status, _ := servertest.Do(t, get); status != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", status)
	}
	if status, _ := l.SignedPost("/twilio/voice", url.Values{"From": {alex}}); status != http.StatusBadRequest {
		t.Fatalf("missing CallSid: %d", status)
	}
	if status, _ := l.SignedPost("/twilio/voice/step?s=x", url.Values{"CallSid": {servertest.Sid("CA", 1)}}); status != http.StatusBadRequest {
		t.Fatalf("bad step: %d", status)
	}
	if status, _ := l.SignedPost("/twilio/voice/status", url.Values{"CallSid": {servertest.Sid("CA", 0xdead)}, "CallStatus": {"completed"}}); status != http.StatusNoContent {
		t.Fatalf("status callback for an unknown call: %d", status)
	}
	var n int
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) error {
		_, err := r.ConversationByKey(domain.ChannelVoice, servertest.Sid("CA", 1))
		if err == nil {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Fatal("a refused webhook left a conversation behind")
	}
}

func TestTextWebhooksRefuseWhatTwilioDidNotSign(t *testing.T) {
	l := servertest.New(t, monday)
	form := url.Values{"MessageSid": {servertest.Sid("SM", 1)}, "From": {alex}, "Body": {"VISITOR AB12CDE"}}
	req, _ := twiliosim.NewRequest(l.Ctx, "wrong-token", l.Srv.URL+"/twilio/sms", form)
	if status, _ := servertest.Do(t, req); status != 403 {
		t.Fatalf("forged: %d", status)
	}
	if status, _ := l.SignedPost("/twilio/sms", url.Values{"From": {alex}, "Body": {"BAL"}}); status != 400 {
		t.Fatalf("missing MessageSid: %d", status)
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 0 {
		t.Fatal("a refused webhook changed the store")
	}
}

// Every webhook's form is read by its route's decoder: a body Twilio signed but the route
// cannot answer (as raw url-encoded bodies, signed by the production signing code) is
// refused with 400 and the reason, and changes nothing.
func TestWebhookFormsRefuseWhatTheirRouteCannotAnswer(t *testing.T) {
	l := servertest.New(t, monday)
	const call = "AccountSid=" + servertest.AccountSid + "&From=%2B447700900123"
	const sid = "CallSid=CA00000000000000000000000000000001&"
	const text = "AccountSid=" + servertest.AccountSid + "&MessageSid=SM00000000000000000000000000000001"
	tests := []struct{ path, body, want string }{
		{"/twilio/voice", call, "missing CallSid"},
		{"/twilio/voice/step?s=1", call + "&Digits=1", "missing CallSid"},
		{"/twilio/voice/step", sid + call + "&Digits=1", "missing or bad step"},
		{"/twilio/voice/step?s=0", sid + call + "&Digits=1", "missing or bad step"},
		{"/twilio/voice/status", call + "&CallStatus=completed", "missing CallSid"},
		{"/twilio/voice/queue/wait", call + "&QueuePosition=1", "missing CallSid"},
		{"/twilio/voice/queue/done", call + "&QueueResult=hangup", "missing CallSid"},
		{"/twilio/voice/dialed", sid + call + "&DialCallStatus=ringing", "unknown DialCallStatus"},
		{"/twilio/voice/dialed", call + "&DialCallStatus=busy", "missing CallSid"},
		{"/twilio/voice/resume?to=elsewhere", sid + call, "missing CallSid or bad destination"},
		{"/twilio/voice/resume?to=menu", call, "missing CallSid or bad destination"},
		{"/twilio/sms", text + "&Body=BAL", "missing MessageSid or From"},
		{"/twilio/sms", "AccountSid=" + servertest.AccountSid + "&From=%2B447700900123&Body=BAL", "missing MessageSid or From"},
		{"/twilio/sms/status", text, "MessageSid and MessageStatus are required"},
	}
	for _, tc := range tests {
		t.Run(tc.path+" "+tc.want, func(t *testing.T) {
			form, err := url.ParseQuery(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			status, body := l.SignedPost(tc.path, form)
			if status != http.StatusBadRequest || body != tc.want+"\n" {
				t.Fatalf("answered %d %q, want 400 %q", status, body, tc.want)
			}
		})
	}
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) error {
		if _, err := r.ConversationByKey(domain.ChannelVoice, servertest.Sid("CA", 1)); err == nil {
			t.Error("a refused webhook left a conversation behind")
		}
		if _, err := r.TextByMessageSid(servertest.Sid("SM", 1)); err == nil {
			t.Error("a refused text was recorded")
		}
		return nil
	})
}
