package sms_test

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
)

var sidN atomic.Int64

// messageSid is a fresh MessageSid in Twilio's shape: SM and 32 lowercase hex digits.
func messageSid() string { return fmt.Sprintf("SM%032x", 0xfeed0000+sidN.Add(1)) }

// text posts an incoming text as Twilio's webhook does, with optOutType as Advanced Opt-Out
// adds it ("" for none), and returns the reply's TwiML.
func text(l *servertest.Line, from, body, optOutType string) string {
	l.T.Helper()
	sid := messageSid()
	f := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {servertest.AccountSid},
		"MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}, "From": {from}, "To": {line}, "Body": {body},
		"NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
	if optOutType != "" {
		f.Set("OptOutType", optOutType)
	}
	status, doc := l.SignedPost("/twilio/sms", f)
	if status != 200 {
		l.T.Fatalf("texting %q (OptOutType %q): %d %s", body, optOutType, status, doc)
	}
	return doc
}

// message returns the text of the reply's <Message>, "" when there is none.
func message(doc string) string {
	if !strings.Contains(doc, "<Message>") {
		return ""
	}
	return unescape(between(doc, "<Message>", "</Message>"))
}

// unescape undoes the XML escaping of a <Message>'s text.
func unescape(s string) string { return html.UnescapeString(s) }

func optedOut(l *servertest.Line, e164 string) bool {
	l.T.Helper()
	var out bool
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(e164); return err }); err != nil {
		l.T.Fatal(err)
	}
	return out
}

func setOptOut(l *servertest.Line, e164 string, out bool) {
	l.T.Helper()
	if err := l.Svc.Update(l.Ctx, func(op *domain.Op) error { return op.SetOptOut(e164, out) }); err != nil {
		l.T.Fatal(err)
	}
}

// Twilio's default English opt-out words, whole message, any case, are recorded and
// answered with no <Message> (Twilio confirms them itself and blocks our replies);
// none of them touches a visit.
func TestEveryTwilioOptOutWordIsRecorded(t *testing.T) {
	l := servertest.New(t, monday)
	x := texter{l, alex}
	x.send("VISITOR AB12CDE TUE")
	for _, w := range []string{"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT",
		"revoke", "OptOut", " Revoke. ", "optout!"} {
		doc := text(l, alex, w, "")
		if strings.Contains(doc, "<Message") {
			t.Errorf("%q was answered %s; after an opt-out the line sends no <Message>", w, doc)
		}
		if !optedOut(l, alex) {
			t.Errorf("%q: the opt-out was not recorded", w)
		}
		setOptOut(l, alex, false)
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 || vs[0].Status != domain.VisitActive {
		t.Fatalf("an opt-out word changed a visit: %+v", vs)
	}
	for _, w := range []string{"START", "UNSTOP", "start"} {
		setOptOut(l, alex, true)
		if doc := text(l, alex, w, ""); strings.Contains(doc, "<Message") {
			t.Errorf("%q was answered %s", w, doc)
		}
		if optedOut(l, alex) {
			t.Errorf("%q did not opt the number back in", w)
		}
	}
	for _, w := range []string{"HELP", "INFO", "help"} {
		if got := message(text(l, alex, w, "")); !strings.HasPrefix(got, "Text VISITOR AB12CDE to park today") {
			t.Errorf("%q answered %q, want the help text", w, got)
		}
	}
}

// Advanced Opt-Out's OptOutType decides whatever the body says: a custom keyword is an
// opt-out, an opt-in or a help request as Twilio says.
func TestOptOutTypeDecides(t *testing.T) {
	l := servertest.New(t, monday)
	x := texter{l, alex}
	x.send("VISITOR AB12CDE TUE")
	if doc := text(l, alex, "ARRET", "STOP"); strings.Contains(doc, "<Message") || !optedOut(l, alex) {
		t.Fatalf("OptOutType=STOP: answered %s, opted out %v", doc, optedOut(l, alex))
	}
	// Even a body that reads as a command is only an opt-out when Twilio says so.
	if doc := text(l, alex, "VISITOR KX65ABC", "STOP"); strings.Contains(doc, "<Message") {
		t.Fatalf("OptOutType=STOP on a command: answered %s", doc)
	}
	if doc := text(l, alex, "SUBSCRIBE", "START"); strings.Contains(doc, "<Message") || optedOut(l, alex) {
		t.Fatalf("OptOutType=START: answered %s, opted out %v", doc, optedOut(l, alex))
	}
	if got := message(text(l, alex, "AIDE", "HELP")); !strings.HasPrefix(got, "Text VISITOR AB12CDE to park today") {
		t.Fatalf("OptOutType=HELP answered %q", got)
	}
	// A lower-case or unknown value: the body decides.
	if text(l, alex, "stop", "stop"); !optedOut(l, alex) {
		t.Fatal("OptOutType=stop did not opt out")
	}
	setOptOut(l, alex, false)
	if got := message(text(l, alex, "BAL", "SOMETHING")); !strings.HasPrefix(got, "2 permits,") {
		t.Fatalf("an unknown OptOutType: %q", got)
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 || vs[0].VRM != "AB12CDE" {
		t.Fatalf("a keyword text changed the visits: %+v", vs)
	}
}

// A YES is an opt-in when Twilio says so (OptOutType=START) or, without OptOutType, when
// the number is opted out in the store; an opt-in wins, and never confirms a visit
// waiting for a yes. Every combination of OptOutType, opt-out and a pending visit.
func TestYesOptInNeverConfirmsAVisit(t *testing.T) {
	const notBooked = "You'll get our texts again. Your visit is not booked yet: reply CONFIRM to book it, or NO to stop."
	for _, tc := range []struct {
		name       string
		optOutType string // "" or START
		optedOut   bool
		pending    bool
		reply      string // the reply's start; "" for no <Message>
		booked     bool
		optedIn    bool // opted out after: false
	}{
		{"plain yes answers the question", "", false, true, "Booked: AB12 CDF", true, true},
		{"plain yes with nothing pending", "", false, false, "That request has expired, or there was none.", false, true},
		{"yes from an opted-out number opts in, not books", "", true, true, notBooked, false, true},
		{"yes from an opted-out number, nothing pending", "", true, false, "", false, true},
		{"OptOutType=START opts in, not books", "START", false, true, notBooked, false, true},
		{"OptOutType=START, nothing pending", "START", false, false, "", false, true},
		{"OptOutType=START from an opted-out number, pending", "START", true, true, notBooked, false, true},
		{"OptOutType=START from an opted-out number, nothing pending", "START", true, false, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := servertest.New(t, monday)
			if tc.pending {
				if got := message(text(l, alex, "VISITOR AB12 CDF", "")); !strings.HasPrefix(got, "Reply CONFIRM to use 1 visit for AB12 CDF") {
					t.Fatalf("the question: %q", got)
				}
			}
			setOptOut(l, alex, tc.optedOut)
			got := message(text(l, alex, "YES", tc.optOutType))
			if tc.reply == "" && got != "" || !strings.HasPrefix(got, tc.reply) {
				t.Fatalf("reply %q, want %q...", got, tc.reply)
			}
			if vs := l.Upcoming("Alex Morgan"); (len(vs) == 1) != tc.booked {
				t.Fatalf("booked %+v, want booked=%v", vs, tc.booked)
			}
			if optedOut(l, alex) {
				t.Fatal("still opted out")
			}
			if tc.pending && !tc.booked {
				// The visit still waits, and CONFIRM books it.
				if got := message(text(l, alex, "CONFIRM", "")); !strings.HasPrefix(got, "Booked: AB12 CDF") {
					t.Fatalf("CONFIRM after the opt-in: %q", got)
				}
				if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 {
					t.Fatalf("after CONFIRM: %+v", vs)
				}
			}
		})
	}
}
