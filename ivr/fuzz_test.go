package ivr_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/ivr/twiliosim"
)

var voicePaths = []string{"/twilio/voice", "/twilio/voice/step?s=1", "/twilio/voice/step?s=2&silence=1",
	"/twilio/voice/step?s=3&pay=1", "/twilio/voice/status", "/twilio/voice/queue/wait", "/twilio/voice/queue/done?s=2",
	"/twilio/voice/resume?to=menu", "/twilio/sms", "/twilio/sms/status"}

// FuzzWebhookBodies sends any body to every webhook, signed with the right token or not:
// nothing panics the server or answers 5xx, and nothing unsigned changes the store.
func FuzzWebhookBodies(f *testing.F) {
	f.Add(uint8(0), "CallSid=CA00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B447700900123&To=%2B443455207007", true)
	f.Add(uint8(1), "CallSid=CA00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B447700900123&Digits=2580", true)
	f.Add(uint8(1), "CallSid=CA00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&Digits=1&Digits=2", true)
	f.Add(uint8(3), "CallSid=CA00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&Result=success&PaymentConfirmationCode=ch_1", true)
	f.Add(uint8(4), "CallSid=CA00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&CallStatus=completed", false)
	f.Add(uint8(8), "MessageSid=SM00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&From=%2B447700900123&Body=VISITOR+AB12CDE", false)
	f.Add(uint8(2), "%%%&&&==", true)
	f.Add(uint8(6), "CallSid=CA00000000000000000000000000000001&AccountSid=AC0123456789abcdef0123456789abcdef&QueueResult=hangup", true)
	l := servertest.New(f, "2026-11-30 10:00")
	f.Fuzz(func(t *testing.T, which uint8, body string, signed bool) {
		l.T = t // inputs run one at a time in each fuzzing process
		path := voicePaths[int(which)%len(voicePaths)]
		before := storeShape(l)
		req, err := http.NewRequest(http.MethodPost, l.Srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, parseErr := url.ParseQuery(body)
		if signed && parseErr == nil {
			req.Header.Set("X-Twilio-Signature", twiliosim.Sign(servertest.Token, l.Srv.URL+path, form))
		}
		status, reply := servertest.Do(t, req)
		if status >= 500 {
			t.Fatalf("%s %q: %d %s", path, body, status, reply)
		}
		if (!signed || parseErr != nil) && status < 400 {
			t.Fatalf("%s %q unsigned: answered %d", path, body, status)
		}
		if (!signed || parseErr != nil) && storeShape(l) != before {
			t.Fatalf("%s %q unsigned changed the store", path, body)
		}
	})
}

// storeShape sums up what a webhook could change.
func storeShape(l *servertest.Line) string {
	var b strings.Builder
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) error {
		for _, sid := range []string{servertest.Sid("CA", 1), servertest.Sid("SM", 1)} {
			if c, err := r.ConversationByKey(domain.ChannelVoice, sid); err == nil {
				b.WriteString(c.State + ";")
			}
			if t, err := r.TransferByCall(sid); err == nil {
				b.WriteString(string(t.Status) + ";")
			}
			if t, err := r.TextByMessageSid(sid); err == nil {
				b.WriteString(t.Reply + ";")
			}
		}
		return nil
	})
	for _, v := range l.Upcoming("Alex Morgan") {
		b.WriteString(v.Ref + string(v.Status))
	}
	return b.String()
}
