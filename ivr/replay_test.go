package ivr_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/domain/storetest"
	"permitline/flows/entry"
)

var update = flag.Bool("update", false, "rewrite the recorded conversations in testdata/calls")

// A recorded conversation: who calls when, and what they answer at each turn:
// "2580" keys, "say: ..." speech, "silence", "pay: CARD", "record: SECONDS", "hangup".
type recording struct {
	name, now, from string
	answers         []string
}

var (
	keyed      = entry.EncodeKeypad
	recordings = []recording{
		{"activate-saved-vehicle-tomorrow", monday, alex, []string{"2580", "1", "1", "2", "1"}},
		{"activate-keyed-registration-corrected", monday, alex, []string{"2580", "1", "8", keyed("AB12") + "23*" + keyed("CDF"), "1", "3", "0412", "1"}},
		{"activate-spoken-registration", monday, alex, []string{"2580", "1", "8", "say: alpha bravo one two charlie delta golf", "1", "1", "1"}},
		{"activate-implausible-registration", monday, alex, []string{"2580", "1", "8", keyed("AI12CDE"), "24", "silence"}},
		{"activate-bank-holiday-needs-no-permit", "2026-12-21 10:00", alex, []string{"2580", "1", "1", "3", "2812", "2912", "1"}},
		{"activate-too-far-ahead", monday, alex, []string{"2580", "1", "1", "3", "1512", "1412", "9"}},
		// The example of a date is a day that needs a permit (R12-R14).
		{"activate-another-date-on-a-friday", "2026-12-04 10:00", alex, []string{"2580", "1", "1", "3", "0712", "1"}},
		{"activate-another-date-over-christmas", "2026-12-24 10:00", alex, []string{"2580", "1", "1", "3", "2912", "1"}},
		// A new vehicle is offered after the saved and recent ones, which keep their keys.
		{"activate-new-vehicle-keeps-the-menu", monday, alex, []string{"2580", "1", "8", keyed("AB12CDF"), "1", "2", "1", "1", "3"}},
		{"activate-same-vehicle-twice", monday, alex, []string{"2580", "1", "1", "2", "1", "1", "1", "2"}},
		{"activate-after-hours-today", "2026-11-30 18:30", alex, []string{"2580", "1", "1", "1", "2", "1"}},
		{"activate-without-permits", monday, "+441632960123", []string{"3690", "1"}},
		{"cancel-a-visit", monday, alex, []string{"2580", "1", "1", "2", "1", "2", "1", "1", "2"}},
		{"cancel-too-late", "2026-11-30 08:56", alex, []string{"2580", "1", "1", "1", "1", "2"}},
		{"balance-and-hours", monday, alex, []string{"2580", "3", "5", "*"}},
		{"buy-paid", monday, alex, []string{"2580", "4", "21", "2", "1", "pay: 4242424242424242"}},
		{"buy-declined-then-paid", monday, alex, []string{"2580", "4", "1", "1", "pay: 4000000000000002", "1", "pay: 4242424242424242"}},
		{"buy-interrupted", monday, alex, []string{"2580", "4", "1", "1", "pay: *", "2"}},
		{"buy-card-not-recognised", monday, alex, []string{"2580", "4", "1", "1", "pay: 1234", "0"}},
		{"buy-registration-expired", monday, "+447700900456", []string{"1357", "4"}},
		{"buy-allowance-used", monday, "+447700900321", []string{"8642", "4"}},
		{"member-cannot-buy", monday, "+447700900789", []string{"4826", "4", "1"}},
		{"pin-lockout-while-open", monday, alex, []string{"1111", "2222", "3333", "hangup"}},
		{"pin-lockout-while-closed", "2026-11-30 22:00", alex, []string{"1111", "2222", "3333"}},
		{"withheld-number", monday, "anonymous", []string{"1234567", "silence", "99"}},
		{"newcomer-hears-how-to-register", monday, "anonymous", []string{"9", "1", "9", "2", "0"}},
		// From a UK mobile on no account: how to register is texted once; not offered again.
		{"newcomer-has-how-to-register-texted", monday, "+447700900999", []string{"9", "1", "1", "1", "hangup"}},
		// An account number that is not one is answered as one that is, up to its lockout.
		{"unknown-account-number", monday, "anonymous", []string{"12345678", "1111", "2222", "3333"}},
		{"unknown-account-number-while-closed", "2026-11-30 22:00", "anonymous", []string{"12345678", "1111", "2222", "3333"}},
		{"agent-while-open", monday, alex, []string{"2580", "0", "hangup"}},
		{"agent-on-christmas-day", "2026-12-25 11:00", alex, []string{"2580", "0", "5"}},
		{"stuck-while-closed", "2026-11-30 19:30", alex, []string{"2580", "7", "silence", "8"}},
		// A caller who has forgotten the PIN keys 0: a person, and no PIN try is used.
		{"forgotten-pin-asks-for-a-person", monday, alex, []string{"0", "hangup"}},
		// Wrong keys and silence at the date prompt, the helpdesk closed: back to the menu.
		{"date-prompt-wrong-keys-and-silence", "2026-11-30 19:30", alex, []string{"2580", "1", "1", "3", "99", "silence", "12"}},
		{"date-prompt-back-to-the-menu", monday, alex, []string{"2580", "1", "1", "3", "9", "3"}},
		// 9 goes back to the menu from the registration entry; star twice from the quantity,
		// where a lone 9 is a quantity.
		{"back-from-the-registration-and-the-quantity", monday, alex, []string{"2580", "1", "8", "9", "4", "**"}},
		// * alone repeats every question, the PIN's and the keyed date's too.
		{"star-repeats-the-question", monday, alex, []string{"*", "2580", "*", "1", "1", "3", "*"}},
		// Out of hours on Christmas Day: a call back due when the helpdesk opens on Boxing Day.
		{"callback-booked-on-christmas-day", "2026-12-25 17:00", alex, []string{"2580", "0", "1"}},
		// Out of hours: a message left for the helpdesk (the recording then reported completed).
		{"voicemail-left-out-of-hours", "2026-11-30 22:00", alex, []string{"2580", "0", "2", "record: 25"}},
	}
)

func TestRecordedConversations(t *testing.T) {
	storetest.Engines(t, testRecordedConversations)
}

func testRecordedConversations(t *testing.T, e storetest.Engine) {
	for _, rec := range recordings {
		t.Run(rec.name, func(t *testing.T) {
			l := &line{Line: servertest.NewOn(t, rec.now, e)}
			got := l.replay(rec)
			servertest.Golden(t, filepath.Join("testdata", "calls", rec.name+".txt"), got, *update)
		})
	}
}

// replay runs a recording and writes down every TwiML document and the state after each answer.
func (l *line) replay(rec recording) string {
	l.T.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s calls at %s\n", rec.name, rec.from, rec.now)
	c := l.dial(rec.from)
	l.write(&b, c)
	for _, a := range rec.answers {
		fmt.Fprintf(&b, "\n> %s\n", a)
		switch {
		case a == "silence":
			c.silence()
		case a == "hangup":
			if err := c.c.Hangup(l.Ctx); err != nil {
				l.T.Fatal(err)
			}
			c.turn.TwiML, c.turn.Said = nil, nil
		case strings.HasPrefix(a, "say: "):
			c.say(strings.TrimPrefix(a, "say: "))
		case strings.HasPrefix(a, "record: "):
			secs, err := strconv.Atoi(strings.TrimPrefix(a, "record: "))
			if err != nil {
				l.T.Fatal(err)
			}
			c.record(secs)
		case strings.HasPrefix(a, "pay: "):
			c.pay(strings.TrimPrefix(a, "pay: "))
		default:
			c.press(a)
		}
		l.write(&b, c)
	}
	return b.String()
}

func (l *line) write(b *strings.Builder, c *call) {
	for _, doc := range c.turn.TwiML {
		fmt.Fprintf(b, "%s\n", strings.ReplaceAll(canonical(l.T, doc), l.Srv.URL, "{base}"))
	}
	var conv domain.Conversation
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		conv, err = r.ConversationByKey(domain.ChannelVoice, c.c.Sid())
		return err
	})
	state := conv.Flow + "." + conv.State
	if conv.Ended {
		state += " (ended)"
	}
	var tr domain.Transfer
	if err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(c.c.Sid()); return err }); err == nil {
		state += fmt.Sprintf("; transfer %s: %s", tr.Status, tr.Reason)
	}
	fmt.Fprintf(b, "= %s\n", state)
}
