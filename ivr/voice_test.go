package ivr_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"permitline/cmd/permitline/server/servertest"
	"permitline/domain"
	"permitline/flows/entry"
)

// Monday 30 November 2026, 10:00: the helpdesk is open.
const monday = "2026-11-30 10:00"

func TestFirstAnswerIsExactTwiML(t *testing.T) {
	l := newLine(t, monday)
	params := url.Values{"CallSid": {servertest.Sid("CA", 1)}, "From": {alex}, "To": {"+443455207007"}, "CallStatus": {"ringing"},
		"AccountSid": {servertest.AccountSid}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
	status, body := l.signedPost("/twilio/voice", params)
	want := `<?xml version="1.0" encoding="UTF-8"?>` +
		`<Response><Gather action="` + l.Srv.URL + `/twilio/voice/step?s=1" method="POST" input="dtmf" timeout="6" ` +
		`finishOnKey="#" numDigits="6" language="en-GB"><Say voice="Polly.Amy" language="en-GB">` +
		`Welcome to the visitor parking permit line. Please key your phone PIN, then press hash. ` +
		`If you&apos;ve forgotten your PIN, press 0.</Say>` +
		`</Gather><Redirect method="POST">` + l.Srv.URL + `/twilio/voice/step?s=1&amp;silence=1</Redirect></Response>`
	if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("TwiML without its XML declaration: %s", body)
	}
	if status != http.StatusOK || canonical(t, body) != canonical(t, want) {
		t.Fatalf("status %d, TwiML:\n%s\nwant:\n%s", status, body, want)
	}
	// Twilio retrying the same webhook gets the same answer and starts nothing new.
	if status, again := l.signedPost("/twilio/voice", params); status != http.StatusOK || again != body {
		t.Fatalf("a repeated webhook answered differently (%d):\n%s", status, again)
	}
}

func TestActivateASavedVehicleForTomorrow(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").
		expect("Which vehicle is the visit for?", "For A, B, one, two. C, D, E, press 1.", "For K, X, six, five. A, B, C, press 2.",
			"For a different vehicle, press 8.", "To go back to the main menu, press 9.")
	c.press("1").expect("For today, press 1.", "For tomorrow, Tuesday the first of December, press 2.")
	c.press("2").expect("That's one visit for A, B, one, two. C, D, E tomorrow, Tuesday the first of December, "+
		"from nine a.m. to six p.m.", "If that's right, press 1.")
	if n := len(l.upcoming("Alex Morgan")); n != 0 {
		t.Fatalf("R16: nothing is used before the caller confirms; %d visits", n)
	}
	c.press("1").expect("Done. A, B, one, two. C, D, E has a visit tomorrow", "You have eight visits left.",
		"You can cancel this visit until tomorrow at eight fifty-five a.m.", "To activate a visit, press 1.")
	vs := l.upcoming("Alex Morgan")
	if len(vs) != 1 || vs[0].VRM != "AB12CDE" || vs[0].Date.String() != "2026-12-01" || vs[0].By.Channel != domain.ChannelVoice {
		t.Fatalf("stored visits: %+v", vs)
	}
	c.expect(strings.Join(strings.Fields(spelled(vs[0].Ref)), " "))
}

func spelled(ref string) string {
	// The reference is read with the phonetic alphabet; check one letter of it at least.
	for _, r := range ref {
		if r >= 'A' && r <= 'Z' {
			return string(r) + " for "
		}
	}
	return ref[:1]
}

func TestActivateAKeyedRegistrationOnAKeyedDate(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").press("8").expect("Please say the registration. Or key it in", "C is 2 then 3").
		waitsFor("gather")
	if !strings.Contains(c.turn.Wait.Input, "speech") {
		t.Fatalf("a registration can be said: the gather takes %q", c.turn.Wait.Input)
	}
	// Keyed two keys a character, with a slip corrected by star.
	keys := entry.EncodeKeypad("AB12") + "23*" + entry.EncodeKeypad("CDF")
	c.press(keys).expect("I have A for Alpha, B for Bravo, one, two. C for Charlie, D for Delta, F for Foxtrot.")
	c.press("1").press("3").expect("key the day and the month as four digits")
	// Saturday 5 December: no permit is needed in a Mon-Fri scheme (R14), and nothing is used.
	c.press("0512").expect("No permit is needed on Saturday the fifth of December in your scheme area.",
		"No visit has been used.", "A permit is next needed on Monday the seventh of December at nine a.m. Please key the day")
	c.press("0412").expect("That's one visit for A, B, one, two. C, D, F on Friday the fourth of December")
	c.press("1").expect("Done.")
	if vs := l.upcoming("Alex Morgan"); len(vs) != 1 || vs[0].VRM != "AB12CDF" || vs[0].Date.String() != "2026-12-04" {
		t.Fatalf("stored visits: %+v", vs)
	}
}

func TestActivateASpokenRegistration(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").press("8").say("It's Alpha Bravo one two Charlie Delta Golf")
	c.expect("I have A for Alpha, B for Bravo, one, two. C for Charlie, D for Delta, G for Golf.")
	c.press("2").expect("Please say the registration")
}

func TestImplausibleRegistrationIsExplainedAndAskedAgain(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").press("8")
	c.press(entry.EncodeKeypad("AI12CDE")).expect("That doesn't look like a UK registration:", "Please say the registration")
	c.press("24").expect("Sorry, I couldn't read that registration: 2 then 4: the 2 key has only A, B and C.")
}

func TestEveryMenuRepeatsAndReprompts(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu()
	c.press("7").expect("Sorry, 7 isn't one of the choices.", "To activate a visit, press 1.")
	c.press("*").expect("To activate a visit, press 1.").never("Sorry")
	c.silence().expect("Sorry, I didn't hear anything.", "To activate a visit, press 1.")
}

func TestStuckCallerIsPutThroughWhenOpen(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("7").press("8").press("6")
	c.expect("Putting you through to the helpdesk.", "You're number one in the queue.").waitsFor("queue")
	tr := l.transfer(c)
	if tr.Status != domain.TransferQueued || !tr.Verified || tr.ResidentID == 0 || !strings.Contains(tr.Reason, "stuck at menu.main") {
		t.Fatalf("transfer record: %+v", tr)
	}
	if !strings.Contains(string(tr.Context), `"keys 6"`) {
		t.Fatalf("the agent sees what was keyed: %s", tr.Context)
	}
	if err := c.c.Hangup(l.Ctx); err != nil {
		t.Fatal(err)
	}
	if tr := l.transfer(c); tr.Status != domain.TransferAbandoned {
		t.Fatalf("a caller who hangs up in the queue leaves it: %s", tr.Status)
	}
}

func (l *line) transfer(c *call) domain.Transfer {
	l.T.Helper()
	var tr domain.Transfer
	err := l.Svc.View(l.Ctx, func(r domain.Reader) (err error) { tr, err = r.TransferByCall(c.c.Sid()); return err })
	if err != nil {
		l.T.Fatal(err)
	}
	return tr
}

// A caller who keys nothing is never hung up on: with the helpdesk closed they hear when
// it opens and are offered a call back, a message or the menu.
func TestStuckCallerIsNotHungUpOnWhenClosed(t *testing.T) {
	l := newLine(t, "2026-11-30 19:30")
	c := l.alexAtMenu().silence().silence().silence()
	c.expect("The helpdesk is closed now. It opens tomorrow at eight a.m.", "To have us call you back when we open, press 1.",
		"To leave a message, press 2.", "To go back to the main menu, press 9.").never("Goodbye").waitsFor("gather")
	c.press("9").expect("To activate a visit, press 1.")
}

func TestWithheldNumberKeysTheAccountNumber(t *testing.T) {
	l := newLine(t, monday)
	c := l.dial("anonymous").expect("Welcome to the visitor parking permit line.", "key your 8-digit account number")
	c.press("1234567").expect("Sorry, I can't find that account number.")
	c.press(l.People["Sam Taylor"].Account).expect("key your phone PIN").never("Sam")
	c.press("3690").expect("Thank you, Sam.", "To activate a visit, press 1.")
}

func TestPINLockoutIsToldAndOffersAnAgent(t *testing.T) {
	l := newLine(t, monday)
	c := l.dial(alex).press("1111").expect("Sorry, that PIN isn't right. You have two more tries")
	c.press("2222").expect("You have one more try")
	c.press("3333").expect("phone access to this account is locked until today at ten thirty a.m.",
		"Putting you through to the helpdesk.").waitsFor("queue")
	if tr := l.transfer(c); tr.Verified || !strings.Contains(tr.Reason, "PIN locked") {
		t.Fatalf("transfer: %+v", tr)
	}
	// The lockout holds for a new call too.
	l.dial(alex).press("2580").expect("locked until today at ten thirty a.m.")
}

func TestMemberMenuOffersOnlyWhatTheyMayDo(t *testing.T) {
	l := newLine(t, monday)
	c := l.dial("+447700900789").expect("key your phone PIN").never("Jordan").press("4826")
	c.expect("Thank you, Jordan.", "To activate a visit, press 1.").never("To buy permits")
	c.press("4").expect("Sorry, 4 isn't one of the choices.")
}

func TestBalanceAndHours(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("3")
	c.expect("You have two permits, with nine visits left.", "You can buy eighteen more permits before",
		"Your registration is valid until")
	c.press("5").expect("The helpdesk is open now, until six p.m.", "closed on Christmas Day",
		"This automated line is open all day, every day.")
}

func TestCancelAVisitBookedAhead(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").press("1").press("2").press("1").expect("Done.")
	c.press("2").expect("Which visit would you like to cancel?", "For A, B, one, two. C, D, E tomorrow")
	c.press("1").expect("That's the visit for A, B, one, two. C, D, E tomorrow").press("1")
	c.expect("is cancelled, and the visit is back on your permit.")
	vs := l.upcoming("Alex Morgan")
	if len(vs) != 1 || vs[0].Status != domain.VisitCancelled {
		t.Fatalf("visits: %+v", vs)
	}
	if b := l.balance("Alex Morgan"); b.VisitsLeft != 9 {
		t.Fatalf("visits left %d, want 9", b.VisitsLeft)
	}
	c.press("2").expect("You have no upcoming visits to cancel.")
}

func TestCancelTooLateIsExplained(t *testing.T) {
	l := newLine(t, "2026-11-30 08:00")
	c := l.alexAtMenu().press("1").press("1").press("1").press("1").expect("Done.")
	// The visit starts at 09:00; at 08:55:30 it can no longer be cancelled (R17).
	l.Clock.Set(at(t, "2026-11-30 08:55").Add(30e9))
	c.press("2").expect("None of your visits can be cancelled now: a visit can be cancelled until 5 minutes before it starts.")
}

func TestBuyPermitsWithACard(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("4").expect("How many permits would you like? You can buy up to eighteen.")
	c.press("21").expect("Sorry, please key a number from 1 to eighteen.")
	c.press("2").expect("Two permits cost thirty-six pounds.", "can't be refunded or exchanged",
		"doesn't reserve or guarantee a parking space", "To pay by card, press 1.")
	c.press("1").expect("take a card payment of thirty-six pounds").waitsFor("pay")
	if c.turn.Wait.ChargeAmount != "36.00" || !strings.EqualFold(c.turn.Wait.Currency, "gbp") {
		t.Fatalf("pay wait: %+v", c.turn.Wait)
	}
	c.pay("4000000000000002").expect("the card payment didn't go through, and nothing was taken",
		"To try the payment again, press 1.")
	if b := l.balance("Alex Morgan"); b.BoughtThisYear != 2 {
		t.Fatalf("a failed payment bought something: %d", b.BoughtThisYear)
	}
	c.press("1").waitsFor("pay").pay("4242424242424242").
		expect("Your payment of thirty-six pounds was taken, and two permits are now on your account")
	if b := l.balance("Alex Morgan"); b.BoughtThisYear != 4 || b.VisitsLeft != 19 {
		t.Fatalf("after paying: bought %d, visits %d", b.BoughtThisYear, b.VisitsLeft)
	}
}

func TestBuyRefusedBeforeAnyPayment(t *testing.T) {
	l := newLine(t, monday)
	// Priya's registration has expired (R3).
	l.dial("+447700900456").press("1357").press("4").
		expect("Your registration expired on", "can't be bought until you register again").never("card")
	// Chris has bought all 20 this permit year (R7).
	l.dial("+447700900321").press("8642").press("4").
		expect("You've bought all 20 permits for this permit year. Your allowance renews on Thursday the first of April")
}

func TestCallerInterruptsThePayment(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("4").press("1").press("1").waitsFor("pay")
	c.pay("*").expect("The payment was stopped, and nothing was taken.").press("2").expect("To activate a visit")
}

func TestAgentWhileClosedOnChristmasDay(t *testing.T) {
	l := newLine(t, "2026-12-25 11:00")
	c := l.alexAtMenu().press("0")
	c.expect("The helpdesk is closed now. It opens tomorrow at eight a.m.", "This automated line is open all day",
		"To have us call you back when we open, press 1.").waitsFor("gather")
	c.press("9").press("5").expect("It opens tomorrow at eight a.m.")
}

func TestAgentWhileClosedOnABankHolidayEvening(t *testing.T) {
	// Monday 28 December 2026 is the substitute Boxing Day: 10:00-16:00.
	l := newLine(t, "2026-12-28 16:00")
	l.alexAtMenu().press("0").expect("It opens tomorrow at eight a.m.")
	l.Clock.Set(at(t, "2026-12-28 09:59"))
	l.alexAtMenu().press("0").expect("It opens today at ten a.m.")
}

func TestRepeatedStepDoesNothingTwice(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").press("1").press("2")
	// Confirm by hand, twice, as Twilio retrying would.
	params := url.Values{"CallSid": {c.c.Sid()}, "From": {alex}, "Digits": {"1"}}
	step := stepOf(t, c.turn.TwiML[len(c.turn.TwiML)-1])
	first, body1 := l.signedPost("/twilio/voice/step?s="+step, params)
	second, body2 := l.signedPost("/twilio/voice/step?s="+step, params)
	if first != 200 || second != 200 || body1 != body2 || !strings.Contains(body1, "Done.") {
		t.Fatalf("%d %d\n%s\n%s", first, second, body1, body2)
	}
	if n := len(l.upcoming("Alex Morgan")); n != 1 {
		t.Fatalf("a repeated confirmation activated %d visits", n)
	}
}

func TestConcurrentRepeatsOfOneStep(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("1").press("1").press("2")
	params := url.Values{"CallSid": {c.c.Sid()}, "From": {alex}, "Digits": {"1"}}
	step := stepOf(t, c.turn.TwiML[len(c.turn.TwiML)-1])
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, bodies[i] = l.signedPost("/twilio/voice/step?s="+step, params)
		}()
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("racing repeats answered differently:\n%s\n%s", bodies[0], b)
		}
	}
	if n := len(l.upcoming("Alex Morgan")); n != 1 {
		t.Fatalf("racing repeats activated %d visits", n)
	}
}

func stepOf(t *testing.T, twiml string) string {
	t.Helper()
	i := strings.Index(twiml, "/twilio/voice/step?s=")
	if i < 0 {
		t.Fatalf("no step URL in %s", twiml)
	}
	rest := twiml[i+len("/twilio/voice/step?s="):]
	end := strings.IndexAny(rest, `"&<`)
	return rest[:end]
}

func TestACallSurvivesARestartBetweenEverySteps(t *testing.T) {
	l := newLine(t, monday)
	c := l.dial(alex)
	for _, keys := range []string{"2580", "1", "8", entry.EncodeKeypad("AB12CDH"), "1", "2", "1"} {
		l.Restart()
		c.press(keys)
	}
	c.expect("Done.")
	if vs := l.upcoming("Alex Morgan"); len(vs) != 1 || vs[0].VRM != "AB12CDH" {
		t.Fatalf("visits: %+v", vs)
	}
}

func TestStepForAnEndedCallHangsUp(t *testing.T) {
	l := newLine(t, "2026-11-30 22:00")
	// Locked out, the helpdesk closed: a wrong key and a silence at the offer end the call.
	c := l.dial(alex).press("1111").press("2222").press("3333").press("7").silence().ended()
	var conv domain.Conversation
	_ = l.Svc.View(l.Ctx, func(r domain.Reader) (err error) {
		conv, err = r.ConversationByKey(domain.ChannelVoice, c.c.Sid())
		return err
	})
	if !conv.Ended {
		t.Fatalf("the conversation is not ended: %+v", conv)
	}
	_, body := l.signedPost("/twilio/voice/step?s="+strconv.Itoa(conv.Version), url.Values{"CallSid": {c.c.Sid()}, "Digits": {"1"}})
	if !strings.Contains(body, "<Hangup") {
		t.Fatalf("a webhook for a finished call: %s", body)
	}
}

func TestACallerPutThroughByTheApologyIsShownToAgents(t *testing.T) {
	l := newLine(t, monday)
	// Twilio fetches the wait URL for a caller the line queued without a record.
	status, body := l.signedPost("/twilio/voice/queue/wait", url.Values{"CallSid": {servertest.Sid("CA", 0xfa17)}, "From": {alex},
		"QueuePosition": {"2"}})
	if status != 200 || !strings.Contains(body, "number two in the queue.") {
		t.Fatalf("wait: %d %s", status, body)
	}
	l.signedPost("/twilio/voice/queue/wait", url.Values{"CallSid": {servertest.Sid("CA", 0xfa17)}, "From": {alex}, "QueuePosition": {"1"}})
	queued, err := l.Svc.QueuedTransfers(l.Ctx)
	if err != nil || len(queued) != 1 || queued[0].CallSid != servertest.Sid("CA", 0xfa17) || queued[0].From != alex {
		t.Fatalf("queued: %v %+v", err, queued)
	}
}

// The queue's action: a caller the queue could not keep hears why and the call ends; one
// taken by an agent hears nothing more from the line, and the transfer is marked taken.
func TestLeavingTheQueue(t *testing.T) {
	l := newLine(t, monday)
	c := l.alexAtMenu().press("0").waitsFor("queue")
	turn, err := c.c.LeaveQueue(l.Ctx, "queue-full")
	if err != nil {
		t.Fatal(err)
	}
	c.turn = turn
	c.expect("Sorry, the helpdesk can't take your call just now. Please try again later.").ended()
	if c.turn.EndReason != "hangup" {
		t.Fatalf("a full queue ends the call with <Hangup>, got %s", c.turn.EndReason)
	}

	c = l.alexAtMenu().press("0").waitsFor("queue")
	if turn, err = c.c.LeaveQueue(l.Ctx, "bridged"); err != nil {
		t.Fatal(err)
	}
	if len(turn.Said) != 0 {
		t.Fatalf("a caller put through to an agent heard from the line: %v", turn.Said)
	}
	if tr := l.transfer(c); tr.Status != domain.TransferTaken {
		t.Fatalf("a caller put through: transfer %s, want taken", tr.Status)
	}
}
