package sms_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/calendar"
	"permitline/domain/storetest"
	"permitline/ivr/twiliosim"
	"permitline/sms"
)

var update = flag.Bool("update", false, "rewrite the recorded text conversations in testdata/texts")

const (
	monday = "2026-11-30 10:00"
	alex   = "+447700900123" // resident, Coleridge West (Mon-Fri 09:00-18:00), AB12CDE saved, KX65ABC used
	jordan = "+447700900789" // member of Alex's account: view, activate
	priya  = "+447700900456" // resident, Morley, registration expired, Y123ABC saved
	line   = "+447700900000"
)

// texter sends texts from one number and checks the replies.
type texter struct {
	l    *servertest.Line
	from string
}

func (x texter) send(body string) string {
	x.l.T.Helper()
	replies, status, err := twiliosim.SendSMS(x.l.Ctx, x.l.Sim(x.from, line), body)
	if err != nil || status != 200 {
		x.l.T.Fatalf("texting %q: %d %v", body, status, err)
	}
	return strings.Join(replies, "\n")
}

// A recorded text conversation: who texts when, and the texts, each optionally preceded by
// "+15m" to move the clock on.
type recording struct {
	name, now, from string
	texts           []string
}

var recordings = []recording{
	{"visitor-saved-vehicle-now", monday, alex, []string{"VISITOR AB12CDE", "VISITS", "BAL"}},
	{"park-with-a-date", monday, alex, []string{"park ab12 cde tomorrow", "VISITS"}},
	{"bare-registration-with-a-weekday", monday, alex, []string{"KX65ABC fri"}},
	{"new-vehicle-needs-yes", monday, alex, []string{"VISITOR AB12 CDF", "YES"}},
	{"new-vehicle-said-no", monday, alex, []string{"VISITOR AB12 CDF 2/12", "no"}},
	{"visitor-without-registration", monday, alex, []string{"VISITOR", "ab12 cdg", "Y"}},
	{"implausible-registration", monday, alex, []string{"VISITOR AI12CDE", "AB12CDE"}},
	{"unreadable-date", monday, alex, []string{"VISITOR AB12CDE someday"}},
	{"no-permit-needed-saturday", monday, alex, []string{"VISITOR AB12CDE SAT", "MON"}},
	{"bank-holiday", "2026-12-21 10:00", alex, []string{"VISITOR AB12CDE 28/12", "29/12"}},
	{"too-far-ahead", monday, alex, []string{"VISITOR AB12CDE 15/12", "14/12"}},
	// The examples of a date are days that need a permit: not the weekend in a Monday-to-Friday
	// scheme, not the Christmas bank holidays (R12-R14).
	{"date-examples-on-a-friday", "2026-12-04 10:00", alex, []string{"VISITOR AB12CDE SUN", "MON"}},
	{"date-examples-over-christmas", "2026-12-24 10:00", alex, []string{"VISITOR AB12CDE 26/12", "TUE"}},
	{"hours-over-today", "2026-11-30 18:30", alex, []string{"VISITOR AB12CDE", "TOMORROW"}},
	{"same-vehicle-twice", monday, alex, []string{"VISITOR AB12CDE TUE", "VISITOR AB12CDE TUE"}},
	{"undo-a-visit", monday, alex, []string{"VISITOR AB12CDE TUE", "UNDO JCFQUU", "UNDO JCFQUU", "UNDO", "UNDO ZZZZZZ"}},
	{"undo-too-late", monday, alex, []string{"VISITOR AB12CDE", "UNDO JCFQUU"}},
	{"conversation-expires", monday, alex, []string{"VISITOR AB12 CDF", "+16m", "YES"}},
	{"a-new-command-replaces-a-conversation", monday, alex, []string{"VISITOR AB12 CDF", "BAL", "YES"}},
	// A text that reads as a command starts it, whatever question was waiting; a text that is
	// none is an answer only while the question waits, and not once a command has replaced it.
	{"a-command-replaces-a-pending-question", monday, alex, []string{"PARK MX70HTV 5 Dec", "hi there", "BAL", "hi there",
		"MON"}},
	{"every-command-replaces-a-pending-question", monday, alex, []string{"VISITOR AB12 CDF", "HOURS", "YES",
		"VISITOR AB12 CDF", "HELP", "YES", "VISITOR AB12 CDF", "UNDO ZZZZZZ", "Y", "VISITOR AB12 CDF", "VISITS", "NO",
		"VISITOR AB12 CDF", "VISITOR AB12CDF someday", "YES", "VISITOR AB12 CDF", "VISITOR AB12 CDG", "YES", "VISITS"}},
	{"opt-out-and-back", monday, alex, []string{"STOP", "START", "CANCEL", "unstop"}},
	{"every-opt-out-word", monday, alex, []string{"REVOKE", "START", "optout", "UNSTOP", "STOPALL", "YES", "Quit.",
		"start", "UNSUBSCRIBE", "yes", "END", "Start", "HELP", "INFO"}},
	{"yes-after-stop-opts-in-and-books-nothing", monday, alex, []string{"VISITOR AB12 CDF", "STOP", "YES", "VISITS",
		"CONFIRM"}},
	{"yes-after-stop-then-confirm-books", monday, alex, []string{"VISITOR AB12 CDF", "STOP", "YES", "CONFIRM", "VISITS"}},
	{"yes-answers-when-not-opted-out", monday, alex, []string{"VISITOR AB12 CDF", "STOP", "START", "YES"}},
	{"help-hours-and-nonsense", monday, alex, []string{"HELP", "HOURS", "what is this", "YES"}},
	{"hours-on-christmas-day", "2026-12-25 09:00", alex, []string{"HOURS"}},
	{"unknown-sender", monday, "+447700900999", []string{"VISITOR AB12CDE", "BAL"}},
	{"member-may-activate", monday, jordan, []string{"VISITOR AB12CDE", "BAL"}},
	{"expired-registration-can-still-use-visits", monday, priya, []string{"VISITOR Y123ABC", "BAL"}},
	{"stuck-conversation-ends", monday, alex, []string{"VISITOR", "zzz", "qqq", "12", "YES"}},
}

func TestRecordedTextConversations(t *testing.T) {
	storetest.Engines(t, testRecordedTextConversations)
}

func testRecordedTextConversations(t *testing.T, e storetest.Engine) {
	for _, rec := range recordings {
		t.Run(rec.name, func(t *testing.T) {
			l := servertest.NewOn(t, rec.now, e)
			x := texter{l, rec.from}
			var b strings.Builder
			fmt.Fprintf(&b, "# %s: %s texts at %s\n", rec.name, rec.from, rec.now)
			for _, body := range rec.texts {
				if d, err := time.ParseDuration(strings.TrimPrefix(body, "+")); strings.HasPrefix(body, "+") && err == nil {
					l.Clock.Advance(d)
					fmt.Fprintf(&b, "\n(%s later)\n", d)
					continue
				}
				reply := x.send(body)
				fmt.Fprintf(&b, "\n> %s\n< %s\n", body, reply)
				if !sms.IsGSM7(reply) || sms.Segments(reply) > 2 {
					t.Errorf("reply to %q is not GSM-7 in at most 2 segments (%d): %q", body, sms.Segments(reply), reply)
				}
			}
			servertest.Golden(t, filepath.Join("testdata", "texts", rec.name+".txt"), b.String(), *update)
		})
	}
}

func TestTextActivationIsStoredOnce(t *testing.T) {
	l := servertest.New(t, monday)
	x := texter{l, alex}
	if r := x.send("VISITOR AB12CDE"); !strings.HasPrefix(r, "Booked: AB12 CDE, now until 6pm today.") {
		t.Fatalf("reply: %q", r)
	}
	vs := l.Upcoming("Alex Morgan")
	if len(vs) != 1 || vs[0].By.Channel != domain.ChannelSMS || !vs[0].StartsAt.Equal(l.Clock.Now()) {
		t.Fatalf("R12/R13 a text with no date activates now, for today: %+v", vs)
	}
}

func TestRepeatedMessageSidIsAnsweredOnceAndActedOnOnce(t *testing.T) {
	l := servertest.New(t, monday)
	cfg := l.Sim(alex, line)
	r1, _, err := twiliosim.ResendSMS(l.Ctx, cfg, "SM0000000000000000000000000000abcd", "VISITOR AB12CDE TUE")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	replies := make([][]string, 6)
	for i := range replies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], _, _ = twiliosim.ResendSMS(l.Ctx, cfg, "SM0000000000000000000000000000abcd", "VISITOR AB12CDE TUE")
		}()
	}
	wg.Wait()
	for _, r := range replies {
		if strings.Join(r, "") != strings.Join(r1, "") {
			t.Fatalf("a repeat answered differently: %q vs %q", r, r1)
		}
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 {
		t.Fatalf("a repeated MessageSid activated %d visits", len(vs))
	}
}

func TestOptOutWordsNeverDriveAServiceAction(t *testing.T) {
	l := servertest.New(t, monday)
	x := texter{l, alex}
	x.send("VISITOR AB12CDE TUE")
	for _, w := range []string{"STOP", "stop", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "Cancel."} {
		if r := x.send(w); r != "" {
			t.Errorf("%q was answered %q; the carrier answers opt-outs", w, r)
		}
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 || vs[0].Status != domain.VisitActive {
		t.Fatalf("an opt-out word changed a visit: %+v", vs)
	}
	var out bool
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(alex); return err })
	if !out {
		t.Fatal("the opt-out was not recorded")
	}
	x.send("START")
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { out, err = r.OptedOut(alex); return err })
	if out {
		t.Fatal("START did not undo the opt-out")
	}
}

func TestMemberWithoutPermissionIsRefused(t *testing.T) {
	l := servertest.New(t, monday)
	if _, err := l.Svc.AddMember(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account, domain.NewMember{
		Name: "Viewer", Phone: "07700 900790", Permissions: domain.Permissions{domain.PermView}}); err != nil {
		t.Fatal(err)
	}
	x := texter{l, "+447700900790"}
	if r := x.send("VISITOR AB12CDE"); r != "Your access to this account doesn't let you activate or cancel visits. Ask the account holder." {
		t.Fatalf("R5 refusal: %q", r)
	}
	if r := x.send("BAL"); !strings.HasPrefix(r, "2 permits, 9 visits left.") {
		t.Fatalf("a member who may view hears the balance: %q", r)
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 0 {
		t.Fatalf("R5: a member without the permission activated %+v", vs)
	}
}

// R5: a reference of another account's visit is answered exactly as a reference no visit
// has, so a guessed reference tells nothing of another account, and the visit is kept.
func TestAnotherAccountsReferenceIsAnsweredAsNoVisit(t *testing.T) {
	l := servertest.New(t, monday)
	theirs := activate(l, priyaName, "Y123ABC", calendar.Date{})
	x := texter{l, alex}
	none := x.send("UNDO ZZZZZZ")
	other := x.send("UNDO " + theirs.Ref)
	if want := strings.Replace(none, "ZZZZZZ", theirs.Ref, 1); other != want {
		t.Fatalf("another account's reference: %q, want the answer to a reference no visit has: %q", other, want)
	}
	if vs := l.Upcoming(priyaName); len(vs) != 1 || vs[0].Status != domain.VisitActive {
		t.Fatalf("another account's visit changed: %+v", vs)
	}
}

// R5: a member who may see the account but not cancel its visits is told so, not told
// the visit is not there.
func TestViewOnlyMemberIsToldTheyMayNotCancel(t *testing.T) {
	l := servertest.New(t, "2026-11-30 08:00")
	v := activate(l, "Alex Morgan", "AB12CDE", calendar.Date{})
	if _, err := l.Svc.AddMember(l.Ctx, domain.Admin("test"), l.People["Alex Morgan"].Account, domain.NewMember{
		Name: "Viewer", Phone: "07700 900790", Permissions: domain.Permissions{domain.PermView}}); err != nil {
		t.Fatal(err)
	}
	x := texter{l, "+447700900790"}
	if r := x.send("UNDO " + v.Ref); r != "Your access to this account doesn't let you activate or cancel visits. Ask the account holder." {
		t.Fatalf("R5 refusal: %q", r)
	}
	if vs := l.Upcoming("Alex Morgan"); len(vs) != 1 || vs[0].Status != domain.VisitActive {
		t.Fatalf("R5: a view-only member cancelled %+v", vs)
	}
}
