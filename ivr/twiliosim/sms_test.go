package twiliosim

import (
	"context"
	"strings"
	"testing"
)

func TestSMS(t *testing.T) {
	ctx := context.Background()
	f := newFakeServer(t, map[string]string{
		"/twilio/sms": `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Message>
    Visit booked for AB12 CDE.
Reference: K7PQR
  </Message>
  <Message><Body>Two</Body><Media>https://cdn.example.org/map.png</Media></Message>
</Response>`,
	})
	cfg := f.config()
	reply, status, err := SendSMS(ctx, cfg, "visit AB12CDE today")
	if err != nil {
		t.Fatal(err)
	}
	check(t, "status", status, 200)
	check(t, "reply", reply, []string{"Visit booked for AB12 CDE.\nReference: K7PQR", "Two"})

	first := f.last("/twilio/sms")
	sms := readForm(t, "sms-incoming.form")
	sms.Del("MessagingServiceSid") // sent only for numbers in a Messaging Service
	sameKeysAs(t, first.form, sms)
	sid := first.form.Get("MessageSid")
	if len(sid) != 34 || !strings.HasPrefix(sid, "SM") || first.form.Get("SmsSid") != sid || first.form.Get("SmsMessageSid") != sid {
		t.Errorf("MessageSid %q, SmsSid %q, SmsMessageSid %q", sid, first.form.Get("SmsSid"), first.form.Get("SmsMessageSid"))
	}
	check(t, "Body", first.form.Get("Body"), "visit AB12CDE today")
	check(t, "FromCountry", first.form.Get("FromCountry"), "GB")
	check(t, "SmsStatus", first.form.Get("SmsStatus"), "received")

	if _, _, err := ResendSMS(ctx, cfg, sid, "visit AB12CDE today"); err != nil {
		t.Fatal(err)
	}
	check(t, "resent MessageSid", f.last("/twilio/sms").form.Get("MessageSid"), sid)
	if _, _, err := SendSMS(ctx, cfg, "balance"); err != nil {
		t.Fatal(err)
	}
	if again := f.last("/twilio/sms").form.Get("MessageSid"); again == sid {
		t.Errorf("SendSMS reused MessageSid %s", sid)
	}
}

func TestSMSStatuses(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		doc    string
		status int
		err    string
	}{
		{"", 204, ""},
		{"<Response/>", 200, ""},
		{"500 database is locked", 500, "database is locked"},
		{"<Response><Message>Hi</Response>", 200, "12100"},
	} {
		f := newFakeServer(t, map[string]string{"/twilio/sms": tc.doc})
		reply, status, err := SendSMS(ctx, f.config(), "hello")
		check(t, tc.doc+": status", status, tc.status)
		if len(reply) != 0 {
			t.Errorf("%s: reply %q", tc.doc, reply)
		}
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: err = %v, want %q", tc.doc, err, tc.err)
		}
	}
}
